"""Fixing the data in the preview through the test client: a cell, a row excluded, a replace in a
column, undo, the confirm refused until the whole file is checked again, permissions."""

import csv
import io
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from shop.models import Product

from tests.admin.conftest import MakeUser
from tests.admin.helpers import CATALOGUE_PERMS, html, job_url, uploaded_job
from winiadmin.models import ImportEdit, ImportJob

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}

CSV = (
    "sku,name,price,quantity,category,store,available_from\n"
    "SKU-1,Lamp,10.00,1,Books,Online,2026-01-01\n"
    'SKU-2,Shovel,"12,50 EUR",2,Books,Online,2026-01-02\n'
    "SKU-3,,3.00,3,Books,Online,2026-01-03\n"
    'SKU-4,Chair,"12,50 EUR",4,,Online,2026-01-04\n'
    "SKU-5,Table,5.00,not a number,Books,Online,2026-01-05\n"
    "SKU-6,Bench,6.00,6,Books,Online,2026-01-06\n"
)


@pytest.fixture
def job(su_client: Client) -> ImportJob:
    job = uploaded_job(su_client, content=CSV.encode(), name="catalogue.csv")
    assert job.status == ImportJob.Status.INVALID
    return job


def _problems(job: ImportJob) -> set[tuple[int | None, str | None]]:
    job.refresh_from_db()
    return {(p.row, p.column) for p in job.import_report.problems if p.is_error}


def test_a_cell_edit_checks_its_row_at_once_and_updates_the_page(
    su_client: Client, job: ImportJob
) -> None:
    assert (4, "name") in _problems(job)
    before = job.import_report.error_count
    response = su_client.post(
        job_url(job, "edit_cell"), {"row": 4, "column": "name", "value": "Mug"}, headers=HTMX
    )
    assert response.status_code == 200
    page = html(response)
    assert "Row 4 checked again: no problem left." in page
    assert "Check the whole file again" in page
    assert (4, "name") not in _problems(job)
    assert job.import_report.error_count == before - 1
    assert job.edits_pending
    edit = ImportEdit.objects.get(job=job)
    assert (edit.kind, edit.row, edit.column, edit.old, edit.new) == (
        "cell",
        4,
        "name",
        None,
        "Mug",
    )
    assert LogEntry.objects.filter(object_id=str(job.pk), change_message__contains="Mug").exists()


def test_a_bad_new_value_is_a_problem_of_its_row(su_client: Client, job: ImportJob) -> None:
    su_client.post(
        job_url(job, "edit_cell"), {"row": 6, "column": "quantity", "value": "x2"}, headers=HTMX
    )
    job.refresh_from_db()
    assert [p.value for p in job.import_report.problems if p.row == 6] == ["x2"]


def test_the_confirm_waits_for_the_whole_check_then_runs_the_edits(
    su_client: Client, job: ImportJob
) -> None:
    for row, column, value in [(4, "name", "Mug"), (6, "quantity", "6")]:
        su_client.post(job_url(job, "edit_cell"), {"row": row, "column": column, "value": value})
    su_client.post(job_url(job, "edit_exclude"), {"row": 5})
    # Replace every "12,50 EUR" in price (row 3; row 5 is excluded).
    count = su_client.get(
        job_url(job, "edit_replace_count"), {"column": "price", "old": "12,50 EUR", "new": "12.50"}
    )
    assert "1 cell will change." in html(count)  # row 5 is excluded: not counted
    job.refresh_from_db()
    assert job.edits_pending
    refused = su_client.post(job_url(job, "confirm"), follow=True)
    assert "check it again before importing" in html(refused)
    assert Product.objects.count() == 0

    su_client.post(
        job_url(job, "edit_replace"), {"column": "price", "old": "12,50 EUR", "new": "12.50"}
    )
    job.refresh_from_db()
    assert not job.edits_pending
    assert job.status == ImportJob.Status.VALIDATED, job.import_report.problems
    su_client.post(job_url(job, "confirm"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert dict(Product.objects.values_list("sku", "name")) == {
        "SKU-1": "Lamp",
        "SKU-2": "Shovel",
        "SKU-3": "Mug",
        "SKU-5": "Table",
        "SKU-6": "Bench",
    }
    assert str(Product.objects.get(sku="SKU-2").price) == "12.50"
    assert Product.objects.get(sku="SKU-5").quantity == 6


def test_undo_takes_back_the_last_edit(su_client: Client, job: ImportJob) -> None:
    su_client.post(job_url(job, "edit_cell"), {"row": 4, "column": "name", "value": "Mug"})
    assert (4, "name") not in _problems(job)
    su_client.post(job_url(job, "edit_undo"), headers=HTMX)
    assert (4, "name") in _problems(job)
    assert not ImportEdit.objects.filter(job=job).exists()


def test_a_cell_can_be_made_empty(su_client: Client, job: ImportJob) -> None:
    su_client.post(job_url(job, "edit_cell"), {"row": 6, "column": "quantity", "empty": "on"})
    assert (6, "quantity") not in _problems(job)  # an empty quantity is filled with 0
    assert ImportEdit.objects.get(job=job).new is None


def test_replace_fills_the_empty_cells_of_a_column(su_client: Client, job: ImportJob) -> None:
    count = su_client.get(
        job_url(job, "edit_replace_count"), {"column": "category", "new": "Books"}
    )
    assert "1 cell will change." in html(count)


def test_values_are_escaped(su_client: Client, job: ImportJob) -> None:
    response = su_client.post(
        job_url(job, "edit_cell"),
        {"row": 4, "column": "name", "value": "<script>x</script>"},
        headers=HTMX,
    )
    assert "<script>x</script>" not in html(response)
    assert "&lt;script&gt;x&lt;/script&gt;" in html(response)


def test_only_who_may_run_the_job_may_edit_it(
    client: Client, job: ImportJob, make_user: MakeUser
) -> None:
    other: User = make_user("other", *CATALOGUE_PERMS)
    client.force_login(other)
    response = client.post(job_url(job, "edit_cell"), {"row": 4, "column": "name", "value": "X"})
    assert response.status_code == 403
    assert not ImportEdit.objects.exists()


def test_edits_need_the_csrf_token(superuser: User, job: ImportJob) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    response = client.post(job_url(job, "edit_cell"), {"row": 4, "column": "name", "value": "X"})
    assert response.status_code == 403
    assert not ImportEdit.objects.exists()


def test_the_upload_is_never_modified(su_client: Client, job: ImportJob, tmp_path: Path) -> None:
    before = job.file.open("rb").read()
    su_client.post(job_url(job, "edit_cell"), {"row": 4, "column": "name", "value": "Mug"})
    job.refresh_from_db()
    assert job.file.open("rb").read() == before


def test_an_edited_key_is_looked_for_in_the_rest_of_the_file(
    su_client: Client, job: ImportJob
) -> None:
    su_client.post(job_url(job, "edit_cell"), {"row": 7, "column": "sku", "value": "SKU-1"})
    job.refresh_from_db()
    [problem] = [p for p in job.import_report.problems if p.kind == "duplicate_key"]
    assert (problem.row, problem.column, problem.value) == (7, "sku", "SKU-1")
    assert problem.message == "Row 2 of the file has the same sku (SKU-1)."


def test_an_edited_key_is_checked_against_the_database(su_client: Client, job: ImportJob) -> None:
    Product.objects.create(sku="SKU-9", name="Stored", price=1)
    su_client.post(job_url(job, "edit_cell"), {"row": 2, "column": "sku", "value": "SKU-9"})
    job.refresh_from_db()
    # The catalogue upserts by SKU: the row now updates the stored product.
    [model] = [m for m in job.import_report.models if m.label == "shop.Product"]
    assert model.updated == 1


def test_a_job_being_checked_cannot_be_edited(su_client: Client, job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATING)
    response = su_client.post(
        job_url(job, "edit_cell"), {"row": 4, "column": "name", "value": "Mug"}, follow=True
    )
    assert "cannot be edited now" in html(response)
    assert not ImportEdit.objects.exists()


def test_a_problem_links_to_its_row_in_the_table(su_client: Client, job: ImportJob) -> None:
    page = html(su_client.get(job_url(job)))
    assert f'href="{job_url(job, "rows")}?problems=1&amp;row=4"' in page
    rows = html(su_client.get(job_url(job, "rows"), {"problems": "1", "row": "4"}))
    shown = "winiadmin-has-problem error winiadmin-left-out winiadmin-shown-row"
    assert f'id="winiadmin-row-4" class="{shown}"' in rows


def test_a_problem_one_row_cannot_see_stays_until_its_cell_is_edited(su_client: Client) -> None:
    ragged = CSV + "SKU-7,Bowl,7.00,7,Books,Online,2026-01-07,extra\n"
    job = uploaded_job(su_client, content=ragged.encode(), name="catalogue.csv")
    [read] = [p for p in job.import_report.problems if p.row == 8]
    su_client.post(job_url(job, "edit_cell"), {"row": 8, "column": "name", "value": "Cup"})
    job.refresh_from_db()
    assert [p for p in job.import_report.problems if p.row == 8] == [read]
    su_client.post(job_url(job, "edit_exclude"), {"row": 8})
    job.refresh_from_db()
    assert not [p for p in job.import_report.problems if p.row == 8]


def test_an_edit_of_a_cell_the_file_does_not_have_is_refused(
    su_client: Client, job: ImportJob
) -> None:
    for name, data, message in [
        ("edit_cell", {"row": 4, "column": "colour", "value": "red"}, "no column “colour”"),
        ("edit_cell", {"row": 99, "column": "name", "value": "Mug"}, "Row 99 has no such cell."),
        ("edit_exclude", {"row": 99}, "The file has no row 99."),
        ("edit_replace", {"column": "colour", "old": "a", "new": "b"}, "no column “colour”"),
    ]:
        response = su_client.post(job_url(job, name), data, headers=HTMX)
        assert response.status_code == 200
        assert message in html(response)
    assert not ImportEdit.objects.exists()


def test_the_job_page_lists_the_edits_after_the_run(su_client: Client, job: ImportJob) -> None:
    su_client.post(job_url(job, "edit_cell"), {"row": 4, "column": "name", "value": "<i>Mug</i>"})
    su_client.post(job_url(job, "edit_cell"), {"row": 6, "column": "quantity", "value": "6"})
    su_client.post(job_url(job, "edit_exclude"), {"row": 5})
    su_client.post(
        job_url(job, "edit_replace"), {"column": "price", "old": "12,50 EUR", "new": "12.50"}
    )
    su_client.post(job_url(job, "confirm"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    change = reverse("admin:winiadmin_importjob_change", args=[job.pk])
    page = html(su_client.get(change, follow=True))
    assert "Edits to the data" in page
    assert "Undo the last edit" not in page  # a record now, not a preview
    table = page[page.index('class="winiadmin-edit-list"') :]
    for text in ["Cell edited", "Row excluded", "Replaced in column", "not a number", "12.50"]:
        assert text in table
    assert "&lt;i&gt;Mug&lt;/i&gt;" in table
    assert "<i>Mug</i>" not in page
    assert table.count("<td>root</td>") == 4  # who made each edit
    first = ImportEdit.objects.filter(job=job).earliest("id")
    assert date_format(localtime(first.created_at), "SHORT_DATETIME_FORMAT") in table  # when


def test_the_downloads_show_the_rows_as_edited(su_client: Client, job: ImportJob) -> None:
    """Row 5 keeps an error (no category) after its name is edited: both files give the new name."""
    su_client.post(job_url(job, "edit_cell"), {"row": 5, "column": "name", "value": "Stool"})
    su_client.post(job_url(job, "edit_exclude"), {"row": 6})
    su_client.post(job_url(job, "edit_check"))
    job.refresh_from_db()
    assert not job.edits_pending
    problems = su_client.get(job_url(job, "problems_csv")).content.decode()
    rejected = su_client.get(
        reverse("admin:winiadmin_importjob_rejected", args=[job.pk, "csv"])
    ).content.decode()
    for content in (problems, rejected):
        assert "Stool" in content
        assert "Chair" not in content
        assert "SKU-5" not in content  # row 6 is excluded: neither a problem nor rejected
    rows = list(csv.DictReader(io.StringIO(rejected)))
    assert [(r["sku"], r["name"]) for r in rows] == [
        ("SKU-2", "Shovel"),
        ("SKU-3", ""),
        ("SKU-4", "Stool"),
    ]
