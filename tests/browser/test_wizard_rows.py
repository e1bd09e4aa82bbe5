"""In a real browser: rows with the same key are rejected, every row of the file is accounted
for on the preview and the result, and an importer whose code raises fails plainly."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from shop.models import Product

from tests.browser.conftest import JOB_URL, Wizard
from tests.browser.test_wizard import table_rows
from tests.reliability.importers import BrokenObjectsImporter
from tests.testapp.models import CorpusItem
from winiadmin.importers import register
from winiadmin.importers.registry import unregister
from winiadmin.models import ImportJob

MIXED = (
    "sku,name,price,quantity,category,store,available_from\n"
    "A-1,Lamp,1.00,1,Books,Online,\n"
    "B-2,Desk,lots,1,Books,Online,\n"
    "C-3,Chair,3.00,1,Toys,Paris,\n"
    "A-1,Lamp,1.00,1,Books,Online,\n"
    "D-4,Stool,4.00,1,Books,Online,\n"
    "D-4,Stool,5.00,1,Books,Online,\n"
    "E-5,Shelf,6.00,1,Books,Online,\n"
)


@pytest.fixture
def broken_importer() -> Iterator[None]:
    register(BrokenObjectsImporter)
    yield
    unregister(BrokenObjectsImporter)


def test_rows_of_the_file_on_the_preview_and_the_result(
    wizard: Wizard, page: Page, tmp_path: Path, screenshot_dir: Path
) -> None:
    path = tmp_path / "products.csv"
    path.write_text(MIXED, encoding="utf-8")
    wizard.upload(path)
    accounting = page.locator("#winiadmin-row-accounting")
    expect(accounting).to_be_visible()
    # Read, To import, Skipped, Rejected
    assert table_rows(page, "#winiadmin-row-accounting") == [["7", "3", "1", "3"]]
    expect(accounting).to_contain_text("Of the skipped rows, 1 was dropped by the cleaning rules")
    expect(page.get_by_text("Rows 6 and 7 have the same sku 'D-4' but different price.").first)
    accounting.screenshot(path=screenshot_dir / "wizard-rows-preview.png")

    page.locator("#id_skip_invalid").check()
    wizard.confirm()
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported")
    assert table_rows(page, "#winiadmin-row-accounting") == [["7", "3", "4", "0"]]
    page.locator("#winiadmin-row-accounting").screenshot(
        path=screenshot_dir / "wizard-rows-result.png"
    )
    assert set(Product.objects.values_list("sku", flat=True)) == {"A-1", "C-3", "E-5"}


@pytest.mark.usefixtures("broken_importer")
def test_an_importer_whose_code_raises_fails_plainly(
    wizard: Wizard, page: Page, tmp_path: Path, screenshot_dir: Path
) -> None:
    path = tmp_path / "items.csv"
    path.write_text("code,name,quantity,price,day\nA,one,1,2.5,\n", encoding="utf-8")
    page.goto(wizard.url("/admin/winiadmin/importjob/start/tests.broken_objects/"))
    wizard.submit_file(path)
    page.wait_for_url(JOB_URL)
    message = (
        "The importer 'tests.broken_objects' failed with an error in its code: KeyError: "
        "'prices'. Nothing was written. The details are in the server log."
    )
    expect(page.locator(".errornote").first).to_have_text(message)
    assert "Traceback" not in page.content()
    page.screenshot(path=screenshot_dir / "wizard-importer-failed.png")
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED
    assert not CorpusItem.objects.exists()
