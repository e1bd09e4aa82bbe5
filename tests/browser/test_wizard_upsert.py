"""Upsert in a real browser: the base catalogue, then a file that changes three prices."""

from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect
from shop.models import Product

from tests.browser.conftest import Wizard
from tests.browser.test_wizard import table_rows
from winiadmin.models import ImportJob


def test_update_file_shows_changes_then_updates(
    wizard: Wizard, page: Page, samples: Path, screenshot_dir: Path
) -> None:
    wizard.upload(samples / "catalogue.csv")
    wizard.confirm()
    expect(page.locator(".winiadmin-result")).to_contain_text("Imported")
    assert Product.objects.count() == 40

    wizard.upload(samples / "catalogue_update.csv")
    plan = table_rows(page, ".winiadmin-plan")
    assert ["Products shop.Product", "2", "3", "7"] in plan
    changes = table_rows(page, "#winiadmin-changes")
    assert changes == [
        ["3", "Products", "SKU-0002", "price 8.13 → 9.49"],
        ["6", "Products", "SKU-0005", "price 95.52 → 24.00"],
        ["10", "Products", "SKU-0009", "price 58.26 → 5.25"],
    ]
    expect(page.locator("#winiadmin-changes del").first).to_have_text("8.13")
    expect(page.locator("#winiadmin-changes ins").first).to_have_text("9.49")
    page.locator("#winiadmin-changes").screenshot(path=screenshot_dir / "wizard-upsert-changes.png")
    assert Product.objects.get(sku="SKU-0002").price == Decimal("8.13")  # the dry run wrote nothing

    wizard.confirm()
    result = page.locator(".winiadmin-result")
    expect(result).to_contain_text("Imported")
    assert ["Products", "2", "3", "7"] in table_rows(page, ".winiadmin-result")
    assert ImportJob.objects.latest("pk").status == ImportJob.Status.SUCCEEDED
    prices = dict(
        Product.objects.filter(sku__in=["SKU-0002", "SKU-0005", "SKU-0009"]).values_list(
            "sku", "price"
        )
    )
    assert prices == {
        "SKU-0002": Decimal("9.49"),
        "SKU-0005": Decimal("24.00"),
        "SKU-0009": Decimal("5.25"),
    }
    assert Product.objects.count() == 42
