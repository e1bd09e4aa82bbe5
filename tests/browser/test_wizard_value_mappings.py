"""Values not found mapped to existing rows in a real browser: an unknown category mapped in the
preview through the search, the import confirmed with exactly the chosen categories, the next
upload of the same file mapped by itself (shown as applied), the saved mapping reviewed and
deleted in the admin."""

import re
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect
from shop.models import Category, Product, Store

from tests.browser.conftest import JOB_URL, Wizard
from winiadmin.models import ImportJob, ValueMapping

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
SAMPLE = "products_unknown_keys.csv"


def _upload(wizard: Wizard, page: Page, samples: Path) -> None:
    page.goto(wizard.url("/admin/winiadmin/importjob/start/shop.products/?model=shop.Product"))
    wizard.submit_file(samples / SAMPLE)
    page.wait_for_url(JOB_URL)
    expect(page.locator(".winiadmin-plan")).to_be_visible()


def _map(page: Page, value: str, search: str, choice: str) -> None:
    row = page.locator("#winiadmin-unmatched tr.winiadmin-unmatched-value", has_text=value)
    row.locator("input.winiadmin-map-search").fill(search)
    select = row.locator("select.winiadmin-map-choice")
    expect(select.locator("option", has_text=choice)).to_have_count(1)
    select.select_option(label=choice)


def _shot(page: Page, locator: str, name: str, screenshot_dir: Path) -> None:
    page.locator(locator).screenshot(path=screenshot_dir / name)
    shutil.copy(screenshot_dir / name, DOCS_IMG / name)


def test_map_unknown_categories_confirm_and_the_next_upload_is_mapped_by_itself(
    wizard: Wizard, page: Page, samples: Path, screenshot_dir: Path
) -> None:
    for name in ("Berlin Mitte", "Online", "Hamburg Hafen", "Paris Opéra"):
        Store.objects.create(name=name)
    for name in ("Books", "Kitchen", "Toys", "Toy <b>box</b>"):
        Category.objects.create(name=name)
    _upload(wizard, page, samples)

    # Toyz: searched, the categories found listed (escaped), Toys chosen.
    _map(page, "Toyz", "toy", "Toys")
    row = page.locator("tr.winiadmin-unmatched-value", has_text="Toyz")
    expect(row.locator("option", has_text="Toy <b>box</b>")).to_have_count(1)
    _shot(page, "#winiadmin-unmatched", "wizard-map-value.png", screenshot_dir)
    with page.expect_navigation():
        row.get_by_role("button", name="Map and check again").click()
    mapped = page.locator("#winiadmin-mapped")
    expect(mapped.locator("tbody tr")).to_have_text(
        [re.compile(r"Toyz\s*→ Toys\s*3\s*saved mapping")]
    )
    expect(page.locator("#winiadmin-unmatched tr.winiadmin-unmatched-value")).to_have_count(1)

    # Garden → Kitchen: nothing left unmatched; the import may be confirmed.
    _map(page, "Garden", "kit", "Kitchen")
    with page.expect_navigation():
        page.get_by_role("button", name="Map and check again").click()
    expect(page.locator("#winiadmin-unmatched")).to_have_count(0)
    expect(page.locator("#winiadmin-mapped tbody tr")).to_have_count(2)
    wizard.confirm()
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported")
    assert dict(Product.objects.values_list("sku", "category__name")) == {
        "SKU-9001": "Toys", "SKU-9002": "Kitchen", "SKU-9003": "Toys",
        "SKU-9004": "Books", "SKU-9005": "Toys", "SKU-9006": "Kitchen",
    }  # fmt: skip
    assert sorted(Category.objects.values_list("name", flat=True)) == [
        "Books", "Kitchen", "Toy <b>box</b>", "Toys",
    ]  # fmt: skip

    # The same file again: both values mapped by the saved mappings, shown as applied.
    Product.objects.all().delete()
    _upload(wizard, page, samples)
    expect(page.locator("#winiadmin-unmatched")).to_have_count(0)
    mapped = page.locator("#winiadmin-mapped")
    expect(mapped.locator("tbody tr")).to_have_text([
        re.compile(r"Toyz\s*→ Toys\s*3\s*saved mapping"),
        re.compile(r"Garden\s*→ Kitchen\s*1\s*saved mapping"),
    ])  # fmt: skip
    expect(page.locator(".winiadmin-plan")).to_contain_text("Confirm and import")
    _shot(page, "#winiadmin-mapped", "wizard-value-mapped.png", screenshot_dir)
    second = ImportJob.objects.order_by("-created_at").first()
    assert second is not None and second.status == ImportJob.Status.VALIDATED

    # The review page: the importer's saved mappings; one deleted.
    with page.expect_navigation():
        mapped.get_by_role("link", name="saved mapping").first.click()
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(2)
    page.screenshot(path=screenshot_dir / "admin-value-mappings.png")
    shutil.copy(screenshot_dir / "admin-value-mappings.png", DOCS_IMG / "admin-value-mappings.png")
    results.filter(has_text="Garden").locator("input.action-select").check()
    page.select_option("select[name=action]", "delete_selected")
    page.get_by_role("button", name="Run").click()
    page.get_by_role("button", name=re.compile("Yes")).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    assert list(ValueMapping.objects.values_list("value", flat=True)) == ["Toyz"]
