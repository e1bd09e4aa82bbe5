"""Rejected rows from the wizard: the links, the downloads, who may have them, and the round
trip: a file with mistakes → dry run → rejected rows → fixed → imported as it is."""

import csv
import io
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl
import pytest
from django.test import Client
from django.urls import reverse
from shop.models import Product

from tests.admin.conftest import MakeJob, MakeUser
from tests.admin.helpers import CATALOGUE_PERMS, html, job_url, uploaded_job
from winiadmin.models import ImportJob
from winiadmin.spreadsheets import Sheet, xlsx_bytes

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_ROWS = [3, 5, 8, 10, 12]
#: What the mistakes in catalogue_with_mistakes.csv should have been, by SKU.
FIXES = {
    "SKU-0002": {"price": "12.50"},
    "SKU-0004": {"name": "Quiet Lamp"},
    "SKU-0007": {"available_from": "2026-02-28"},
    "SKU-0009": {"quantity": "5"},
    "SKU-0011": {"price": "20"},
}


def rejected_url(job: ImportJob, fmt: str) -> str:
    return reverse("admin:winiadmin_importjob_rejected", args=[job.pk, fmt])


def fixed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row | FIXES[str(row["sku"])] for row in rows]


def test_preview_links_the_rejected_rows(su_client: Client, samples: Path) -> None:
    job = uploaded_job(su_client, samples / "catalogue_with_mistakes.csv")
    page = html(su_client.get(job_url(job)))
    assert "5 rows were rejected." in page
    assert f'href="{rejected_url(job, "csv")}"' in page
    assert f'href="{rejected_url(job, "xlsx")}"' in page


def test_no_link_without_rejected_rows(su_client: Client, samples: Path) -> None:
    job = uploaded_job(su_client, samples / "catalogue.csv")
    page = html(su_client.get(job_url(job)))
    assert "rows were rejected" not in page
    assert rejected_url(job, "csv") not in page


def test_csv_download_round_trip(su_client: Client, samples: Path) -> None:
    job = uploaded_job(su_client, samples / "catalogue_with_mistakes.csv")
    response = su_client.get(rejected_url(job, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="rejected-{job.pk}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["reason"].split(":")[0] for r in rows] == [f"row {n}" for n in ERROR_ROWS]
    assert rows[0]["price"] == "12,50 EUR"  # as typed
    assert rows[0]["reason"] == "row 3: price '12,50 EUR': Not a number."
    # The script is text, and stays as typed (it is escaped where the admin shows it).
    assert rows[4]["price"] == "<script>alert(1)</script>"

    # Fix the values, keep everything else (the reason column too), upload that file.
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(fixed(list(rows)))
    again = uploaded_job(su_client, content=out.getvalue().encode(), name="fixed.csv")
    assert again.status == ImportJob.Status.VALIDATED, again.report
    # Nothing about the reason column: it is ignored without a warning.
    assert [p["column"] for p in again.report["problems"]] == ["notes"]
    su_client.post(job_url(again, "confirm"))
    assert sorted(str(s) for s in Product.objects.values_list("sku", flat=True)) == sorted(FIXES)
    assert Product.objects.get(sku="SKU-0002").price == pytest.approx(12.5)


def test_xlsx_download_round_trip(su_client: Client, samples: Path) -> None:
    job = uploaded_job(su_client, samples / "catalogue_with_mistakes.csv")
    response = su_client.get(rejected_url(job, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = fastexcel.read_excel(response.content).load_sheet(0, dtypes="string").to_polars()
    assert sheet.height == 5 and sheet.columns[0] == "reason"
    rows = fixed(sheet.rows(named=True))
    content = xlsx_bytes([Sheet("Rejected rows", sheet.columns, [list(r.values()) for r in rows])])
    again = uploaded_job(su_client, content=content, name="fixed.xlsx")
    assert again.status == ImportJob.Status.VALIDATED, again.report
    su_client.post(job_url(again, "confirm"))
    assert Product.objects.count() == 5


def test_result_of_a_skip_invalid_run_links_the_skipped_rows(
    su_client: Client, samples: Path
) -> None:
    job = uploaded_job(su_client, samples / "catalogue_with_mistakes.csv")
    su_client.post(job_url(job, "confirm"), {"skip_invalid": "on"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    page = html(su_client.get(job_url(job)))
    assert "5 rows were rejected." in page
    skipped = pl.read_csv(su_client.get(rejected_url(job, "csv")).content, infer_schema=False)
    assert skipped.get_column("sku").to_list() == sorted(FIXES)
    assert not Product.objects.filter(sku__in=FIXES).exists()


def test_unknown_format_is_not_found(su_client: Client, make_job: MakeJob, samples: Path) -> None:
    job = make_job(samples / "catalogue_with_mistakes.csv")
    assert su_client.get(rejected_url(job, "pdf")).status_code == 404


def test_only_who_may_see_the_job_gets_its_rejected_rows(
    client: Client, make_user: MakeUser, make_job: MakeJob, samples: Path
) -> None:
    alice = make_user("alice", *CATALOGUE_PERMS)
    job = make_job(samples / "catalogue_with_mistakes.csv", user=alice)
    client.force_login(make_user("bob", *CATALOGUE_PERMS))
    assert client.get(rejected_url(job, "csv")).status_code == 403
    client.force_login(make_user("auditor", *CATALOGUE_PERMS, "winiadmin.view_all_importjobs"))
    assert client.get(rejected_url(job, "xlsx")).status_code == 200
    client.force_login(alice)
    assert client.get(rejected_url(job, "csv")).status_code == 200
