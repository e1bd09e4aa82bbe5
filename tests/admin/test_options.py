"""``ImportMixin`` with nothing declared: the importer derived from the model, end to end.

``tests/testapp/admin.py`` registers ``GadgetAdmin(ImportMixin, admin.ModelAdmin)`` with no
importer anywhere: the changelist's Import button leads to the wizard of ``testapp.Gadget``,
the importer derived from the model; upload → dry run → preview → confirm → rows stored.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tests.admin.conftest import MakeUser
from tests.admin.helpers import html, job_url, start_url, upload_file, uploaded_job
from tests.testapp.models import Gadget, Maker
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

GADGETS = (
    b"Gadget name,Price,Active,Size,Day,Made by\nLamp,12.5,x,Large,2024-01-02,m1\nFan,3,,small,,\n"
)


@pytest.fixture
def maker() -> Maker:
    return Maker.objects.create(code="m1")


def test_zero_configuration_import_from_the_changelist(su_client: Client, maker: Maker) -> None:
    changelist = su_client.get(reverse("admin:testapp_gadget_changelist"))
    import_url = reverse("admin:testapp_gadget_import")
    assert f'href="{import_url}"' in html(changelist)

    response = su_client.get(import_url)
    assert response.status_code == 302
    assert response["Location"] == start_url("testapp.Gadget", "testapp.Gadget")
    page = html(su_client.get(response["Location"]))
    assert "Gadgets" in page and 'enctype="multipart/form-data"' in page

    job = uploaded_job(
        su_client, content=GADGETS, name="gadgets.csv", importer="testapp.Gadget", model=""
    )
    assert job.status == ImportJob.Status.VALIDATED, job.report
    assert job.dry_run_counts == {"testapp.Gadget": 2}
    preview = html(su_client.get(job_url(job)))
    assert "Confirm and import" in preview and "Lamp" in preview
    assert not Gadget.objects.exists()

    response = su_client.post(job_url(job, "confirm"))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    lamp, fan = Gadget.objects.get(name="Lamp"), Gadget.objects.get(name="Fan")
    assert (lamp.price, lamp.active, lamp.size, lamp.day, lamp.made_by) == (
        Decimal("12.50"),
        True,
        "L",
        dt.date(2024, 1, 2),
        maker,
    )
    assert (fan.price, fan.active, fan.size, fan.day, fan.made_by) == (
        Decimal("3.00"),
        False,
        "S",
        None,
        None,
    )


def test_bad_values_are_shown_and_nothing_is_written(su_client: Client, maker: Maker) -> None:
    content = b"Gadget name,Price,Made by\nLamp,12.555,m1\nFan,3,m9\n"
    job = uploaded_job(
        su_client, content=content, name="gadgets.csv", importer="testapp.Gadget", model=""
    )
    assert job.status == ImportJob.Status.INVALID
    page = html(su_client.get(job_url(job)))
    assert "<code>12.555</code>" in page
    assert "More than 2 decimal places: rounding it is refused." in page
    assert "m9" in page  # a maker code that matches nothing
    su_client.post(job_url(job, "confirm"))
    assert not Gadget.objects.exists()


def test_the_add_permission_is_needed(make_user: MakeUser, client: Client) -> None:
    client.force_login(make_user("viewer", "testapp.view_gadget"))
    response = upload_file(
        client, content=GADGETS, name="gadgets.csv", importer="testapp.Gadget", model=""
    )
    assert response.status_code == 403
    client.force_login(make_user("adder", "testapp.add_gadget"))
    response = upload_file(
        client, content=GADGETS, name="gadgets.csv", importer="testapp.Gadget", model=""
    )
    assert response.status_code == 302
