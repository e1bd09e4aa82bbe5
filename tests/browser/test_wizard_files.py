"""Files the wizard hands out, in a real browser: import templates, rejected rows; the sheet picker.

Downloads are saved by Chromium and read back; what they hold is imported again through the
wizard where that is the point.
"""

import csv
import io
from pathlib import Path

import xlsxwriter
from playwright.sync_api import Download, Page, expect
from shop.models import Product

from tests.browser.conftest import Wizard
from winiadmin.models import ImportJob

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


def test_rejected_rows_download_fix_and_upload_again(
    wizard: Wizard, page: Page, samples: Path, tmp_path: Path
) -> None:
    wizard.upload(samples / "catalogue_with_mistakes.csv")
    links = page.locator(".winiadmin-rejected-links")
    expect(links).to_contain_text("5 rows were rejected.")
    with page.expect_download() as excel:
        links.get_by_role("link", name="Excel").click()
    assert excel.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as csv_file:
        links.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(saved(csv_file.value).decode())))
    assert [r["sku"] for r in rows] == ["SKU-0002", "SKU-0004", "SKU-0007", "SKU-0009", "SKU-0011"]
    assert rows[0]["reason"] == "row 3: price '12,50 EUR': Not a number."

    # Fix the five rows and upload the file as it is (the reason column included).
    fixes = [
        {"price": "12.50"},
        {"name": "Quiet Lamp"},
        {"available_from": "2026-02-28"},
        {"quantity": "5"},
        {"price": "20"},
    ]
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(row | fix for row, fix in zip(rows, fixes, strict=True))
    wizard.upload(fixed)
    expect(page.locator(".winiadmin-summary")).to_contain_text("0 errors")
    expect(page.locator(".winiadmin-rejected-links")).to_have_count(0)
    wizard.confirm()
    expect(page.locator(".winiadmin-result")).to_contain_text("Imported")
    assert Product.objects.count() == 5


def test_sheet_picker_and_header_row(wizard: Wizard, page: Page, tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "spring.xlsx"))
    book.add_worksheet("Read me").write(0, 0, "The products are on the next sheet.")
    products = book.add_worksheet("Products")
    products.write(0, 0, "Spring catalogue")
    products.write_row(2, 0, HEADER)
    products.write_row(3, 0, ["P-1", "Kite", 15, 2, "Toys", "Online", "2026-03-01"])
    book.close()

    wizard.upload(tmp_path / "spring.xlsx")
    picker = page.locator("#winiadmin-read-again")
    expect(picker).to_contain_text("Column names read from row 1 (detected) of sheet “Read me”.")
    expect(page.locator(".winiadmin-summary .errornote")).to_be_visible()

    # A wrong header row first: the page says why, and the picker stays.
    picker.locator("select[name=sheet]").select_option("Products")
    picker.locator("input[name=header_row]").fill("9")
    with page.expect_navigation():
        picker.get_by_role("button", name="Read again and check").click()
    expect(page.locator(".winiadmin-summary")).to_contain_text(
        "Header row 9 is outside the table, which has rows up to 4."
    )
    picker = page.locator("#winiadmin-read-again")
    expect(picker.locator("select[name=sheet]")).to_have_value("Products")

    # Empty: detected again, below the title.
    picker.locator("input[name=header_row]").fill("")
    with page.expect_navigation():
        picker.get_by_role("button", name="Read again and check").click()
    expect(page.locator("#winiadmin-read-again")).to_contain_text(
        "Column names read from row 3 (detected) of sheet “Products”."
    )
    expect(page.locator(".winiadmin-summary")).to_contain_text("0 errors")
    wizard.confirm()
    expect(page.locator(".winiadmin-result")).to_contain_text("Imported")
    assert list(Product.objects.values_list("sku", flat=True)) == ["P-1"]


def test_the_encoding_is_named_and_can_be_chosen_again(
    wizard: Wizard, page: Page, tmp_path: Path, screenshot_dir: Path
) -> None:
    """A file without any UTF-8: the preview says how it was read, and a person can override."""
    path = tmp_path / "latin.csv"
    lines = [",".join(HEADER), "L-1,Crème brûlée,4.5,1,Desserts,Online,2026-03-01"]
    path.write_bytes("\n".join(lines).encode("cp1252") + b"\n")
    wizard.upload(path)
    picker = page.locator("#winiadmin-read-again")
    expect(picker).to_contain_text("Read as Windows-1252 (no UTF-8 found).")
    expect(page.locator("body")).to_contain_text("Crème brûlée")
    page.screenshot(path=str(screenshot_dir / "wizard-encoding-detected.png"), full_page=True)

    picker.locator("select[name=encoding]").select_option("latin-1")
    with page.expect_navigation():
        picker.get_by_role("button", name="Read again and check").click()
    picker = page.locator("#winiadmin-read-again")
    expect(picker).to_contain_text("Read as Latin-1 (ISO-8859-1) (chosen).")
    expect(picker.locator("select[name=encoding]")).to_have_value("latin-1")
    wizard.confirm()
    expect(page.locator(".winiadmin-result")).to_contain_text("Imported")
    assert list(Product.objects.values_list("name", flat=True)) == ["Crème brûlée"]


def test_the_file_input_says_what_it_takes_and_a_wrong_type_is_refused_at_once(
    wizard: Wizard, page: Page, tmp_path: Path, screenshot_dir: Path
) -> None:
    wizard.open_upload()
    accept = page.locator("#id_file").get_attribute("accept") or ""
    assert {".csv", ".tsv", ".xlsx", ".xls", ".ods", ".json", ".ndjson", ".parquet"} <= set(
        accept.split(",")
    )
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    wizard.submit_file(pdf)
    # The form again, in place: one message at the file field; no job, no check, no sections.
    errors = page.locator("#winiadmin-upload .errorlist")
    expect(errors).to_have_count(1)
    expect(errors).to_contain_text("it looks like a PDF document")
    expect(page.locator("#winiadmin-upload")).to_be_visible()
    expect(page.locator(".winiadmin-plan")).to_have_count(0)
    assert "/importjob/start/" in page.url
    assert not ImportJob.objects.exists()
    page.screenshot(path=screenshot_dir / "wizard-2-upload-refused.png")
