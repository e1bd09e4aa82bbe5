"""Undo in a real browser: import → result → Undo → preview → confirm → the rows are gone."""

import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect
from shop.models import Category, Product, Store

from tests.browser.conftest import JOB_URL, Wizard
from tests.browser.test_wizard import table_rows
from winiadmin.models import ImportJob

UNDO_URL = re.compile(r"/admin/winiadmin/importjob/[0-9a-f-]{36}/undo/$")


def test_undo_from_the_result_page(
    wizard: Wizard, page: Page, samples: Path, screenshot_dir: Path
) -> None:
    older = Product.objects.create(sku="OLD-1", name="Older", price=Decimal(1))
    wizard.upload(samples / "catalogue.csv")
    wizard.confirm()
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported")
    assert (Product.objects.count(), Category.objects.count(), Store.objects.count()) == (41, 6, 4)

    page.get_by_role("link", name="Undo this import").click()
    page.wait_for_url(UNDO_URL)
    expect(page.locator("h1")).to_have_text("Undo the import of catalogue.csv")
    plan = table_rows(page, ".winiadmin-undo-plan")
    assert [row[:3] for row in plan] == [
        ["Products", "40", "0"],
        ["Stores", "4", "0"],
        ["Categories", "6", "0"],
    ]
    assert plan[0][3].startswith("Golden Puzzle, Red Shovel, Blue Lamp, Red Lamp")  # file order
    page.screenshot(path=screenshot_dir / "undo-1-preview.png")
    assert Product.objects.count() == 41  # the preview deleted nothing

    with page.expect_navigation():
        page.get_by_role("button", name="Yes, undo this import").click()
    assert JOB_URL.search(page.url)
    expect(page.locator(".messagelist")).to_contain_text("The import was undone: 50 rows deleted.")
    expect(page.locator(".winiadmin-undone")).to_contain_text("Undone on")
    expect(page.get_by_role("link", name="Undo this import")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "undo-2-done.png")
    assert list(Product.objects.all()) == [older]
    assert not Category.objects.exists() and not Store.objects.exists()
    assert ImportJob.objects.get().undone_at is not None


def test_undo_refused_in_the_browser(wizard: Wizard, page: Page, samples: Path) -> None:
    wizard.upload(samples / "catalogue.csv")
    wizard.confirm()
    Product.objects.filter(sku="SKU-0001").update(name="Renamed by hand")

    page.get_by_role("link", name="Undo this import").click()
    page.wait_for_url(UNDO_URL)
    expect(page.locator(".winiadmin-undo-blockers")).to_contain_text(
        "Products this import created were changed since"
    )
    expect(page.get_by_role("button", name="Yes, undo this import")).to_have_count(0)
    assert Product.objects.count() == 40


def test_undo_from_the_history_action(wizard: Wizard, page: Page, samples: Path) -> None:
    wizard.upload(samples / "catalogue.csv")
    wizard.confirm()
    page.goto(wizard.url("/admin/winiadmin/importjob/"))
    page.locator("#result_list input.action-select").first.check()
    page.select_option("select[name=action]", "undo_import")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url(UNDO_URL)
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, undo this import").click()
    expect(page.locator(".messagelist")).to_contain_text("The import was undone")
    assert not Product.objects.exists()
