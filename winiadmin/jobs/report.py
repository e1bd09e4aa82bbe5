"""An ``ImportResult`` as the JSON an ``ImportJob`` keeps, and back to what templates need."""

from dataclasses import asdict
from typing import Any

import polars as pl

from winiadmin.conf import get_config
from winiadmin.problems import Problem
from winiadmin.results import ImportResult

#: Problems kept in a job's report; the counts stay exact beyond it.
STORED_PROBLEMS = 10_000


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The problem as the report keeps it; ``sheet`` only when it names one (reports of files of
    one table keep the keys they always had)."""
    stored = {
        "kind": problem.kind.value,
        "label": problem.kind.label,
        "severity": problem.severity.value,
        "message": problem.message,
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
    }
    if problem.sheet is not None:
        stored["sheet"] = problem.sheet
    return stored


def build_report(result: ImportResult) -> dict[str, Any]:
    problems = result.problems
    # File-level problems first, then by row as the file reads (a workbook: sheet by sheet).
    ordered = sorted(
        problems, key=lambda p: (p.row is not None, p.sheet or "", p.row or 0, not p.is_error)
    )
    stored = [problem_to_dict(p) for p in ordered[:STORED_PROBLEMS]]
    return {
        "status": result.status.value,
        "error": result.error,
        "rows_read": result.rows_read,
        "rows_cleaned": result.rows_cleaned,
        "rows_skipped": result.rows_skipped,
        #: Every row of the file accounted for (RowAccounting): read, imported, updated,
        #: unchanged, skipped, rejected, dropped.
        "rows": asdict(result.rows),
        "skipped_rows": list(result.skipped_rows[:STORED_PROBLEMS]),
        "timings": {stage.value: round(secs, 4) for stage, secs in result.timings.items()},
        "total_seconds": round(result.total_seconds, 4),
        "source": result.source_info,
        "sheets": list(result.sheets),
        "header_row": result.header_row,
        "models": [
            {
                "label": c.label,
                "verbose_name": c.verbose_name,
                "count": c.count,
                "updated": c.updated,
                "unchanged": c.unchanged,
                # Many-to-many links an upsert removed: only where there are some.
                **({"removed": c.removed} if c.removed else {}),
            }
            for c in result.created
        ],
        "upserted": any(c.updated or c.unchanged for c in result.created),
        "changes": changes_report(result),
        "changes_limit": get_config().MAX_DIFFS,
        "problems": stored,
        "problem_count": len(problems),
        "error_count": problems.error_count,
        "warning_count": problems.warning_count,
        "file_errors": sum(1 for p in problems.errors() if p.row is None),
        "counts_by_kind": {k.value: n for k, n in problems.counts_by_kind().items()},
        "columns": [{"name": n, "dtype": str(t)} for n, t in result.cleaned_frame.schema.items()],
        "profile": column_profile(result.cleaned_frame),
        "column_mapping": mapping_report(result),
        "unmatched": unmatched_report(result),
        **workbook_report(result),
    }


def workbook_report(result: ImportResult) -> dict[str, Any]:
    """Each sheet's first cleaned rows (a workbook with a sheet per model), and whether
    "skip invalid rows" cannot help: a workbook, or many-to-many values that match nothing
    (their rows are stored before their links). Only the keys that apply."""
    report: dict[str, Any] = {}
    if result.sheet_previews:
        report["sheet_previews"] = [
            {
                "name": name,
                "columns": frame.columns,
                "rows": [["" if v is None else str(v) for v in row] for row in frame.rows()],
            }
            for name, frame in result.sheet_previews.items()
        ]
    many = any(u.separator is not None and not u.created for u in result.unmatched)
    if result.sheet_previews or many:
        report["unskippable"] = True
    return report


def unmatched_report(result: ImportResult) -> list[dict[str, Any]]:
    """Per lookup, the values that matched nothing: count and first rows (see db/lookups)."""
    report = []
    for unmatched in result.unmatched:
        lookup = unmatched.lookup
        meta = lookup.target._meta
        report.append(
            {
                "field": lookup.field,
                "column": lookup.source_column,
                "by": lookup.by,
                "target": meta.label,
                "verbose_name": str(meta.verbose_name),
                "verbose_name_plural": str(meta.verbose_name_plural),
                "can_create": unmatched.can_create,
                "created": unmatched.created,
                "reference": unmatched.reference,
                "description": unmatched.describe(),
                "values": [
                    {"value": str(value), "count": count, "rows": unmatched.rows.get(value, [])}
                    for value, count in list(unmatched.counts.items())[:STORED_PROBLEMS]
                ],
            }
        )
    return report


def changes_report(result: ImportResult) -> list[dict[str, Any]]:
    """The updated rows kept (``MAX_DIFFS`` per model): row, key, and each field's old → new."""
    verbose = {c.label: c.verbose_name for c in result.created}
    return [
        {
            "label": label,
            "verbose_name": verbose.get(label, label),
            "row": change.row,
            "key": ", ".join(_shown(v) for v in change.key),
            "cells": [
                {"field": name, "old": _shown(old), "new": _shown(new)}
                for name, (old, new) in change.changes.items()
            ],
        }
        for label, changes in result.changes.items()
        for change in changes
    ]


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def mapping_report(result: ImportResult) -> dict[str, Any] | None:
    """How the file's headers were matched, with sample values (``None``: never got that far)."""
    matches = result.column_matches
    if matches is None:
        return None
    return {
        "columns": [
            {
                "header": c.header,
                "target": c.target,
                "reason": c.reason.value,
                "score": c.score,
                "samples": result.column_samples.get(c.header, []),
            }
            for c in matches.columns
        ],
        "expected": list(matches.expected),
        "unmatched": list(matches.unmatched),
        "needs_review": matches.needs_review,
        "fingerprint": matches.fingerprint,
    }


def column_profile(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Per column: null share, distinct values, min and max (as text), for the preview."""
    if frame.is_empty():
        return [{"name": n, "dtype": str(t), "nulls": 0.0, "distinct": 0, "min": None, "max": None}
                for n, t in frame.schema.items()]  # fmt: skip
    height = frame.height
    stats = frame.select(
        *[pl.col(c).null_count().alias(f"{c}\x00nulls") for c in frame.columns],
        *[pl.col(c).n_unique().alias(f"{c}\x00distinct") for c in frame.columns],
    ).row(0, named=True)
    profile = []
    for name, dtype in frame.schema.items():
        orderable = dtype.is_numeric() or dtype.is_temporal() or dtype == pl.String
        column = frame.get_column(name)
        profile.append(
            {
                "name": name,
                "dtype": str(dtype),
                "nulls": stats[f"{name}\x00nulls"] / height,
                "distinct": stats[f"{name}\x00distinct"],
                "min": _text(column.min()) if orderable else None,
                "max": _text(column.max()) if orderable else None,
            }
        )
    return profile


def _text(value: object) -> str | None:
    return None if value is None else str(value)
