import datetime as dt
import io
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from tests.readers.conftest import WriteFile
from winiadmin.exceptions import FileReadError
from winiadmin.readers import ReadOptions, read_table
from winiadmin.readers.excel import CFB_MAGIC, pick_sheet


def make_workbook(path: Path) -> Path:
    """Products: every kind of cell, blank rows between data rows. Stores: starts at B3."""
    workbook = xlsxwriter.Workbook(str(path))
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    clock = workbook.add_format({"num_format": "hh:mm"})
    products = workbook.add_worksheet("Products")
    products.write_row(0, 0, ["sku", "qty", "price", "day", "when", "ok", "code", "at"])
    products.write_row(1, 0, ["A1", 12, 12.5])
    products.write_datetime(1, 3, dt.date(2024, 1, 31), date)
    products.write_datetime(1, 4, dt.datetime(2024, 1, 31, 13, 45), stamp)
    products.write_boolean(1, 5, True)
    products.write_string(1, 6, "007")
    products.write_datetime(1, 7, dt.time(8, 30), clock)
    # Rows 3 and 4 are blank.
    products.write_row(4, 0, ["B2", 3.0, 1 / 3])
    products.write_boolean(4, 5, False)
    products.write_string(4, 6, "1.50")
    products.write_row(5, 0, ["C3", -7, 123456789.123, "not a date"])
    products.write_number(5, 4, 45000.5)
    products.write_formula(5, 5, "=1/0", None, "#DIV/0!")
    products.write_formula(5, 6, "=40+2", None, 42)
    stores = workbook.add_worksheet("Stores")
    stores.write_row(2, 1, ["store", "", "store", 2024])
    stores.write_row(3, 1, ["Berlin", "x", "Mitte", 1])
    workbook.add_worksheet("Empty")
    workbook.close()
    return path


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return make_workbook(tmp_path / "shop.xlsx")


def test_cells_come_out_as_the_text_a_person_types(workbook: Path) -> None:
    table = read_table(workbook)
    assert (table.format, table.sheet, table.sheets) == (
        "excel",
        "Products",
        ("Products", "Stores", "Empty"),
    )
    assert table.frame.columns == ["sku", "qty", "price", "day", "when", "ok", "code", "at"]
    assert all(dtype == pl.String for dtype in table.frame.dtypes)
    assert table.frame.rows() == [
        ("A1", "12", "12.5", "2024-01-31", "2024-01-31 13:45:00", "true", "007", "08:30:00"),
        ("B2", "3", "0.3333333333333333", None, None, "false", "1.50", None),
        ("C3", "-7", "123456789.123", "not a date", "45000.5", None, "42", None),
    ]


def test_row_numbers_are_the_worksheet_rows(workbook: Path) -> None:
    table = read_table(workbook)
    assert table.row_numbers.to_list() == [2, 5, 6]
    assert table.row_numbers.dtype == pl.Int64


def test_blank_rows_above_and_columns_before_the_table(workbook: Path) -> None:
    table = read_table(workbook, ReadOptions(sheet="Stores"))
    # The header is on row 3; its blank cell is column C, the 3rd of the worksheet.
    assert table.frame.columns == ["store", "column_3", "store_2", "2024"]
    assert table.frame.rows() == [("Berlin", "x", "Mitte", "1")]
    assert table.row_numbers.to_list() == [4]


@pytest.mark.parametrize(
    ("sheet", "expected"),
    [
        (1, "Stores"),
        ("Stores", "Stores"),
        (" stores", "Stores"),
        (0, "Products"),
        (None, "Products"),
    ],
)
def test_choose_the_sheet(workbook: Path, sheet: str | int | None, expected: str) -> None:
    assert read_table(workbook, ReadOptions(sheet=sheet)).sheet == expected


def test_unknown_sheet_name(workbook: Path) -> None:
    with pytest.raises(
        FileReadError, match=r"^Sheet 'Foo' not found; the workbook has: Products, Stores, Empty\.$"
    ):
        read_table(workbook, ReadOptions(sheet="Foo"))


def test_sheet_index_out_of_range(workbook: Path) -> None:
    with pytest.raises(
        FileReadError,
        match=r"^Sheet 3 not found \(sheets count from 0\); the workbook has: Products",
    ):
        read_table(workbook, ReadOptions(sheet=3))


def test_an_empty_sheet(workbook: Path) -> None:
    with pytest.raises(FileReadError, match=r"^The sheet 'Empty' is empty\.$"):
        read_table(workbook, ReadOptions(sheet="Empty"))


def test_a_workbook_without_sheets() -> None:
    with pytest.raises(FileReadError, match="no sheets"):
        pick_sheet(None, [])


def test_header_only_sheet(tmp_path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(tmp_path / "h.xlsx"))
    workbook.add_worksheet("S").write_row(0, 0, ["a", "b"])
    workbook.close()
    table = read_table(tmp_path / "h.xlsx")
    assert (table.frame.columns, table.frame.height, table.row_numbers.to_list()) == (
        ["a", "b"],
        0,
        [],
    )


def test_read_from_bytes_and_file_object(workbook: Path) -> None:
    data = workbook.read_bytes()
    assert read_table(data).frame.height == 3
    with workbook.open("rb") as handle:
        assert read_table(handle).sheet == "Products"


def test_encrypted_workbook(write_file: WriteFile) -> None:
    # What Office writes for a password-protected .xlsx: an OLE container, whose directory
    # (UTF-16 names) lists an "EncryptedPackage" stream.
    data = CFB_MAGIC + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(512)
    with pytest.raises(FileReadError, match=r"encrypted \(password protected\); save it without"):
        read_table(write_file("secret.xlsx", data))


def test_a_damaged_old_xls(write_file: WriteFile) -> None:
    with pytest.raises(FileReadError, match="could not be opened: it is damaged") as info:
        read_table(write_file("old.xls", CFB_MAGIC + bytes(1024)))
    assert info.value.__cause__ is not None


def test_a_damaged_xlsx(write_file: WriteFile, workbook: Path) -> None:
    data = workbook.read_bytes()
    with pytest.raises(FileReadError, match="could not be opened: it is damaged"):
        read_table(write_file("cut.xlsx", data[: len(data) // 2]))


def test_opendocument_spreadsheet(write_file: WriteFile) -> None:
    table = read_table(write_file("shop.ods", make_ods()))
    assert (table.format, table.sheet) == ("excel", "Data")
    assert table.frame.rows() == [("A1", "12"), ("2024-01-31", "0.5")]
    assert table.row_numbers.to_list() == [2, 3]


MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
    ' manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/"'
    ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def make_ods() -> bytes:
    """A minimal OpenDocument spreadsheet, as LibreOffice lays it out (mimetype first)."""
    cell = '<table:table-cell office:value-type="{}" {}><text:p>{}</text:p></table:table-cell>'
    rows = [
        cell.format("string", "", "sku") + cell.format("string", "", "qty"),
        cell.format("string", "", "A1") + cell.format("float", 'office:value="12"', "12"),
        cell.format("date", 'office:date-value="2024-01-31"', "31/01/2024")
        + cell.format("float", 'office:value="0.5"', "0,5"),
    ]
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Data">'
        + "".join(f"<table:table-row>{row}</table:table-row>" for row in rows)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        mimetype = "application/vnd.oasis.opendocument.spreadsheet"
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
