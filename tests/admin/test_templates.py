"""Import templates from the wizard: the links, the downloads, and who may have them."""

import csv
import io

import fastexcel
import pytest
from django.test import Client
from django.urls import reverse

from tests.admin.conftest import MakeUser
from tests.admin.helpers import html, start_url, template_url, uploaded_job
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

HEADER = ["sku", "name", "price", "quantity", "category", "store", "available_from"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_chooser_and_the_upload_page_link_both_templates(su_client: Client) -> None:
    for page in (reverse("admin:winiadmin_importjob_importers"), start_url()):
        content = html(su_client.get(page))
        for fmt in ("csv", "xlsx"):
            assert f'href="{template_url("shop.catalogue", fmt)}"' in content, (page, fmt)
    chooser = html(su_client.get(reverse("admin:winiadmin_importjob_importers")))
    assert f'href="{template_url("shop.orders", "csv")}"' in chooser


def test_csv_template_download(su_client: Client) -> None:
    response = su_client.get(template_url("shop.catalogue", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == ('attachment; filename="shop.catalogue-template.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    example = ["SKU-0001", "Golden Puzzle", "66.67", "6", "Books", "Berlin Mitte", "2026-06-19"]
    assert rows == [HEADER, example]  # the demo importer's example_row


def test_xlsx_template_download(su_client: Client) -> None:
    response = su_client.get(template_url("shop.catalogue", "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].endswith('filename="shop.catalogue-template.xlsx"')
    reader = fastexcel.read_excel(response.content)
    assert reader.sheet_names == ["Data", "Help"]
    data = reader.load_sheet("Data", dtypes="string").to_polars()
    assert data.columns == HEADER and data.height == 1


def test_a_downloaded_template_filled_in_imports(su_client: Client) -> None:
    template = su_client.get(template_url("shop.catalogue", "csv")).content.decode()
    header = next(csv.reader(io.StringIO(template)))
    filled = ",".join(header) + "\nB-7,Desk,99.90,1,Furniture,Online,2024-03-01\n"
    job = uploaded_job(su_client, content=filled.encode(), name="filled.csv")
    assert job.status == ImportJob.Status.VALIDATED
    assert job.dry_run_counts == {"shop.Category": 1, "shop.Store": 1, "shop.Product": 1}


def test_unknown_format_or_importer_is_not_found(su_client: Client) -> None:
    assert su_client.get(template_url("shop.catalogue", "pdf")).status_code == 404
    assert su_client.get(template_url("shop.nothing", "csv")).status_code == 404


def test_templates_need_the_importers_permissions(client: Client, make_user: MakeUser) -> None:
    client.force_login(
        make_user("orders", "shop.add_customer", "shop.add_order", "shop.add_orderline")
    )
    assert client.get(template_url("shop.orders", "csv")).status_code == 200
    assert client.get(template_url("shop.catalogue", "csv")).status_code == 403
    assert client.get(template_url("shop.catalogue", "xlsx")).status_code == 403
