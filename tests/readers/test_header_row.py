"""The header row: detected below title rows, or chosen; row numbers stay the spreadsheet's."""

from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from shop.importers import CatalogueImporter

from tests.readers.conftest import WriteFile
from winiadmin.exceptions import FileReadError
from winiadmin.readers import ReadOptions, read_table
from winiadmin.readers.grid import table_from_grid

HEADER = ["sku", "name", "price", "quantity", "category", "store", "available_from"]


def report_workbook(path: Path) -> Path:
    """Sheet "Report": a title, a note, a blank row, then the table from row 4; a second sheet
    "Plain" with the table from row 1."""
    workbook = xlsxwriter.Workbook(str(path))
    report = workbook.add_worksheet("Report")
    report.write(0, 0, "Catalogue export")
    report.write_row(1, 0, ["Exported on", "2026-01-02"])
    report.write_row(3, 0, HEADER)
    report.write_row(4, 0, ["A-1", "Lamp", 12.5, 3, "Lights", "Main", "2026-02-01"])
    report.write_row(6, 0, ["A-2", "Bulb", "cheap", 1, "Lights", "", ""])  # row 6 blank
    plain = workbook.add_worksheet("Plain")
    plain.write_row(0, 0, HEADER)
    plain.write_row(1, 0, ["B-1", "Desk", 99, 1, "Furniture", "", ""])
    workbook.close()
    return path


def grid(*rows: list[str | None]) -> pl.DataFrame:
    width = max(len(r) for r in rows)
    padded = [[*r, *[None] * (width - len(r))] for r in rows]
    return pl.DataFrame(padded, schema=[f"c{i}" for i in range(width)], orient="row")


def test_titles_and_notes_above_the_table_are_skipped(tmp_path: Path) -> None:
    table = read_table(report_workbook(tmp_path / "r.xlsx"))
    assert (table.sheet, table.sheets) == ("Report", ("Report", "Plain"))
    assert (table.header_row, table.header_detected) == (4, True)
    assert table.frame.columns == HEADER
    assert table.row_numbers.to_list() == [5, 7]  # the spreadsheet's numbers


def test_problems_name_the_spreadsheets_rows(tmp_path: Path, db: None) -> None:
    result = CatalogueImporter().run(report_workbook(tmp_path / "r.xlsx"), dry_run=True)
    assert [(p.row, p.column, p.value) for p in result.problems.errors()] == [(7, "price", "cheap")]
    assert result.source_info["header row"] == "4 (detected)"
    assert (result.sheets, result.header_row) == (("Report", "Plain"), 4)


def test_a_chosen_header_row_wins(tmp_path: Path) -> None:
    path = report_workbook(tmp_path / "r.xlsx")
    table = read_table(path, ReadOptions(header_row=2))
    assert (table.header_row, table.header_detected) == (2, False)
    blanks = [f"column_{i}" for i in (3, 4, 5, 6, 7)]
    assert table.frame.columns == ["Exported on", "2026-01-02", *blanks]
    assert table.row_numbers.to_list() == [4, 5, 7]
    plain = read_table(path, ReadOptions(sheet="Plain", header_row=1))
    assert plain.frame.columns == HEADER and plain.row_numbers.to_list() == [2]


@pytest.mark.parametrize(
    ("header_row", "message"),
    [(3, "Header row 3 is empty"), (40, "Header row 40 is outside the table"), (0, "is empty")],
)
def test_a_wrong_header_row_is_a_clear_error(tmp_path: Path, header_row: int, message: str) -> None:
    with pytest.raises(FileReadError, match=message):
        read_table(report_workbook(tmp_path / "r.xlsx"), ReadOptions(header_row=header_row))


def test_csv_exported_from_a_spreadsheet_with_a_title(write_file: WriteFile) -> None:
    # Spreadsheet programs pad every line to the table's width.
    path = write_file("t.csv", b"Stock report,,\n,,\nsku,name,qty\nA,Lamp,3\nB,Bulb,4\n")
    table = read_table(path)
    assert (table.header_row, table.frame.columns) == (3, ["sku", "name", "qty"])
    assert table.row_numbers.to_list() == [4, 5]
    chosen = read_table(path, ReadOptions(header_row=4))
    assert chosen.frame.columns == ["A", "Lamp", "3"] and chosen.header_row == 4


@pytest.mark.parametrize(
    ("rows", "header"),
    [
        # No title: the first row, as always (even when a header is partly numeric).
        ([["name", "2023", "2024"], ["a", "1", "2"]], 0),
        # A header-less table of values: the first row, as always.
        ([["1", "2", "3"], ["4", "5", "6"]], 0),
        # A narrow header (a blank name) above all-value rows is not mistaken for a title.
        ([["sku", None], ["a", "1"]], 0),
        # Two narrow title rows, then the header.
        ([["Report"], ["by shop", None, None], ["a", "b", "c"], ["1", "2", "3"]], 2),
        # Repeated names in the first wide row: not headers; the first row stays.
        ([["Title"], ["x", "x", "x"], ["1", "2", "3"]], 0),
        # A date in the first wide row: data, not headers.
        ([["Title"], ["a", "2024-01-02", "c"]], 0),
    ],
)
def test_detection_keeps_the_first_row_unless_titles_are_clear(
    rows: list[list[str | None]], header: int
) -> None:
    table = table_from_grid(grid(*rows))
    assert table is not None
    assert table.header_row == header + 1
