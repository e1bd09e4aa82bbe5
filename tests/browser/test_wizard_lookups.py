"""Values not found (natural keys) in a real browser: the preview section, then "create missing"."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from shop.models import Category, Product, Store

from tests.browser.conftest import JOB_URL, Wizard
from winiadmin.models import ImportJob


def test_preview_lists_unknown_categories_and_confirm_creates_them(
    wizard: Wizard, page: Page, samples: Path, screenshot_dir: Path
) -> None:
    for name in ("Berlin Mitte", "Online", "Hamburg Hafen", "Paris Opéra"):
        Store.objects.create(name=name)
    for name in ("Books", "Kitchen"):
        Category.objects.create(name=name)
    # The categories' Import button offers both importers that create categories.
    wizard.changelist("category")
    page.click(".winiadmin-import-link")
    page.get_by_role(
        "link", name=re.compile("Products \\(categories and stores by name\\)")
    ).click()
    page.wait_for_url(re.compile(r"/importjob/start/shop\.products/"))
    wizard.submit_file(samples / "products_unknown_keys.csv")
    page.wait_for_url(JOB_URL)

    section = page.locator("#winiadmin-unmatched")
    expect(section.locator("h3")).to_have_text(["2 categories not found (by name)"])
    rows = section.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Toyz")
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("2, 4, 6")
    expect(rows.nth(0).locator("td").nth(2)).to_have_text("3")
    expect(rows.nth(1)).to_contain_text("Garden")
    create = page.get_by_label("Create the 2 missing categories")
    expect(create).not_to_be_checked()
    page.screenshot(path=screenshot_dir / "wizard-unmatched-keys.png", full_page=True)
    assert Product.objects.count() == 0 and Category.objects.count() == 2

    create.check()
    wizard.confirm()
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported")
    expect(page.locator("#winiadmin-unmatched h3")).to_have_text(["2 categories created (by name)"])
    assert ImportJob.objects.get().status == ImportJob.Status.SUCCEEDED
    assert sorted(Category.objects.values_list("name", flat=True)) == [
        "Books",
        "Garden",
        "Kitchen",
        "Toyz",
    ]
    assert Product.objects.filter(category__name="Toyz").count() == 3
