"""The wizard's preview of a workbook with a sheet per model, and choices it does not offer."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.admin.conftest import MakeJob
from tests.admin.helpers import html, job_url
from tests.pipeline.test_many_to_many import ArticleFrames, csv
from tests.pipeline.test_workbook import CUSTOMERS, LINES, ORDERS, OrdersWorkbook, workbook
from tests.testapp.models import Tag
from winiadmin.importers import register
from winiadmin.importers.registry import unregister
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db


class Orders(OrdersWorkbook):
    name = "tests.orders_workbook"


class Articles(ArticleFrames):
    name = "tests.articles_preview"


@pytest.fixture
def registered() -> Iterator[None]:
    register(Orders)
    register(Articles)
    yield
    unregister(Orders)
    unregister(Articles)


@pytest.mark.usefixtures("registered")
def test_each_sheet_has_its_preview(su_client: Client, make_job: MakeJob, tmp_path: Path) -> None:
    lines = [*LINES, ["O-9", "A-1", 1, 1.5]]  # no order O-9 in the workbook; no products at all
    path = workbook(
        tmp_path / "orders.xlsx", {"Customers": CUSTOMERS, "Orders": ORDERS, "Order lines": lines}
    )
    job = make_job(path, importer="tests.orders_workbook", target_model="shop.Customer")
    assert job.status == ImportJob.Status.INVALID
    page = html(su_client.get(job_url(job)))
    assert "<h2>Sheets</h2>" in page
    for name in ("<h3>Customers</h3>", "<h3>Orders</h3>", "<h3>Order lines</h3>"):
        assert name in page
    assert "<td>ada@example.com</td>" in page
    assert "Sheet Order lines, Row 5, column order" in page
    assert 'name="skip_invalid"' not in page  # all or nothing for a workbook


@pytest.mark.usefixtures("registered")
def test_unknown_many_to_many_values_offer_to_create_not_to_skip(
    su_client: Client, make_job: MakeJob
) -> None:
    Tag.objects.create(name="red")
    job = make_job(
        content=csv("A1,First,red|pink"),
        importer="tests.articles_preview",
        target_model="testapp.Article",
    )
    assert job.status == ImportJob.Status.INVALID
    assert job.only_missing_keys and not job.only_row_errors
    page = html(su_client.get(job_url(job)))
    assert 'name="create_missing"' in page
    assert 'name="skip_invalid"' not in page


@pytest.mark.usefixtures("registered")
def test_the_upload_page_of_a_workbook_importer(su_client: Client) -> None:
    url = reverse("admin:winiadmin_importjob_start", args=["tests.orders_workbook"])
    response = su_client.get(url)
    assert response.status_code == 200
