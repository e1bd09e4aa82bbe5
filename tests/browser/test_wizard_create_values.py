"""Values not found, handled one by one in a real browser: one unknown category created, one
mapped to an existing category, one left (its rows skipped); a choice taken back on the way;
the database holds exactly what was chosen."""

import shutil
from pathlib import Path

from playwright.sync_api import Page, expect
from shop.models import Category, Product, Store

from tests.browser.conftest import JOB_URL, Wizard
from winiadmin.models import ImportJob

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
ROWS = """sku,name,price,quantity,category,store,available_from
SKU-9001,Wooden Train,19.90,4,Toyz,Online,2026-03-01
SKU-9002,Garden Hose,24.50,10,Garden,Online,2026-03-02
SKU-9003,Paper Kite,7.25,30,Toyz,Online,2026-03-03
SKU-9004,Cookbook,15.00,8,Books,Online,2026-03-04
SKU-9005,Tent,99.00,2,Outdoorz,Online,2026-03-05
"""


def _row(page: Page, value: str):  # type: ignore[no-untyped-def]
    return page.locator("#winiadmin-unmatched tr.winiadmin-unmatched-value", has_text=value)


def test_create_one_value_map_another_leave_a_third_and_confirm(
    wizard: Wizard, page: Page, tmp_path: Path, screenshot_dir: Path
) -> None:
    Store.objects.create(name="Online")
    for name in ("Books", "Toys"):
        Category.objects.create(name=name)
    sample = tmp_path / "three_unknown.csv"
    sample.write_text(ROWS, encoding="utf-8")
    page.goto(wizard.url("/admin/winiadmin/importjob/start/shop.products/?model=shop.Product"))
    wizard.submit_file(sample)
    page.wait_for_url(JOB_URL)
    expect(page.locator("#winiadmin-unmatched tr.winiadmin-unmatched-value")).to_have_count(3)

    # Garden: created (a choice of this job), shown as "will be created".
    with page.expect_navigation():
        _row(page, "Garden").get_by_role("button", name="Create the category").click()
    expect(page.locator(".messagelist")).to_contain_text("“Garden” will be created")
    expect(page.locator("#winiadmin-unmatched")).to_contain_text("1 category will be created")
    # Outdoorz: created, then taken back — an error again.
    with page.expect_navigation():
        _row(page, "Outdoorz").get_by_role("button", name="Create the category").click()
    with page.expect_navigation():
        _row(page, "Outdoorz").get_by_role("button", name="Do not create").click()
    expect(_row(page, "Outdoorz").get_by_role("button", name="Create the category")).to_be_visible()

    # Toyz: mapped to Toys through the search.
    toyz = _row(page, "Toyz")
    toyz.locator("input.winiadmin-map-search").fill("toy")
    toyz.locator("select.winiadmin-map-choice").select_option(label="Toys")
    with page.expect_navigation():
        toyz.get_by_role("button", name="Map and check again").click()
    expect(_row(page, "Garden")).to_contain_text("will be created")
    expect(_row(page, "Outdoorz").get_by_role("button", name="Create the category")).to_be_visible()
    expect(_row(page, "Toyz")).to_have_count(0)
    page.locator("#winiadmin-unmatched").screenshot(path=screenshot_dir / "wizard-create-value.png")
    shutil.copy(screenshot_dir / "wizard-create-value.png", DOCS_IMG / "wizard-create-value.png")

    # Outdoorz left: its row skipped.
    page.locator("#id_skip_invalid").check()
    wizard.confirm()
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.create_values == {"shop.Product.category": ["Garden"]}
    assert dict(Product.objects.values_list("sku", "category__name")) == {
        "SKU-9001": "Toys", "SKU-9002": "Garden", "SKU-9003": "Toys", "SKU-9004": "Books",
    }  # fmt: skip
    assert sorted(Category.objects.values_list("name", flat=True)) == ["Books", "Garden", "Toys"]
