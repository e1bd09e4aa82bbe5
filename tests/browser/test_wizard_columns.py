"""The column mapping step in a real browser: odd headers, one select fixed by hand, the preview,
the import; the next file with the same headers finds the choice preselected."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from shop.models import Product

from tests.browser.conftest import JOB_URL, Wizard
from winiadmin.models import ImportJob, SavedColumnMapping

COLUMNS_URL = re.compile(r"/admin/winiadmin/importjob/[0-9a-f-]{36}/columns/$")


def test_odd_headers_fixed_by_hand_then_imported(
    wizard: Wizard, page: Page, samples: Path, screenshot_dir: Path
) -> None:
    wizard.open_upload()
    wizard.submit_file(samples / "catalogue_odd_headers.csv")
    page.wait_for_url(COLUMNS_URL)
    expect(page.locator("h2", has_text="Match the columns of the file")).to_be_visible()
    table = page.locator(".winiadmin-mapping")
    prix = table.locator("tr", has_text="Prix")
    expect(prix.locator("select")).to_have_value("price")
    expect(prix).to_contain_text("a declared alias")
    expect(prix).to_contain_text("66.67, 8.13")
    typo = table.locator("tr", has_text="Availble From")
    expect(typo.locator("select")).to_have_value("available_from")
    expect(typo).to_contain_text("close spelling")
    shop = page.get_by_label("Shop", exact=True)
    expect(shop).to_have_value("")  # no guess: "Shop" is not like "store"
    page.screenshot(path=screenshot_dir / "wizard-columns.png", full_page=True)

    # Submitting without the store column is refused on the page.
    page.get_by_role("button", name="Apply and check").click()
    expect(page.locator(".errorlist")).to_contain_text("Choose a file column for: store.")

    page.get_by_label("Shop", exact=True).select_option("store")
    page.get_by_role("button", name="Apply and check").click()
    page.wait_for_url(JOB_URL)
    expect(page.locator(".winiadmin-summary")).to_contain_text("Read 10 rows")
    expect(page.locator(".winiadmin-summary")).to_contain_text("0 errors")
    expect(page.locator(".winiadmin-column-mapping")).to_contain_text("“Shop” → store")
    expect(page.locator("#winiadmin-rows .winiadmin-quiet")).to_have_text(
        "Rows 1\N{EN DASH}10 of 10"
    )
    expect(page.locator("#winiadmin-rows")).to_contain_text("Berlin Mitte")
    assert Product.objects.count() == 0

    wizard.confirm()
    expect(page.locator(".winiadmin-result")).to_contain_text("Imported")
    assert Product.objects.count() == 10
    lamp = Product.objects.select_related("store", "category").get(sku="SKU-0003")
    assert (lamp.store.name if lamp.store else None) == "Hamburg Hafen"
    assert ImportJob.objects.get().column_mapping is not None

    # The next file with the same headers: the remembered choice decides every column, so it
    # is applied without asking; the preview says so and links to change it.
    wizard.open_upload()
    wizard.submit_file(samples / "catalogue_odd_headers.csv")
    page.wait_for_url(JOB_URL)
    mapping = page.locator(".winiadmin-column-mapping")
    expect(mapping).to_contain_text("Columns matched with the mapping you chose on")
    expect(mapping.locator("li")).to_contain_text(["Column \u201cShop\u201d \u2192 store"])
    expect(mapping).to_contain_text("Column \u201cNotes\u201d is ignored")
    expect(page.get_by_role("button", name="Confirm and import")).to_be_visible()
    page.screenshot(path=screenshot_dir / "wizard-columns-remembered.png")
    page.get_by_role("link", name="Change column mapping").click()
    page.wait_for_url(COLUMNS_URL)
    expect(page.locator(".winiadmin-remembered")).to_contain_text(
        "Preselected with the mapping you chose on"
    )
    expect(page.get_by_label("Shop", exact=True)).to_have_value("store")
    assert SavedColumnMapping.objects.count() == 1
