"""Workbooks in the wizard: the sheet picker and the header row, detected or chosen."""

from pathlib import Path

import pytest
import xlsxwriter
from django.test import Client
from shop.models import Product

from tests.admin.conftest import MakeUser
from tests.admin.helpers import CATALOGUE_PERMS, html, job_url, uploaded_job
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

HEADER = ["sku", "name", "price", "quantity", "category", "store", "available_from"]


def workbook(path: Path) -> bytes:
    """Sheet "Read me" first (no table); sheet "Products": a title, then the table at row 3."""
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Read me").write(0, 0, "The products are on the next sheet.")
    products = book.add_worksheet("Products")
    products.write(0, 0, "Spring catalogue")
    products.write_row(2, 0, HEADER)
    products.write_row(3, 0, ["P-1", "Kite", 15, 2, "Toys", "Online", "2026-03-01"])
    products.write_row(4, 0, ["P-2", "Ball", 5, 9, "Toys", "Online", "2026-03-01"])
    book.close()
    return path.read_bytes()


def read_again(client: Client, job: ImportJob, **data: str) -> ImportJob:
    response = client.post(job_url(job, "read_again"), data)
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    job.refresh_from_db()
    return job


def test_pick_the_sheet_then_import(su_client: Client, tmp_path: Path) -> None:
    job = uploaded_job(su_client, content=workbook(tmp_path / "b.xlsx"), name="b.xlsx")
    assert job.status == ImportJob.Status.INVALID  # the first sheet has no such columns
    page = html(su_client.get(job_url(job)))
    assert 'id="winiadmin-read-again"' in page
    assert '<option value="Read me" selected>Read me</option>' in page
    assert '<option value="Products">Products</option>' in page

    job = read_again(su_client, job, sheet="Products", header_row="")
    assert job.status == ImportJob.Status.VALIDATED, job.report
    assert job.read_options == {"sheet": "Products"}
    assert job.report["header_row"] == 3
    page = html(su_client.get(job_url(job)))
    assert "Column names read from row 3 (detected) of sheet “Products”." in page
    assert "(Excel workbook, sheet “Products”, column names found in row 3)" in page
    su_client.post(job_url(job, "confirm"))
    assert sorted(str(s) for s in Product.objects.values_list("sku", flat=True)) == ["P-1", "P-2"]


def test_choose_the_header_row(su_client: Client, tmp_path: Path) -> None:
    content = workbook(tmp_path / "b.xlsx")
    job = uploaded_job(su_client, content=content, name="b.xlsx", sheet="2", header_row="4")
    assert job.read_options == {"sheet": 1, "header_row": 4}
    assert job.status == ImportJob.Status.INVALID  # row 4 holds data, not the names
    assert "Column names read from row 4 (chosen)" in html(su_client.get(job_url(job)))
    # An empty header row goes back to detecting it.
    job = read_again(su_client, job, sheet="Products", header_row="")
    assert (job.status, job.report["header_row"]) == (ImportJob.Status.VALIDATED, 3)


def test_a_header_row_outside_the_sheet_says_so(su_client: Client, tmp_path: Path) -> None:
    job = uploaded_job(su_client, content=workbook(tmp_path / "b.xlsx"), name="b.xlsx")
    job = read_again(su_client, job, sheet="Products", header_row="99")
    assert job.status == ImportJob.Status.INVALID
    assert "Header row 99 is outside the table, which has rows up to 5." in job.error
    # The picker stays, with every sheet, to fix the choice.
    page = html(su_client.get(job_url(job)))
    assert 'id="winiadmin-read-again"' in page
    assert '<option value="Products" selected>Products</option>' in page


def test_invalid_choices_change_nothing(su_client: Client, tmp_path: Path) -> None:
    job = uploaded_job(su_client, content=workbook(tmp_path / "b.xlsx"), name="b.xlsx")
    response = su_client.post(
        job_url(job, "read_again"), {"sheet": "Nope", "header_row": "0"}, follow=True
    )
    assert "Select a valid choice." in html(response)
    job.refresh_from_db()
    assert job.read_options == {}
    assert su_client.get(job_url(job, "read_again")).status_code == 405


def test_a_csv_with_a_guessed_header_row_gets_only_the_header_row(
    su_client: Client, samples: Path
) -> None:
    titled = b"Price list,,,,,,\n,,,,,,\n" + (samples / "catalogue.csv").read_bytes()
    job = uploaded_job(su_client, content=titled, name="titled.csv")
    assert job.report["header_row"] == 3
    page = html(su_client.get(job_url(job)))
    picker = page.split('id="winiadmin-read-again"')[1].split("</form>")[0]
    assert 'name="header_row"' in picker and 'name="sheet"' not in picker
    assert "Column names read from row 3 (detected)." in page


def test_a_plain_csv_read_from_its_first_row_gets_no_picker(
    su_client: Client, samples: Path
) -> None:
    job = uploaded_job(su_client, samples / "catalogue.csv")
    assert job.report["header_row"] == 1
    assert 'id="winiadmin-read-again"' not in html(su_client.get(job_url(job)))


def test_a_csv_whose_columns_were_not_found_gets_the_picker(su_client: Client) -> None:
    content = b"Item,Cost,Count\nP-1,1.00,3\n"  # read from row 1, but nothing expected there
    job = uploaded_job(su_client, content=content, name="odd.csv")
    assert (job.status, job.report["header_row"]) == (ImportJob.Status.INVALID, 1)
    assert job.report["file_errors"]
    assert 'id="winiadmin-read-again"' in html(su_client.get(job_url(job)))


def test_json_gets_no_picker(su_client: Client) -> None:
    rows = b'[{"sku": "P-1", "name": "Lamp", "price": 1.5}]'
    job = uploaded_job(su_client, content=rows, name="rows.json")
    assert 'id="winiadmin-read-again"' not in html(su_client.get(job_url(job)))


def test_no_picker_once_the_job_ran(su_client: Client, samples: Path) -> None:
    job = uploaded_job(su_client, samples / "catalogue.csv")
    su_client.post(job_url(job, "confirm"))
    assert 'id="winiadmin-read-again"' not in html(su_client.get(job_url(job)))
    response = su_client.post(job_url(job, "read_again"), {"header_row": "2"}, follow=True)
    assert "has already succeeded, so it cannot be checked again." in html(response)


def test_only_the_jobs_owner_may_read_it_again(
    client: Client, make_user: MakeUser, tmp_path: Path
) -> None:
    alice = make_user("alice", *CATALOGUE_PERMS)
    client.force_login(alice)
    job = uploaded_job(client, content=workbook(tmp_path / "b.xlsx"), name="b.xlsx")
    client.force_login(make_user("bob", *CATALOGUE_PERMS))
    assert client.post(job_url(job, "read_again"), {"sheet": "Products"}).status_code == 403
    job.refresh_from_db()
    assert job.read_options == {}
