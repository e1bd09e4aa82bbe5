"""An ``ImportResult`` as the ``ImportReport`` an ``ImportJob`` keeps (stored as its JSON by
``winiadmin.import_report``, the one place that converts it to and from JSON)."""

import polars as pl

from winiadmin.conf import get_config
from winiadmin.db.lookups import MappedKeys, lookup_key
from winiadmin.import_report import (
    ChangedCell,
    ColumnMatches,
    ColumnProfile,
    ImportReport,
    MappedColumn,
    MappedLookup,
    MappedValue,
    ReadSource,
    SheetPreview,
    StoredChange,
    StoredColumn,
    StoredProblem,
    StoredProposal,
    StoredReading,
    UnmatchedLookup,
    UnmatchedValue,
)
from winiadmin.problems import Problem
from winiadmin.results import ImportResult

#: Problems kept in a job's report; the counts stay exact beyond it.
STORED_PROBLEMS = 10_000


def stored_problem(problem: Problem) -> StoredProblem:
    return StoredProblem(
        kind=problem.kind.value,
        label=str(problem.kind.label),
        severity=problem.severity.value,
        message=problem.message,
        row=problem.row,
        column=problem.column,
        value=problem.value,
        sheet=problem.sheet,
    )


def build_report(result: ImportResult) -> ImportReport:
    """What the job keeps of ``result`` (stored as ``ImportReport.to_json()``)."""
    problems = result.problems
    # File-level problems first, then by row as the file reads (a workbook: sheet by sheet).
    ordered = sorted(
        problems, key=lambda p: (p.row is not None, p.sheet or "", p.row or 0, not p.is_error)
    )
    return ImportReport(
        status=result.status.value,
        error=result.error,
        rows_read=result.rows_read,
        rows_cleaned=result.rows_cleaned,
        rows_skipped=result.rows_skipped,
        rows=result.rows,
        skipped_rows=tuple(result.skipped_rows[:STORED_PROBLEMS]),
        timings={stage.value: round(secs, 4) for stage, secs in result.timings.items()},
        total_seconds=round(result.total_seconds, 4),
        source=ReadSource(dict(result.source_info)),
        sheets=tuple(result.sheets),
        header_row=result.header_row,
        models=tuple(result.created),
        upserted=any(c.updated or c.unchanged for c in result.created),
        changes=changes_report(result),
        changes_limit=get_config().MAX_DIFFS,
        problems=tuple(stored_problem(p) for p in ordered[:STORED_PROBLEMS]),
        problem_count=len(problems),
        error_count=problems.error_count,
        warning_count=problems.warning_count,
        file_errors=sum(1 for p in problems.errors() if p.row is None),
        counts_by_kind={k.value: n for k, n in problems.counts_by_kind().items()},
        columns=tuple(StoredColumn(n, str(t)) for n, t in result.cleaned_frame.schema.items()),
        profile=column_profile(result.cleaned_frame),
        column_mapping=mapping_report(result),
        unmatched=unmatched_report(result),
        mapped=mapped_report(result),
        sheet_previews=sheet_previews(result),
        unskippable=unskippable(result),
        proposals=tuple(
            StoredProposal(
                column=p.column,
                header=p.header,
                message=p.message,
                cells=p.cells,
                readings=tuple(
                    StoredReading(r.conventions.to_json(), r.description, r.examples)
                    for r in p.readings
                ),
            )
            for p in result.proposals
        ),
    )


def sheet_previews(result: ImportResult) -> tuple[SheetPreview, ...]:
    """Each sheet's first cleaned rows (a workbook with a sheet per model), as text."""
    return tuple(
        SheetPreview(
            name,
            tuple(frame.columns),
            tuple(tuple(_shown(v) for v in row) for row in frame.rows()),
            tuple(str(dtype) for dtype in frame.dtypes),
        )
        for name, frame in result.sheet_previews.items()
    )


def unskippable(result: ImportResult) -> bool:
    """Whether "skip invalid rows" cannot help: a workbook of several sheets (all or nothing),
    or many-to-many values that match nothing (their rows are stored before their links)."""
    many = any(u.separator is not None and not u.created for u in result.unmatched)
    return bool(result.sheet_previews) or many


def mapped_report(result: ImportResult) -> tuple[MappedLookup, ...]:
    """Per lookup, the values resolved through saved value mappings (see db/lookups)."""
    return tuple(
        MappedLookup(
            key=lookup_key(m.lookup.model, m.lookup.field),
            column=m.lookup.source_column,
            by=m.lookup.by,
            verbose_name=str(m.lookup.target._meta.verbose_name),
            values=tuple(
                MappedValue(str(value), *m.targets[value], m.counts.get(value, 0))
                for value in _file_order(m)[:STORED_PROBLEMS]
            ),
        )
        for m in result.mapped
        if m.targets
    )


def _file_order(mapped: MappedKeys) -> list[object]:
    """The mapped values in the order the file first names them (their counts are)."""
    return [*mapped.counts, *(v for v in mapped.targets if v not in mapped.counts)]


def unmatched_report(result: ImportResult) -> tuple[UnmatchedLookup, ...]:
    """Per lookup, the values that matched nothing: count and first rows (see db/lookups)."""
    report: list[UnmatchedLookup] = []
    for unmatched in result.unmatched:
        lookup = unmatched.lookup
        meta = lookup.target._meta
        report.append(
            UnmatchedLookup(
                field=lookup.field,
                column=lookup.source_column,
                by=lookup.by,
                target=meta.label,
                verbose_name=str(meta.verbose_name),
                verbose_name_plural=str(meta.verbose_name_plural),
                can_create=unmatched.can_create,
                created=unmatched.created,
                reference=unmatched.reference,
                description=unmatched.describe(),
                key=lookup_key(lookup.model, lookup.field),
                values=tuple(
                    UnmatchedValue(str(value), count, tuple(unmatched.rows.get(value, [])))
                    for value, count in list(unmatched.counts.items())[:STORED_PROBLEMS]
                ),
            )
        )
    return tuple(report)


def changes_report(result: ImportResult) -> tuple[StoredChange, ...]:
    """The updated rows kept (``MAX_DIFFS`` per model): row, key, and each field's old → new."""
    verbose = {c.label: c.verbose_name for c in result.created}
    return tuple(
        StoredChange(
            label=label,
            verbose_name=verbose.get(label, label),
            row=change.row,
            key=", ".join(_shown(v) for v in change.key),
            cells=tuple(
                ChangedCell(name, _shown(old), _shown(new))
                for name, (old, new) in change.changes.items()
            ),
        )
        for label, changes in result.changes.items()
        for change in changes
    )


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def mapping_report(result: ImportResult) -> ColumnMatches | None:
    """How the file's headers were matched, with sample values (``None``: never got that far)."""
    matches = result.column_matches
    if matches is None:
        return None
    return ColumnMatches(
        columns=tuple(
            MappedColumn(
                header=c.header,
                target=c.target,
                reason=c.reason.value,
                score=c.score,
                samples=tuple(result.column_samples.get(c.header, [])),
            )
            for c in matches.columns
        ),
        expected=tuple(matches.expected),
        unmatched=tuple(matches.unmatched),
        needs_review=matches.needs_review,
        fingerprint=matches.fingerprint,
    )


def column_profile(frame: pl.DataFrame) -> tuple[ColumnProfile, ...]:
    """Per column: null share, distinct values, min and max (as text), for the preview."""
    if frame.is_empty():
        return tuple(ColumnProfile(n, str(t)) for n, t in frame.schema.items())
    height = frame.height
    stats = frame.select(
        *[pl.col(c).null_count().alias(f"{c}\x00nulls") for c in frame.columns],
        *[pl.col(c).n_unique().alias(f"{c}\x00distinct") for c in frame.columns],
    ).row(0, named=True)
    profile: list[ColumnProfile] = []
    for name, dtype in frame.schema.items():
        orderable = dtype.is_numeric() or dtype.is_temporal() or dtype == pl.String
        column = frame.get_column(name)
        profile.append(
            ColumnProfile(
                name=name,
                dtype=str(dtype),
                nulls=stats[f"{name}\x00nulls"] / height,
                distinct=stats[f"{name}\x00distinct"],
                min=_text(column.min()) if orderable else None,
                max=_text(column.max()) if orderable else None,
            )
        )
    return tuple(profile)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
