"""The wizard proposes the conventions a column seems to follow (decimal commas, day-first
dates) on the preview, applies none by itself, and on the user's choice (a POST with CSRF)
keeps it on the job, checks the file again and remembers it for the user's next file of the
importer. A German Excel CSV (semicolons, cp1252) through the derived importer of Gadget."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.admin.conftest import MakeUser
from tests.admin.helpers import html, job_url, uploaded_job
from tests.testapp.models import Gadget
from winiadmin.models import ImportJob, SavedConventions

pytestmark = pytest.mark.django_db

GERMAN = "name;price;day\r\nSchlüssel;1.234,50;31.12.2026\r\nGröße;12,50;01.02.2026\r\n"


def upload(client: Client, text: str = GERMAN) -> ImportJob:
    return uploaded_job(
        client,
        content=text.encode("cp1252"),
        name="gadgets.csv",
        importer="testapp.Gadget",
        model="",
    )


def accept(client: Client, job: ImportJob, column: str, reading: int = 0) -> ImportJob:
    response = client.post(job_url(job, "conventions"), {"column": column, "reading": reading})
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def test_the_preview_proposes_and_the_accepted_conventions_are_applied(
    su_client: Client, superuser: User
) -> None:
    job = upload(su_client)
    assert job.status == ImportJob.Status.INVALID
    page = html(su_client.get(job_url(job)))
    assert escape("Column 'price' looks like") in page
    assert "<code>1.234,50</code> → <code>1234.50</code>" in page
    assert escape("Column 'day' looks like it uses day-first dates (%d.%m.%Y)") in page
    assert not Gadget.objects.exists()

    job = accept(su_client, job, "price")
    assert job.status == ImportJob.Status.INVALID  # the dates are still refused
    job = accept(su_client, job, "day")
    assert job.status == ImportJob.Status.VALIDATED, job.report
    page = html(su_client.get(job_url(job)))
    assert "Read in the conventions" in page
    su_client.post(job_url(job, "confirm"))
    stored = sorted(Gadget.objects.values_list("name", "price", "day"))
    assert stored == [
        ("Größe", Decimal("12.50"), dt.date(2026, 2, 1)),
        ("Schlüssel", Decimal("1234.50"), dt.date(2026, 12, 31)),
    ]
    remembered = SavedConventions.objects.filter(user=superuser, importer="testapp.Gadget")
    assert {s.column: s.conventions for s in remembered} == {
        "price": {"decimal_separator": ",", "thousands_separator": "."},
        "day": {"date_formats": ["%d.%m.%Y"]},
    }


def test_the_next_upload_is_read_in_the_remembered_conventions(su_client: Client) -> None:
    job = upload(su_client)
    accept(su_client, job, "price")
    accept(su_client, job, "day")
    again = upload(su_client)
    assert again.status == ImportJob.Status.VALIDATED, again.report
    assert again.import_report.proposals == ()


def test_an_ambiguous_column_is_applied_only_as_the_user_chooses(su_client: Client) -> None:
    job = upload(su_client, 'name,count\na,"1,234"\n')
    (proposal,) = job.import_report.proposals
    assert proposal.column == "count"
    job = upload(su_client, 'name,ratio\na,"1,234"\n')
    (proposal,) = job.import_report.proposals
    assert len(proposal.readings) == 2
    page = html(su_client.get(job_url(job)))
    assert page.count("Read it this way and check again") == 2
    assert job.status == ImportJob.Status.INVALID  # nothing applied by itself
    second = [r.conventions for r in proposal.readings].index(
        {"decimal_separator": ".", "thousands_separator": ","}
    )
    job = accept(su_client, job, "ratio", second)
    assert job.status == ImportJob.Status.VALIDATED
    su_client.post(job_url(job, "confirm"))
    assert Gadget.objects.get().ratio == 1234.0


def test_accepting_needs_csrf_and_a_user_who_sees_the_job(
    su_client: Client, make_user: MakeUser
) -> None:
    job = upload(su_client)
    strict = Client(enforce_csrf_checks=True)
    assert job.user is not None
    strict.force_login(job.user)
    response = strict.post(job_url(job, "conventions"), {"column": "price", "reading": 0})
    assert response.status_code == 403
    other = Client()
    other.force_login(make_user("other", "testapp.add_gadget"))
    response = other.post(job_url(job, "conventions"), {"column": "price", "reading": 0})
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.conventions is None
    assert su_client.get(job_url(job, "conventions")).status_code == 405


def test_an_unknown_proposal_is_refused_with_a_message(su_client: Client) -> None:
    job = upload(su_client)
    response = su_client.post(
        job_url(job, "conventions"), {"column": "price", "reading": 5}, follow=True
    )
    assert "This proposal cannot be accepted now." in html(response)
    job.refresh_from_db()
    assert job.conventions is None


def upload_declaring(client: Client, text: str = GERMAN, **conventions: str) -> ImportJob:
    return uploaded_job(
        client,
        content=text.encode("cp1252"),
        name="gadgets.csv",
        importer="testapp.Gadget",
        model="",
        **conventions,
    )


def test_the_upload_form_declares_the_file_s_conventions(
    su_client: Client, superuser: User
) -> None:
    page = html(su_client.get("/admin/winiadmin/importjob/start/testapp.Gadget/"))
    assert "Decimal separator" in page
    job = upload_declaring(
        su_client, decimal_separator=",", thousands_separator=".", date_format="%d.%m.%Y"
    )
    assert job.status == ImportJob.Status.VALIDATED, job.report
    assert job.import_report.proposals == ()
    # Remembered for the whole file: the next upload is read the same way without choosing.
    again = upload(su_client)
    assert again.status == ImportJob.Status.VALIDATED, again.report
    assert SavedConventions.objects.get(user=superuser, column="").conventions == {
        "decimal_separator": ",",
        "thousands_separator": ".",
        "date_formats": ["%d.%m.%Y"],
    }


def test_a_two_digit_year_is_read_only_where_the_upload_declares_it(su_client: Client) -> None:
    text = "name;day\r\nA;31.12.26\r\n"
    job = upload_declaring(su_client, text, date_format="%d.%m.%Y")
    assert job.status == ImportJob.Status.INVALID
    assert [p.value for p in job.import_report.problems] == ["31.12.26"]
    job = upload_declaring(su_client, text, date_format="%d.%m.%y")
    assert job.status == ImportJob.Status.VALIDATED, job.report


def test_a_contradictory_choice_is_refused_on_the_form(su_client: Client) -> None:
    from tests.admin.helpers import upload_file

    response = upload_file(
        su_client,
        content=GERMAN.encode("cp1252"),
        name="gadgets.csv",
        importer="testapp.Gadget",
        model="",
        decimal_separator=",",
        thousands_separator=",",
    )
    assert response.status_code == 200
    assert "cannot be the decimal separator" in html(response)
    assert not ImportJob.objects.exists()


def test_remembered_conventions_are_shown_applied_and_can_be_left_out_of_an_upload(
    su_client: Client, superuser: User
) -> None:
    first = upload(su_client)
    accept(su_client, first, "price")
    accept(su_client, first, "day")
    again = upload(su_client)
    assert again.status == ImportJob.Status.VALIDATED

    page = html(su_client.get(job_url(again)))
    assert "Applied from your earlier files of this importer" in page
    changelist = reverse("admin:winiadmin_savedconventions_changelist")
    link = f"{changelist}?importer=testapp.Gadget&amp;user__id__exact={superuser.pk}"
    assert f'<a href="{link}">Remembered conventions</a>' in page
    assert job_url(again, "conventions_off") in page

    response = su_client.post(job_url(again, "conventions_off"))
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.conventions is None
    assert again.status == ImportJob.Status.INVALID  # read as the importer says: refused
    assert {p.column for p in again.import_report.proposals} == {"price", "day"}
    assert SavedConventions.objects.count() == 2  # the memory is kept
    page = html(su_client.get(job_url(again)))
    assert "Applied from your earlier files" not in page


def test_leaving_conventions_out_needs_csrf_and_a_user_who_sees_the_job(
    su_client: Client, make_user: MakeUser
) -> None:
    job = upload(su_client)
    job = accept(su_client, job, "price")
    strict = Client(enforce_csrf_checks=True)
    assert job.user is not None
    strict.force_login(job.user)
    assert strict.post(job_url(job, "conventions_off")).status_code == 403
    other = Client()
    other.force_login(make_user("other", "testapp.add_gadget"))
    assert other.post(job_url(job, "conventions_off")).status_code == 403
    assert su_client.get(job_url(job, "conventions_off")).status_code == 405
    job.refresh_from_db()
    assert job.conventions is not None


def test_the_admin_lists_remembered_conventions_and_deletes_with_permission(
    su_client: Client, client: Client, superuser: User, make_user: MakeUser
) -> None:
    job = upload(su_client)
    accept(su_client, job, "price")
    saved = SavedConventions.objects.get()
    changelist = reverse("admin:winiadmin_savedconventions_changelist")
    page = html(su_client.get(changelist, {"importer": "testapp.Gadget"}))
    assert "testapp.Gadget" in page
    assert escape("decimal separator ','") in page
    other = html(su_client.get(changelist, {"importer": "shop.other"}))
    assert escape("decimal separator ','") not in other
    delete = reverse("admin:winiadmin_savedconventions_delete", args=[saved.pk])

    client.force_login(make_user("nobody"))
    assert client.get(changelist).status_code == 403
    client.force_login(make_user("viewer", "winiadmin.view_savedconventions"))
    assert client.get(changelist).status_code == 200
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert SavedConventions.objects.exists()

    client.force_login(make_user("deleter", "winiadmin.delete_savedconventions"))
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not SavedConventions.objects.exists()
    client.force_login(superuser)  # su_client is the same client
    assert upload(su_client).conventions is None  # forgotten: the next file is not read in it
