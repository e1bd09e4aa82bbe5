"""One edited row checked at once, without checking the whole file again.

The row is taken from the table the last check kept (:mod:`winiadmin.jobs.raw`), the job's edits
applied, and run through the same pipeline as the import — cleaning, lookups, the models' rules,
the load with its unique checks against the database — as a dry run of one row. Its values are
also looked for in the rest of the file (the cleaned frame the check kept) under each unique key,
since a row alone cannot repeat another. The row's problems in the job's report are replaced by
what was found; the counts change by the difference between the row before and after the edit.

What one row cannot see (a repeated key the whole-file cleaning would drop) waits for the check
of the whole file, which the confirm requires after any edit (``ImportJob.edits_pending``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

import polars as pl
from django.utils.translation import gettext as _

from winiadmin.cleaning.mapping import ColumnMapping
from winiadmin.importers import RunOptions, get_importer
from winiadmin.jobs.conventions import job_conventions
from winiadmin.jobs.edits import Edit, apply_edits, edits_of, excluded_rows
from winiadmin.jobs.frames import ROW
from winiadmin.jobs.raw import raw_row
from winiadmin.jobs.report import stored_problem
from winiadmin.problems import Problem, ProblemKind, Severity
from winiadmin.readers import ReadOptions
from winiadmin.results import ModelCount, RowAccounting
from winiadmin.storage import upload_storage

if TYPE_CHECKING:
    from collections.abc import Sequence

    from winiadmin.import_report import ImportReport, StoredProblem
    from winiadmin.importers import Importer
    from winiadmin.models import ImportJob
    from winiadmin.readers import RawTable
    from winiadmin.results import ImportResult


@dataclass(frozen=True, slots=True)
class RowCheck:
    """What the check of one edited row found."""

    row: int
    problems: tuple[StoredProblem, ...]
    seconds: float


def check_row(
    job: ImportJob, row: int, before: Sequence[Edit], column: str | None = None
) -> RowCheck:
    """Check ``row`` with the job's edits, against the row with ``before`` (the edits before the
    last one, which changed ``column``, or excluded the row); the job's report is updated and
    saved."""
    started = time.perf_counter()
    importer = _importer(job)
    report = job.import_report
    file_format = report.source.items.get("format", "csv")
    table = raw_row(job.pk, row, file_format)
    after_edits = edits_of(job)
    old = _dry_run(importer, job, apply_edits(table, before))
    new = _dry_run(importer, job, apply_edits(table, after_edits))
    problems = [stored_problem(p) for p in new.problems if p.row is not None]
    problems += [stored_problem(p) for p in _repeats(importer, job, row, new)]
    if row not in excluded_rows(after_edits):
        problems += _outside(report, row, old, _names_of(report, column))
    job.report = _patched(report, row, problems, old, new).to_json()
    job.save(update_fields=["report", "updated_at"])
    return RowCheck(row, tuple(problems), time.perf_counter() - started)


def _outside(
    report: ImportReport, row: int, old: ImportResult, edited: set[str]
) -> list[StoredProblem]:
    """The row's problems one row alone cannot find (a reader's: too many values, bad bytes; a
    key repeated in the file), kept unless the edit changed their cell: the check of the whole
    file decides."""
    seen = {(p.kind.value, p.column, p.message) for p in old.problems}
    return [
        p
        for p in report.problems
        if p.row == row and (p.kind, p.column, p.message) not in seen and p.column not in edited
    ]


def _names_of(report: ImportReport, column: str | None) -> set[str]:
    """The names a file column goes by in problems: its header and the column it feeds."""
    if column is None:
        return set()
    names = {column}
    if report.column_mapping is not None:
        names |= {
            c.target for c in report.column_mapping.columns if c.header == column and c.target
        }
    return names


def _importer(job: ImportJob) -> Importer:
    importer_cls = get_importer(job.importer)
    return importer_cls(importer_cls.parse_options(job.options))


def _dry_run(importer: Importer, job: ImportJob, table: RawTable) -> ImportResult:
    mapping = job.column_mapping
    return importer.run(
        table,
        RunOptions(
            dry_run=True,
            read_options=ReadOptions(**job.read_options),
            file_name=job.original_name,
            column_mapping=None if mapping is None else ColumnMapping.from_json(mapping),
            value_mappings=job.value_mappings or None,
            create_values=job.create_values or None,
            fixed_values=job.fixed_values,
            conventions=job_conventions(job),
        ),
    )


def _repeats(importer: Importer, job: ImportJob, row: int, result: ImportResult) -> list[Problem]:
    """The row's values under a unique key that another row of the file holds too."""
    cleaned = result.cleaned_frame
    if cleaned.is_empty() or not job.preview_file:
        return []
    # The keys the file's columns are declared unique by: the cleaning class's subsets and the
    # upsert keys. A model's own unique fields are not looked for here: a column of the same
    # name may feed another model (a category's unique name beside a product's name); the
    # check of the whole file, which the confirm requires after an edit, finds those.
    keys = {tuple(s) for s in importer.get_cleaning_df_cls().get_unique_subsets()}
    keys |= {tuple(k) for k in importer.upsert_keys.values()}
    problems = []
    scan = _scan_cleaned(job.preview_file)
    names = set(scan.collect_schema().names())
    for key in sorted(k for k in keys if k and set(k) <= names and set(k) <= set(cleaned.columns)):
        values = cleaned.row(0, named=True)
        if any(values[c] is None for c in key):
            continue  # empty values repeat freely (NULL is distinct in a unique index)
        same = pl.all_horizontal(pl.col(c) == values[c] for c in key) & (pl.col(ROW) != row)
        other = scan.filter(same).select(ROW).head(1).collect()
        if other.is_empty():
            continue
        shown = ", ".join(str(values[c]) for c in key)
        message = _("Row %(other)s of the file has the same %(key)s (%(values)s).") % {
            "other": other.item(),
            "key": ", ".join(key),
            "values": shown,
        }
        problems.append(
            Problem(ProblemKind.DUPLICATE_KEY, Severity.ERROR, message, row, key[0], shown)
        )
    return problems


def _scan_cleaned(name: str) -> pl.LazyFrame:
    storage = upload_storage()
    try:
        return pl.scan_parquet(storage.path(name))
    except NotImplementedError:
        with storage.open(name, "rb") as handle:
            return pl.read_parquet(handle.read()).lazy()


def _patched(
    report: ImportReport,
    row: int,
    problems: list[StoredProblem],
    old: ImportResult,
    new: ImportResult,
) -> ImportReport:
    """``report`` with ``row``'s problems replaced and the counts moved by new - old."""
    kept = [p for p in report.problems if p.row != row]
    gone = [p for p in report.problems if p.row == row]
    merged = sorted([*kept, *problems], key=lambda p: (p.row is not None, p.row or 0))
    by_kind = dict(report.counts_by_kind)
    for p in gone:
        by_kind[p.kind] = by_kind.get(p.kind, 0) - 1
    for p in problems:
        by_kind[p.kind] = by_kind.get(p.kind, 0) + 1
    errors = sum(1 for p in problems if p.is_error) - sum(1 for p in gone if p.is_error)
    warnings = sum(1 for p in problems if not p.is_error) - sum(1 for p in gone if not p.is_error)
    return replace(
        report,
        problems=tuple(merged),
        problem_count=report.problem_count - len(gone) + len(problems),
        error_count=report.error_count + errors,
        warning_count=report.warning_count + warnings,
        counts_by_kind={k: n for k, n in by_kind.items() if n > 0},
        models=_moved_models(report.models, old.created, new.created),
        rows=_moved_rows(report.rows, old.rows, new.rows),
    )


def _moved_models(
    models: Sequence[ModelCount], old: Sequence[ModelCount], new: Sequence[ModelCount]
) -> tuple[ModelCount, ...]:
    before = {c.label: c for c in old}
    after = {c.label: c for c in new}
    moved = []
    for entry in models:
        b, a = before.get(entry.label), after.get(entry.label)

        def delta(name: str, b: ModelCount | None = b, a: ModelCount | None = a) -> int:
            return (getattr(a, name) if a else 0) - (getattr(b, name) if b else 0)

        moved.append(
            replace(
                entry,
                count=max(0, entry.count + delta("count")),
                updated=max(0, entry.updated + delta("updated")),
                unchanged=max(0, entry.unchanged + delta("unchanged")),
            )
        )
    known = {m.label for m in models}
    moved += [c for c in new if c.label not in known and c.count]
    return tuple(moved)


def _moved_rows(rows: RowAccounting, old: RowAccounting, new: RowAccounting) -> RowAccounting:
    changes = {}
    for f in fields(RowAccounting):
        value = getattr(rows, f.name)
        if isinstance(value, int) and not isinstance(value, bool):
            changes[f.name] = max(0, value + getattr(new, f.name) - getattr(old, f.name))
    return replace(rows, **changes)
