"""``build_report``: an ``ImportResult`` as the report a job keeps (the JSON it stores, the same
keys and shapes as ever), and the column profile."""

import datetime as dt
import io
import json
from typing import Any

import polars as pl
import pytest
from shop.importers import CatalogueImporter

from winiadmin.import_report import ColumnProfile, ImportReport, StoredProblem
from winiadmin.jobs.report import STORED_PROBLEMS, build_report, column_profile, stored_problem
from winiadmin.problems import Problem, ProblemKind, Severity

pytestmark = pytest.mark.django_db

HEADER = "sku,name,price,quantity,category,store,available_from,extra\n"


def report_of(body: str, *, skip_invalid: bool = False) -> dict[str, Any]:
    source = io.BytesIO((HEADER + body).encode())
    result = CatalogueImporter().run(source, dry_run=True, skip_invalid=skip_invalid)
    report = build_report(result).to_json()
    assert json.loads(json.dumps(report)) == report  # what a JSONField stores, unchanged
    assert ImportReport.from_json(report) == build_report(result)  # and reads back the same
    return report


def test_report_of_a_run_with_problems() -> None:
    report = report_of(
        "A-1,Thing,1.50,2,Books,Online,2026-01-02,x\n"
        "A-2,,2.50,1,Books,,,\n"
        "A-3,Third,lots,x,Toys,,,\n"
        "A-1,Thing,1.50,2,Books,Online,2026-01-02,again\n"
    )
    assert report["status"] == "invalid"
    assert report["error"]
    assert (report["rows_read"], report["rows_cleaned"], report["rows_skipped"]) == (4, 1, 0)
    assert report["source"] == {
        "format": "csv",
        "encoding": "UTF-8",
        "delimiter": "','",
        "header row": "1 (detected)",
    }
    assert set(report["timings"]) == {"read", "clean", "transform", "load"}
    none = {"updated": 0, "unchanged": 0}
    assert report["models"] == [
        {"label": "shop.Category", "verbose_name": "categories", "count": 1, **none},
        {"label": "shop.Store", "verbose_name": "stores", "count": 1, **none},
        {"label": "shop.Product", "verbose_name": "products", "count": 1, **none},
    ]
    assert (report["upserted"], report["changes"]) == (False, [])
    # File problems first, then by row; the counts beside them.
    problems = report["problems"]
    assert [(p["row"], p["kind"], p["column"]) for p in problems] == [
        (None, "unexpected_column", "extra"),
        (3, "missing_value", "name"),
        (4, "invalid_value", "price"),
        (4, "invalid_value", "quantity"),
        (5, "duplicate_row", "sku"),
    ]
    assert (report["problem_count"], report["error_count"], report["warning_count"]) == (5, 3, 2)
    assert report["file_errors"] == 0
    assert report["counts_by_kind"] == {
        "unexpected_column": 1, "missing_value": 1, "invalid_value": 2, "duplicate_row": 1,
    }  # fmt: skip
    assert report["columns"] == [
        {"name": "sku", "dtype": "String"},
        {"name": "name", "dtype": "String"},
        {"name": "price", "dtype": "Float64"},
        {"name": "quantity", "dtype": "Int64"},
        {"name": "category", "dtype": "String"},
        {"name": "store", "dtype": "String"},
        {"name": "available_from", "dtype": "Date"},
    ]


def test_file_errors_are_counted() -> None:
    result = CatalogueImporter().run(io.BytesIO(b"sku,name\nA,B\n"), dry_run=True)
    report = build_report(result).to_json()
    assert report["file_errors"] == 5 == report["error_count"]
    assert {p["kind"] for p in report["problems"]} == {"missing_column"}
    assert report["status"] == "invalid"
    assert (report["rows_cleaned"], report["columns"], report["profile"]) == (0, [], [])
    assert report["models"] == []


def test_stored_problems_are_capped_the_counts_are_not() -> None:
    rows = "".join(f"P-{n},Item,bad,1,,,,\n" for n in range(STORED_PROBLEMS + 7))
    report = report_of(rows)
    problems = report["problems"]
    assert len(problems) == STORED_PROBLEMS
    assert report["problem_count"] == STORED_PROBLEMS + 8  # + the unexpected column
    assert report["counts_by_kind"] == {
        "invalid_value": STORED_PROBLEMS + 7,
        "unexpected_column": 1,
    }
    assert problems[0]["kind"] == "unexpected_column"
    assert problems[-1]["row"] == STORED_PROBLEMS  # rows 2 … STORED_PROBLEMS kept, in order


def test_skipped_rows_are_listed() -> None:
    report = report_of(
        "A-1,Thing,1,1,,,,\nA-2,Bad,oops,1,,,,\nA-3,Fine,2,1,,,,\n", skip_invalid=True
    )
    assert report["status"] == "dry_run"
    assert report["skipped_rows"] == [3]
    assert report["rows_skipped"] == 1


def test_stored_problem() -> None:
    problem = Problem(
        ProblemKind.INVALID_VALUE, Severity.ERROR, "Not a number.", row=7, column="price", value="x"
    )
    assert stored_problem(problem) == StoredProblem(
        kind="invalid_value",
        label="Invalid value",
        severity="error",
        message="Not a number.",
        row=7,
        column="price",
        value="x",
    )
    assert stored_problem(problem.in_sheet("Products")).sheet == "Products"


def test_column_profile() -> None:
    frame = pl.DataFrame(
        {
            "name": ["b", None, "a", "b"],
            "price": [1.5, 2.0, None, None],
            "day": [dt.date(2026, 3, 1), dt.date(2025, 1, 31), None, dt.date(2026, 3, 1)],
            "flag": [True, False, None, True],
        }
    )
    profile = {column.name: column for column in column_profile(frame)}
    assert profile["name"] == ColumnProfile("name", "String", 0.25, 3, "a", "b")
    assert profile["price"].nulls == 0.5 and profile["price"].distinct == 3
    assert (profile["price"].min, profile["price"].max) == ("1.5", "2.0")
    assert (profile["day"].min, profile["day"].max) == ("2025-01-31", "2026-03-01")
    assert (profile["flag"].min, profile["flag"].max) == (None, None)  # not orderable
    assert list(profile) == ["name", "price", "day", "flag"]


def test_column_profile_of_an_empty_frame() -> None:
    frame = pl.DataFrame(schema={"sku": pl.String, "price": pl.Float64})
    assert column_profile(frame) == (
        ColumnProfile("sku", "String", nulls=0.0, distinct=0, min=None, max=None),
        ColumnProfile("price", "Float64", nulls=0.0, distinct=0, min=None, max=None),
    )
    all_null = column_profile(pl.DataFrame({"sku": [None, None]}, schema={"sku": pl.String}))
    assert all_null[0].nulls == 1.0 and all_null[0].min is None
