"""Rejected rows: which rows, why, and the files (CSV and XLSX) holding them as typed."""

import csv
import io

import fastexcel
import polars as pl

from tests.jobs.conftest import HEADER, MakeJob
from winiadmin.cleaning.columns import match_columns
from winiadmin.import_report import ImportReport
from winiadmin.jobs.rejected import (
    reason_column,
    reasons_by_row,
    rejected_csv,
    rejected_row_numbers,
    rejected_table,
    rejected_xlsx,
)
from winiadmin.spreadsheets import neutralise, unquote_formulas

MISTAKES = HEADER + (
    b"A-1,Thing,1.50,2,Books,Online,2026-01-02\n"
    b"A-2,Bad,12 EUR,lots,Books,,\n"
    b"A-3,Formula,=1+1,1,Books,,\n"
    b"A-4,Fine,-2,1,=HYPERLINK(1),,\n"
    b",Nameless,3,007,Books,,\n"
)


def test_rows_and_reasons_come_from_the_errors_only() -> None:
    report = ImportReport.from_json({
        "problems": [
            {"severity": "error", "row": 3, "column": "price", "value": "12 EUR",
             "message": "Not a number."},
            {"severity": "error", "row": 3, "column": "quantity", "value": "lots",
             "message": "Not a whole number."},
            {"severity": "warning", "row": 4, "column": "sku", "value": "A", "message": "Dup."},
            {"severity": "error", "row": None, "column": None, "value": None, "message": "File."},
            {"severity": "error", "row": 6, "column": "name", "value": None, "message": "Empty."},
        ],
        "skipped_rows": [9],
    })  # fmt: skip
    assert rejected_row_numbers(report) == [3, 6, 9]
    assert reasons_by_row(report) == {
        3: "row 3: price '12 EUR': Not a number.; quantity 'lots': Not a whole number.",
        6: "row 6: name: Empty.",
    }


def test_the_reason_column_never_clashes_with_the_files_own() -> None:
    assert reason_column(["sku", "name"]) == "reason"
    assert reason_column(["sku", "Reason"]) == "rejection_reason"
    # Both names are ignored on import, without a warning.
    assert match_columns(["sku", "reason", "Rejection Reason", "x"], ["sku"]).unexpected == ("x",)


def test_the_table_keeps_the_cells_as_typed(make_job: MakeJob) -> None:
    job = make_job(MISTAKES)
    header, rows = rejected_table(job)
    assert header == ["reason", *HEADER.decode().strip().split(",")]
    by_sku = {row[1]: row for row in rows}
    assert set(by_sku) == {"A-2", "A-3", None}  # A-4 is fine: a formula-like category is text
    assert by_sku["A-2"][1:] == ["A-2", "Bad", "12 EUR", "lots", "Books", None, None]
    assert str(by_sku["A-2"][0]).startswith("row 3: price '12 EUR': ")
    assert by_sku[None][4] == "007"


def test_csv_guards_formulas_and_the_guard_is_undone_on_import(make_job: MakeJob) -> None:
    job = make_job(MISTAKES)
    lines = list(csv.reader(io.StringIO(rejected_csv(job))))
    formula_row = next(line for line in lines if line[1] == "A-3")
    assert formula_row[3] == "'=1+1"
    assert unquote_formulas(pl.Series([formula_row[3]])).to_list() == ["=1+1"]


def test_xlsx_holds_text_cells(make_job: MakeJob) -> None:
    job = make_job(MISTAKES)
    sheet = fastexcel.read_excel(rejected_xlsx(job)).load_sheet(0, dtypes="string").to_polars()
    assert sheet.columns[0] == "reason"
    assert sheet.get_column("price").to_list() == ["12 EUR", "=1+1", "3"]  # text, not a formula
    assert sheet.get_column("quantity").to_list() == ["lots", "1", "007"]


def test_a_job_without_errors_rejects_nothing(make_job: MakeJob) -> None:
    job = make_job()
    assert rejected_table(job)[1] == []


def test_neutralise_leaves_signed_numbers_alone() -> None:
    assert [neutralise(v) for v in ["-5", "+1.5e3", "-x", "=A1", "@me", None]] == [
        "-5", "+1.5e3", "'-x", "'=A1", "'@me", "",
    ]  # fmt: skip
