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
    expect(page.locator(".winiadmin-result h2")).to_have_text("Undone")
    assert list(Product.objects.all()) == [older]
    assert not Category.objects.exists() and not Store.objects.exists()
    assert ImportJob.objects.get().undone_at is not None

    # The history says so too, and its columns fit a 1280 px screen without scrolling sideways,
    # long names included.
    ImportJob.objects.create(
        original_name="catalogue_with_mistakes_exported_from_the_shop_2026-12-05.csv",
        importer="shop.catalogue",
        status=ImportJob.Status.FAILED,
        worker="a-rather-long-host-name.internal.example.com:1234567",
    )
    page.goto(wizard.url("/admin/winiadmin/importjob/"))
    history = table_rows(page, "#result_list")
    undone = next(row for row in history if row[1].startswith("catalogue.csv"))
    assert undone[1].split() == ["catalogue.csv", "shop.catalogue"]
    assert undone[2].split()[0] == "Undone"  # then the worker (here: the web process)
    fits = page.evaluate(
        "() => [document.documentElement.scrollWidth <= document.documentElement.clientWidth,"
        " document.querySelector('#changelist .results').scrollWidth"
        " <= document.querySelector('#changelist .results').clientWidth]"
    )
    page.screenshot(path=screenshot_dir / "undo-3-history.png")
    assert fits == [True, True]


def test_undo_refused_in_the_browser(wizard: Wizard, page: Page, samples: Path) -> None:
    wizard.upload(samples / "catalogue.csv")
    wizard.confirm()
    Product.objects.filter(sku="SKU-0001").update(name="Renamed by hand")

    page.get_by_role("link", name="Undo this import").click()
    page.wait_for_url(UNDO_URL)
    blockers = page.locator(".winiadmin-undo-blockers")
    expect(blockers).to_contain_text("Products this import created were changed since")
    # Changed outside the admin: how many cannot be told, and the page says so.
    expect(blockers).to_contain_text("At least one of its 40 rows changed")
    expect(page.get_by_role("button", name="Yes, undo this import")).to_have_count(0)
    assert Product.objects.count() == 40

    # Changed in the admin: its history names the row.
    page.goto(wizard.url(f"/admin/shop/product/{Product.objects.get(sku='SKU-0002').pk}/change/"))
    page.fill("#id_name", "Renamed in the admin")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto(wizard.url(f"/admin/winiadmin/importjob/{ImportJob.objects.get().pk}/undo/"))
    expect(blockers).to_contain_text("1 of the 40 is known to have changed")
    expect(blockers).to_contain_text("for example Renamed in the admin")


def test_the_blocked_undo_counts_what_the_reason_says(
    wizard: Wizard, page: Page, samples: Path, screenshot_dir: Path
) -> None:
    wizard.upload(samples / "catalogue.csv")
    wizard.confirm()
    online = Store.objects.get(name="Online")
    for n in range(3):  # added later, in a store the import created: they would go with it
        Product.objects.create(sku=f"LATER-{n}", name=f"Later {n}", price=Decimal(1), store=online)
    page.get_by_role("link", name="Undo this import").click()
    page.wait_for_url(UNDO_URL)
    expect(page.locator(".winiadmin-undo-blockers")).to_contain_text(
        "3 products not created by this import point at stores it created (field “store”) and "
        "would be deleted with them."
    )
    plan = table_rows(page, ".winiadmin-undo-plan")
    assert [row[:3] for row in plan] == [
        ["Products", "40", "3"],
        ["Stores", "4", "0"],
        ["Categories", "6", "0"],
    ]
    page.screenshot(path=screenshot_dir / "undo-blocked.png", full_page=True)
    assert Product.objects.count() == 43


def test_an_update_only_import_offers_no_undo(
    wizard: Wizard, page: Page, samples: Path, tmp_path: Path
) -> None:
    wizard.upload(samples / "catalogue.csv")
    wizard.confirm()
    lines = (samples / "catalogue.csv").read_text().splitlines()
    prices = tmp_path / "prices.csv"  # the first three products at another price: updates only
    prices.write_text("\n".join([lines[0], *(line.replace(",6", ",7", 1) for line in lines[1:4])]))
    wizard.upload(prices)
    wizard.confirm()
    result = page.locator(".winiadmin-result")
    expect(result.locator("h2")).to_have_text("Imported")
    expect(result).to_contain_text("This import only updated existing rows and created none")
    expect(page.get_by_role("link", name="Undo this import")).to_have_count(0)

    # The history's action says the same instead of opening a page that refuses.
    page.goto(wizard.url("/admin/winiadmin/importjob/"))
    page.locator("#result_list input.action-select").first.check()
    page.select_option("select[name=action]", "undo_import")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("there is nothing to undo")
    assert "/undo/" not in page.url


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
