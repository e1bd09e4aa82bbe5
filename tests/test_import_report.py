"""``ImportReport``: the typed report of a job, read from the JSON it is stored as and back.

Reports stored by earlier versions must still read: the current shape round-trips unchanged, an
older one (the first version's keys only) reads with defaults for the rest, and anything that is
not a report reads as the empty report.
"""

import json
from typing import Any

import pytest

from winiadmin.import_report import (
    ChangedCell,
    ColumnMatches,
    ColumnProfile,
    ImportReport,
    MappedColumn,
    ReadSource,
    SheetPreview,
    StoredChange,
    StoredColumn,
    StoredProblem,
    UnmatchedValue,
)
from winiadmin.models import ImportJob
from winiadmin.results import ModelCount, RowAccounting

#: A report as this version stores it (every key ``build_report`` writes).
CURRENT: dict[str, Any] = {
    "status": "invalid",
    "error": "3 errors; nothing was written.",
    "rows_read": 4,
    "rows_cleaned": 3,
    "rows_skipped": 0,
    "rows": {
        "read": 4,
        "imported": 1,
        "updated": 1,
        "unchanged": 0,
        "skipped": 1,
        "rejected": 1,
        "dropped": 1,
    },
    "skipped_rows": [],
    "timings": {"read": 0.0012, "clean": 0.02, "transform": 0.001, "load": 0.0101},
    "total_seconds": 0.0333,
    "source": {
        "format": "csv", "encoding": "UTF-8", "delimiter": "';'", "header row": "1 (detected)",
    },
    "sheets": [],
    "header_row": 1,
    "models": [
        {"label": "shop.Category", "verbose_name": "categories", "count": 1,
         "updated": 0, "unchanged": 0},
        {"label": "shop.Product", "verbose_name": "products", "count": 1,
         "updated": 1, "unchanged": 0},
    ],
    "upserted": True,
    "changes": [
        {
            "label": "shop.Product",
            "verbose_name": "products",
            "row": 3,
            "key": "A-2",
            "cells": [{"field": "price", "old": "2.00", "new": "2.50"}],
        }
    ],
    "changes_limit": 100,
    "problems": [
        {"kind": "unexpected_column", "label": "Unexpected column", "severity": "warning",
         "message": "Not imported.", "row": None, "column": "extra", "value": None},
        {"kind": "invalid_value", "label": "Invalid value", "severity": "error",
         "message": "Not a number.", "row": 4, "column": "price", "value": "lots"},
        {"kind": "unknown_key", "label": "Unknown key", "severity": "error",
         "message": "No store 'Mars'.", "row": 5, "column": "store", "value": "Mars"},
    ],
    "problem_count": 3,
    "error_count": 2,
    "warning_count": 1,
    "file_errors": 0,
    "counts_by_kind": {"unexpected_column": 1, "invalid_value": 1, "unknown_key": 1},
    "columns": [{"name": "sku", "dtype": "String"}, {"name": "price", "dtype": "Float64"}],
    "profile": [
        {"name": "sku", "dtype": "String", "nulls": 0.0, "distinct": 3,
         "min": "A-1", "max": "A-3"},
        {"name": "price", "dtype": "Float64", "nulls": 0.25, "distinct": 2,
         "min": None, "max": None},
    ],
    "column_mapping": {
        "columns": [
            {"header": "SKU", "target": "sku", "reason": "exact", "score": None,
             "samples": ["A-1"]},
            {"header": "Prix", "target": "price", "reason": "fuzzy", "score": 0.8, "samples": []},
            {"header": "extra", "target": None, "reason": "unmatched", "score": None,
             "samples": ["x"]},
        ],
        "expected": ["sku", "price"],
        "unmatched": [],
        "needs_review": True,
        "fingerprint": "abc123",
    },
    "unmatched": [
        {
            "field": "store", "column": "store", "by": "name", "target": "shop.Store",
            "verbose_name": "store", "verbose_name_plural": "stores", "can_create": True,
            "created": False, "reference": False, "description": "1 store not found (by name)",
            "key": "shop.Product.store",
            "values": [{"value": "Mars", "count": 2, "rows": [5, 6]}],
        }
    ],
}  # fmt: skip

#: A report as the first version stored it: none of the keys added since.
OLDEST: dict[str, Any] = {
    "status": "dry_run",
    "error": "",
    "rows_read": 2,
    "rows_cleaned": 2,
    "rows_skipped": 0,
    "skipped_rows": [],
    "timings": {"read": 0.001},
    "total_seconds": 0.01,
    "source": {"format": "csv"},
    "models": [{"label": "shop.Product", "verbose_name": "products", "count": 2}],
    "problems": [],
    "problem_count": 0,
    "error_count": 0,
    "warning_count": 0,
    "file_errors": 0,
    "counts_by_kind": {},
    "columns": [{"name": "sku", "dtype": "String"}],
    "profile": [],
}


def test_the_current_shape_reads_typed_and_writes_back_unchanged() -> None:
    stored = json.loads(json.dumps(CURRENT))  # as a JSONField gives it back
    report = ImportReport.from_json(stored)
    assert report.to_json() == CURRENT
    assert list(report.to_json()) == list(CURRENT)  # the same keys, in the same order
    assert (report.status, report.rows_read, report.header_row) == ("invalid", 4, 1)
    assert report.rows == RowAccounting(4, 1, 1, 0, 1, 1, 1)
    assert report.source == ReadSource(CURRENT["source"])
    assert (report.source.encoding, report.source.sheet) == ("UTF-8", "")
    assert report.models[1] == ModelCount("shop.Product", "products", 1, updated=1)
    assert report.changes == (
        StoredChange("shop.Product", "products", 3, "A-2", (ChangedCell("price", "2.00", "2.50"),)),
    )
    assert report.problems[1] == StoredProblem(
        "invalid_value", "Invalid value", "error", "Not a number.", 4, "price", "lots"
    )
    assert [p.is_error for p in report.problems] == [False, True, True]
    assert report.columns[1] == StoredColumn("price", "Float64")
    assert report.profile[1] == ColumnProfile("price", "Float64", 0.25, 2, None, None)
    assert report.column_mapping is not None
    assert report.column_mapping.columns[1] == MappedColumn("Prix", "price", "fuzzy", 0.8)
    assert report.column_mapping.needs_review and report.column_mapping.fingerprint == "abc123"
    [lookup] = report.unmatched
    assert lookup.values == (UnmatchedValue("Mars", 2, (5, 6)),)
    assert (lookup.can_create, lookup.created, lookup.reference) == (True, False, False)
    assert report.model_names == {"shop.Category": "categories", "shop.Product": "products"}
    assert report.updated_models == {"shop.Product": 1}
    assert not report.succeeded


def test_an_older_shape_reads_with_defaults_for_the_keys_it_lacks() -> None:
    report = ImportReport.from_json(OLDEST)
    assert (report.status, report.rows_read, report.rows_cleaned) == ("dry_run", 2, 2)
    assert report.models == (ModelCount("shop.Product", "products", 2),)  # updated, unchanged: 0
    assert report.rows == RowAccounting()  # not accounted then: the table is left out
    assert (report.sheets, report.header_row, report.upserted) == ((), None, False)
    assert (report.changes, report.changes_limit, report.unmatched) == ((), 0, ())
    assert report.column_mapping is None
    assert report.source == ReadSource({"format": "csv"}) and report.source.encoding == ""
    # Written again, it has every key of today's shape, the old values kept.
    again = report.to_json()
    assert list(again) == list(CURRENT)
    assert {k: again[k] for k in OLDEST if k != "models"} == {
        k: v for k, v in OLDEST.items() if k != "models"
    }
    assert again["models"] == [
        {"label": "shop.Product", "verbose_name": "products", "count": 2,
         "updated": 0, "unchanged": 0}
    ]  # fmt: skip


def test_parts_of_an_older_shape_read_with_defaults_too() -> None:
    report = ImportReport.from_json({
        "rows": {"read": 3, "imported": 3},  # a term added later
        "problems": [{"kind": "invalid_value", "severity": "error", "message": "No.", "row": 2}],
        "unmatched": [{"field": "store", "column": "store", "by": "name", "target": "shop.Store",
                       "verbose_name": "store", "verbose_name_plural": "stores",
                       "can_create": False, "created": False,
                       "values": [{"value": "X", "count": 1}]}],
        "column_mapping": {"columns": [{"header": "sku", "target": "sku", "reason": "exact"}],
                           "expected": ["sku"], "needs_review": False, "fingerprint": "f"},
        "a_key_of_a_later_version": 1,
    })  # fmt: skip
    assert report.rows == RowAccounting(read=3, imported=3)
    [problem] = report.problems
    assert (problem.label, problem.column, problem.value) == ("invalid_value", None, None)
    [lookup] = report.unmatched
    assert (lookup.reference, lookup.description) == (False, "")
    assert lookup.values == (UnmatchedValue("X", 1, ()),)
    assert report.column_mapping == ColumnMatches(
        (MappedColumn("sku", "sku", "exact"),), ("sku",), (), False, "f"
    )


@pytest.mark.parametrize("stored", [{}, None, [], "not a report"])
def test_no_report_reads_as_the_empty_one(stored: object) -> None:
    report = ImportReport.from_json(stored)
    assert report == ImportReport()
    assert (report.rows_read, report.problems, report.column_mapping) == (0, (), None)
    assert not report.source


def test_the_succeeded_report() -> None:
    assert ImportReport.from_json({"status": "succeeded"}).succeeded
    assert not ImportReport.from_json({"status": "dry_run"}).succeeded


def test_the_job_reads_its_report_again_when_it_is_given_another() -> None:
    job = ImportJob(report=OLDEST)
    first = job.import_report
    assert job.import_report is first  # read once per stored value
    job.report = CURRENT
    assert job.import_report.rows_read == 4
    job.report = {}
    assert job.import_report == ImportReport()


def test_a_workbook_with_links_removed_round_trips() -> None:
    """What a workbook and many-to-many links add is written only where it applies, and read
    back typed; a report without those keys (every earlier one) reads with their defaults."""
    stored = {
        **CURRENT,
        "models": [{"label": "testapp.Article_tags", "verbose_name": "links", "count": 1,
                    "updated": 0, "unchanged": 0, "removed": 2}],
        "problems": [{"kind": "unknown_key", "label": "Unknown key", "severity": "error",
                      "message": "No order.", "row": 4, "column": "order", "value": "O-9",
                      "sheet": "Order lines"}],
        "sheet_previews": [{"name": "Orders", "columns": ["order_id"], "rows": [["O-1"]]}],
        "unskippable": True,
    }  # fmt: skip
    report = ImportReport.from_json(json.loads(json.dumps(stored)))
    assert report.to_json() == stored
    assert report.models[0].removed == 2
    assert report.problems[0].sheet == "Order lines"
    assert report.sheet_previews == (SheetPreview("Orders", ("order_id",), (("O-1",),)),)
    assert report.unskippable
    plain = ImportReport.from_json(CURRENT)
    assert (plain.sheet_previews, plain.unskippable) == ((), False)
    assert {p.sheet for p in plain.problems} == {None}
    assert "removed" not in plain.to_json()["models"][0]


def test_values_mapped_to_chosen_rows_are_kept_only_when_there_are_some() -> None:
    mapped = {
        "key": "shop.Product.category", "column": "category", "by": "name",
        "verbose_name": "category",
        "values": [{"value": "Toyz", "pk": "7", "target": "Toys", "count": 3}],
    }  # fmt: skip
    stored = {**CURRENT, "mapped": [mapped]}
    report = ImportReport.from_json(json.loads(json.dumps(stored)))
    [lookup] = report.mapped
    assert (lookup.key, lookup.values[0].target, lookup.values[0].count) == (
        "shop.Product.category",
        "Toys",
        3,
    )
    assert report.to_json() == stored
    assert "mapped" not in ImportReport.from_json(CURRENT).to_json()
