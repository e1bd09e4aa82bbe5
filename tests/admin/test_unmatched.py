"""The preview's "values not found" section and the confirm form's "create the missing" choice."""

from pathlib import Path

import pytest
from django.test import Client
from shop.models import Category, Product, Store

from tests.admin.helpers import html, job_url, uploaded_job
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

SAMPLE = "products_unknown_keys.csv"


def _upload(client: Client, samples: Path) -> ImportJob:
    return uploaded_job(client, samples / SAMPLE, importer="shop.products")


@pytest.mark.usefixtures("known")
def test_preview_lists_unknown_values_and_offers_to_create_them(
    su_client: Client, samples: Path
) -> None:
    Store.objects.create(name="Paris Opéra")
    job = _upload(su_client, samples)
    assert job.status == ImportJob.Status.INVALID
    assert job.only_missing_keys
    page = html(su_client.get(job_url(job)))
    assert 'id="winiadmin-unmatched"' in page
    assert "2 categories not found (by name)" in page
    assert '<td>Toyz</td><td>2, 4, 6</td><td class="winiadmin-count">3</td>' in page
    assert "<td>Garden</td><td>3</td>" in page
    assert 'name="create_missing"' in page and "Create the 2 missing categories" in page

    response = su_client.post(job_url(job, "confirm"), {"create_missing": "on"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.create_missing
    assert job.created_counts == {"shop.Category": 2, "shop.Product": 6}
    assert Category.objects.filter(name__in=["Toyz", "Garden"]).count() == 2
    result = html(su_client.get(job_url(job)))
    assert "2 categories created (by name)" in result


@pytest.mark.usefixtures("known")
def test_values_that_may_not_be_created_stop_the_import_unless_skipped(
    su_client: Client, samples: Path
) -> None:
    job = _upload(su_client, samples)
    assert not job.only_missing_keys  # 'Paris Opéra' is a store: never created
    page = html(su_client.get(job_url(job)))
    assert "1 store not found (by name)" in page
    assert "These stores must exist before the import" in page
    assert 'name="create_missing"' not in page
    # Asking to create anyway is refused; nothing is written.
    su_client.post(job_url(job, "confirm"), {"create_missing": "on"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert Product.objects.count() == 0 and Category.objects.count() == 2
    # Skipping the rows imports the one row whose values are all known.
    su_client.post(job_url(job, "confirm"), {"skip_invalid": "on"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert list(Product.objects.values_list("sku", flat=True)) == ["SKU-9006"]
    assert job.report["rows_skipped"] == 5


@pytest.mark.usefixtures("known")
def test_the_report_keeps_values_counts_and_rows(su_client: Client, samples: Path) -> None:
    job = _upload(su_client, samples)
    by_field = {u["field"]: u for u in job.report["unmatched"]}
    assert by_field["category"]["values"] == [
        {"value": "Toyz", "count": 3, "rows": [2, 4, 6]},
        {"value": "Garden", "count": 1, "rows": [3]},
    ]
    assert by_field["category"]["can_create"] and not by_field["store"]["can_create"]
    assert by_field["store"]["values"] == [{"value": "Paris Opéra", "count": 1, "rows": [5]}]


def test_references_to_rows_the_import_left_out_are_listed_as_not_in_this_import(
    su_client: Client, samples: Path
) -> None:
    from shop.models import Customer, Order

    for sku in ("SKU-0001", "SKU-0002", "SKU-0007", "SKU-0013", "SKU-0018", "SKU-0029", "SKU-0040"):
        Product.objects.create(sku=sku, name=sku, price=1)
    customer = Customer.objects.create(name="Ada", email="ada@example.com")
    Order.objects.create(order_id="WEB-1001", customer=customer, amount=1)
    job = uploaded_job(su_client, samples / "order_lines.csv", importer="shop.order_lines")
    assert job.status == ImportJob.Status.INVALID
    assert not job.only_missing_keys  # identifiers of the import are never created
    page = html(su_client.get(job_url(job)))
    assert "Values not found in this import" in page
    assert "1 order not found in this import (by order_id)" in page
    assert "These orders are not among the rows this import loads" in page
