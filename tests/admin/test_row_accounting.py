"""The wizard's preview and result show every row of the file accounted for, and rows with the
same key but different values are rejected rows (in the rejected-rows file)."""

from pathlib import Path

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse
from shop.models import Product

from tests.admin.helpers import html, job_url, upload_file
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

FILE = (
    b"sku,name,price,quantity,category,store,available_from\n"
    b"A-1,Lamp,1.00,1,Books,Online,\n"
    b"B-2,Desk,lots,1,Books,Online,\n"
    b"C-3,Chair,3.00,1,Toys,Paris,\n"
    b"A-1,Lamp,1.00,1,Books,Online,\n"
    b"D-4,Stool,4.00,1,Books,Online,\n"
    b"D-4,Stool,5.00,1,Books,Online,\n"
    b"E-5,Shelf,6.00,1,Books,Online,\n"
)


def accounting_cells(page: str) -> list[str]:
    """The numbers of the row-accounting table, in its column order."""
    section = page.split('id="winiadmin-row-accounting"', 1)[1].split("</table>", 1)[0]
    body = section.split("<tbody>", 1)[1]
    return [cell.split("</td>", 1)[0] for cell in body.split('class="winiadmin-count">')[1:]]


def test_preview_result_and_rejected_rows_of_a_file_with_errors_and_duplicates(
    su_client: Client,
) -> None:
    response = upload_file(su_client, content=FILE, name="products.csv")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    page = html(su_client.get(job_url(job)))
    # read, to import, skipped, rejected (shop.catalogue upserts, but this file updates nothing)
    assert accounting_cells(page) == ["7", "3", "1", "3"]
    assert "Rows 6 and 7 have the same sku &#x27;D-4&#x27; but different price." in page
    assert "Of the skipped rows, 1 was dropped by the cleaning rules" in page
    # Both rows of D-4 are in the rejected-rows file, with their reason.
    url = reverse("admin:winiadmin_importjob_rejected", args=[job.pk, "csv"])
    rejected = pl.read_csv(su_client.get(url).content, infer_schema=False)
    assert rejected.get_column("sku").to_list() == ["B-2", "D-4", "D-4"]
    assert "have the same sku 'D-4'" in rejected.get_column("reason")[1]

    done = su_client.post(job_url(job, "confirm"), {"skip_invalid": "on"}, follow=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert accounting_cells(html(done)) == ["7", "3", "4", "0"]
    assert job.report["rows"] == {
        "read": 7, "imported": 3, "updated": 0, "unchanged": 0, "skipped": 4, "rejected": 0,
        "dropped": 1,
    }  # fmt: skip
    assert set(Product.objects.values_list("sku", flat=True)) == {"A-1", "C-3", "E-5"}


def test_an_upsert_shows_updated_and_unchanged_rows(su_client: Client, samples: Path) -> None:
    assert upload_file(su_client, samples / "catalogue.csv").status_code == 302
    first = ImportJob.objects.get()
    su_client.post(job_url(first, "confirm"))
    response = upload_file(su_client, samples / "catalogue.csv")
    job = ImportJob.objects.exclude(pk=first.pk).get()
    page = html(su_client.get(response["Location"]))
    assert "Unchanged" in page
    # read, to import, to update, unchanged, skipped, rejected
    assert accounting_cells(page) == ["40", "0", "0", "40", "0", "0"]
    assert job.report["rows"]["unchanged"] == 40
