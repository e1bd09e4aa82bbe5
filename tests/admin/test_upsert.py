"""The wizard with an upserting importer (shop.catalogue matches products by SKU)."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from shop.importers import CatalogueImporter
from shop.models import Product

from tests.admin.helpers import html, job_url, uploaded_job
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db


def test_preview_counts_and_changes_then_result(su_client: Client, samples: Path) -> None:
    assert CatalogueImporter().run(samples / "catalogue.csv").committed
    Product.objects.filter(sku="SKU-0001").update(name="<b>Old & bold</b>")

    job = uploaded_job(su_client, samples / "catalogue_update.csv")
    assert job.status == ImportJob.Status.VALIDATED
    page = html(su_client.get(job_url(job)))
    assert "To update" in page and "Unchanged" in page
    product_row = page[page.index('winiadmin-quiet">shop.Product') :].split("</tr>")[0]
    assert [c.split("<")[0] for c in product_row.split('winiadmin-count">')[1:]] == ["2", "4", "6"]
    changes = page[page.index('id="winiadmin-changes"') :]
    assert "<del>8.13</del> → <ins>9.49</ins>" in changes
    assert "<del>&lt;b&gt;Old &amp; bold&lt;/b&gt;</del> → <ins>Golden Puzzle</ins>" in changes
    assert "<b>Old" not in page
    assert Product.objects.get(sku="SKU-0002").price == Decimal("8.13")  # only a dry run yet

    su_client.post(job_url(job, "confirm"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert Product.objects.get(sku="SKU-0002").price == Decimal("9.49")
    assert Product.objects.get(sku="SKU-0001").name == "Golden Puzzle"
    assert Product.objects.count() == 42
    result = html(su_client.get(job_url(job)))
    assert "Updated" in result
    table = result[result.index("winiadmin-result") :]
    row = table[table.index(">Products<") :].split("</tr>")[0]
    assert [c.split("<")[0] for c in row.split('winiadmin-count">')[1:]] == ["2", "4", "6"]


def test_an_insert_only_file_shows_no_update_columns(su_client: Client, samples: Path) -> None:
    job = uploaded_job(su_client, samples / "catalogue_update.csv")
    page = html(su_client.get(job_url(job)))
    assert "To update" not in page
    assert 'id="winiadmin-changes"' not in page
