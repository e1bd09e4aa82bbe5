"""A workbook with a sheet per model in a real browser: upload, a preview per sheet, confirm,
the rows of every sheet in the database (references across sheets resolved)."""

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import Page, expect
from shop.models import Customer, Order

from tests.browser.conftest import JOB_URL, Wizard
from tests.pipeline.test_workbook import CUSTOMERS, ORDERS, cleaning, workbook
from winiadmin.importers import Importer, Sheet, register
from winiadmin.importers.registry import unregister


class CustomersAndOrders(Importer):
    name = "tests.browser_workbook"
    models = (Customer, Order)
    sheets = (
        Sheet(
            "Orders",
            Order,
            cleaning({"order_id": pl.Utf8, "customer": pl.Utf8, "amount": pl.Float64}),
            ref="order_id",
            references=("customer",),
        ),
        Sheet("Customers", Customer, cleaning({"email": pl.Utf8, "name": pl.Utf8}), ref="email"),
    )


@pytest.fixture
def registered() -> Iterator[None]:
    register(CustomersAndOrders)
    yield
    unregister(CustomersAndOrders)


@pytest.mark.usefixtures("registered")
def test_a_workbook_previewed_sheet_by_sheet_then_imported(
    wizard: Wizard, page: Page, tmp_path: Path, screenshot_dir: Path
) -> None:
    path = workbook(tmp_path / "orders.xlsx", {"Customers": CUSTOMERS, "Orders": ORDERS})
    page.goto(wizard.url("/admin/winiadmin/importjob/start/tests.browser_workbook/"))
    expect(page.locator("#winiadmin-upload")).to_be_visible()
    wizard.submit_file(path)
    page.wait_for_url(JOB_URL)
    expect(page.locator(".winiadmin-plan")).to_be_visible()
    sheets = page.locator(".winiadmin-sheet-previews")
    expect(sheets.locator("h3")).to_have_text(["Orders", "Customers"])
    expect(sheets).to_contain_text("ada@example.com")
    expect(sheets).to_contain_text("O-2")
    page.screenshot(path=screenshot_dir / "wizard-workbook-preview.png", full_page=True)
    assert not Customer.objects.exists()  # the dry run wrote nothing
    expect(page.locator("#id_skip_invalid")).to_have_count(0)  # all or nothing

    wizard.confirm()
    expect(page.locator(".winiadmin-result")).to_contain_text("Imported")
    assert re.search(r"/job/$", page.url)
    orders = {o.order_id: (o.customer.email, o.amount) for o in Order.objects.all()}
    assert orders == {
        "O-1": ("ada@example.com", Decimal("4.00")),
        "O-2": ("bob@example.com", Decimal("1.50")),
    }
    assert Customer.objects.count() == 2
