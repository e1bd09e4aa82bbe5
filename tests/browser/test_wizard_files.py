"""Files the wizard hands out, in a real browser: import templates, rejected rows; the sheet picker.

Downloads are saved by Chromium and read back; what they hold is imported again through the
wizard where that is the point.
"""

import csv
import io
from pathlib import Path

from playwright.sync_api import Download, Page, expect
from shop.models import Product

from tests.browser.conftest import Wizard

HEADER = ["sku", "name", "price", "quantity", "category", "store", "available_from"]


def saved(download: Download) -> bytes:
    path = download.path()
    assert path is not None
    return Path(path).read_bytes()


def test_template_links_on_the_upload_page_download_files_that_import(
    wizard: Wizard, page: Page, tmp_path: Path
) -> None:
    wizard.open_upload()
    links = page.locator(".winiadmin-template-links")
    expect(links).to_contain_text("Empty template")
    with page.expect_download() as excel:
        links.get_by_role("link", name="Excel (with a Help sheet)").click()
    assert excel.value.suggested_filename == "shop.catalogue-template.xlsx"
    assert saved(excel.value).startswith(b"PK")  # a zip: an .xlsx
    with page.expect_download() as csv_file:
        links.get_by_role("link", name="CSV").click()
    assert csv_file.value.suggested_filename == "shop.catalogue-template.csv"
    rows = list(csv.reader(io.StringIO(saved(csv_file.value).decode())))
    assert rows[0] == HEADER

    # Fill it in and upload it: the example row replaced by a real one.
    filled = tmp_path / "filled.csv"
    filled.write_text(",".join(HEADER) + "\nT-1,Teapot,19.90,4,Kitchen,Online,2024-05-01\n")
    wizard.submit_file(filled)
    expect(page.locator(".winiadmin-summary")).to_contain_text("0 errors")
    wizard.confirm()
    expect(page.locator(".winiadmin-result")).to_contain_text("Imported")
    assert list(Product.objects.values_list("sku", "quantity")) == [("T-1", 4)]
