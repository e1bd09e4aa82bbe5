"""A workbook whose sheets hold different models, imported in one run (``Importer.sheets``).

Every declared sheet is read from the one workbook (xlsx/ods, the Excel reader), its headers
matched and its rows cleaned with the sheet's own cleaning class; the importer's
``get_frames_by_sheet`` turns the cleaned sheets into model frames, which load in one
transaction, parents first, by the frame loader (references between sheets, lookups, upserts,
many-to-many fields, the dry run: all as for one frame per model).

Rows of different sheets share numbers (row 2 of *Customers*, row 2 of *Orders*), and the row
accounting, the rows left out and the problems all count rows by number. Inside the run, sheet
``i``'s rows are therefore numbered ``(i + 1) * SHEET_ROWS + row``; at the end every problem,
unmatched value and change gets back its row as the sheet shows it, and its sheet's name.

All or nothing: "skip invalid rows" is not offered for a workbook of several sheets yet (a
row left out of one sheet would leave the rows of other sheets pointing at it).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, cast

import polars as pl
from django.utils.translation import gettext as _

from winiadmin.cleaning.mapping import MappingError, match_file_columns
from winiadmin.cleaning.stage import CleaningOutcome, clean_table
from winiadmin.cleaning.tracking import DUPLICATE_KEY_POLICIES, DuplicateKeyPolicy, rename_map_of
from winiadmin.conf import get_config
from winiadmin.db.model_frame import ROW_NUMBER_COLUMN
from winiadmin.exceptions import FileReadError, RowProblems, WiniadminError
from winiadmin.pipeline.counts import changes_by_label, model_counts
from winiadmin.pipeline.frame_load import frame_load_stage
from winiadmin.pipeline.sheets import Sheet, frames_by_sheet, sheets_of
from winiadmin.pipeline.unmatched import record_unmatched, unmatched_error
from winiadmin.problems import Problem, ProblemKind, ProblemReport, Severity
from winiadmin.readers import RawTable, read_table
from winiadmin.readers.source import load_source
from winiadmin.results import ImportStatus, Stage

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from winiadmin.pipeline.run_state import BatchRun
    from winiadmin.pipeline.spec import FramesByModel
    from winiadmin.readers import Source

#: Row numbers of sheet ``i`` inside the run start at ``(i + 1) * SHEET_ROWS`` (see above).
SHEET_ROWS = 1_000_000_000


def run_workbook(run: BatchRun, source: object) -> None:
    """Fill ``run.result`` like ``_Run._execute`` does for a file of one table.

    ``source``: the workbook file (a path, bytes, a binary file).
    """
    sheets = sheets_of(run.spec)
    if isinstance(source, pl.DataFrame | RawTable) or callable(source):
        msg = _("This importer reads a workbook file (sheets: %(sheets)s), not a table.")
        raise FileReadError(msg % {"sheets": ", ".join(s.name for s in sheets)})
    if run.settings.skip_invalid:
        msg = _(
            "A workbook of several sheets is imported all or nothing: skipping invalid rows "
            "is not available for it. Fix the problems, then import again."
        )
        raise WiniadminError(msg)
    workbook = cast("Source", source)
    tables = _timed(run, Stage.READ, lambda: _read(run, sheets, workbook))
    run.result.rows_read = sum(t.frame.height for t in tables)
    first = tables[0]
    # No sheet to choose (the wizard offers a choice when ``sheets`` lists several).
    run.result.sheets, run.result.header_row = (), None
    run.result.source_info = {"format": first.format, "sheets": ", ".join(s.name for s in sheets)}
    try:
        _import(run, sheets, tables)
    finally:
        _name_sheets(run, [s.name for s in sheets])


def _import(run: BatchRun, sheets: tuple[Sheet, ...], tables: list[RawTable]) -> None:
    outcomes = _timed(
        run, Stage.CLEAN, lambda: [_clean(run, s, t) for s, t in zip(sheets, tables, strict=True)]
    )
    for outcome in outcomes:
        run.result.problems.extend(outcome.problems)
        run.result.rows_cleaned += outcome.frame.height
        run.tally.note_cleaned(outcome.row_numbers, outcome.invalid_rows)
    run.keep_preview(_as_read(outcomes[0]))
    shown = get_config().PREVIEW_ROWS
    run.result.sheet_previews = {
        sheet.name: outcome.frame.head(shown)
        for sheet, outcome in zip(sheets, outcomes, strict=True)
    }
    if any(outcome.has_file_errors for outcome in outcomes):
        run.result.error = _("The file cannot be imported; see the problems.")
        return
    blocked = any(outcome.invalid_rows for outcome in outcomes)
    try:
        frames = _timed(run, Stage.TRANSFORM, lambda: _transform(run, sheets, outcomes))
    except RowProblems as exc:
        run.result.problems.extend(exc.problems)
        run.explain_blocked()
        return
    settings = run.load_settings(rollback=blocked)
    settings.rows = run.result.rows_cleaned
    with run.loading():
        loaded = _timed(run, Stage.LOAD, lambda: frame_load_stage(frames, settings))
    run.result.problems.extend(loaded.problems)
    run.result.created = model_counts(loaded.counts, loaded.tallies, loaded.removed)
    run.result.changes = changes_by_label(loaded.tallies)
    run.result.created_pks = {m._meta.label: pks for m, pks in loaded.pks.items()}
    record_unmatched(run.result, run.resolver)
    rows = pl.concat([outcome.row_numbers for outcome in outcomes])
    left_out = [*(p.row for p in loaded.problems), *run.resolver.dropped_rows]
    run.tally.note_load(left_out, rows, loaded.tallies)
    if run.unmatched_blocks():
        run.result.status = ImportStatus.INVALID
        run.result.error = unmatched_error(run.resolver)
    elif loaded.blocking or loaded.has_conflicts:
        run.result.status = ImportStatus.INVALID
        run.result.error = _("Some rows conflict with data in the database; nothing was written.")
    elif blocked:
        run.explain_blocked()
    else:
        dry_run = run.settings.dry_run
        run.result.status = ImportStatus.DRY_RUN if dry_run else ImportStatus.SUCCEEDED


def _read(run: BatchRun, sheets: tuple[Sheet, ...], source: Source) -> list[RawTable]:
    """Each declared sheet of the workbook, its rows numbered for the run (see above)."""
    options = run.settings.read_options
    data, name = load_source(source, options.get_limits().file_size)
    name = run.settings.file_name or name
    tables = []
    for i, sheet in enumerate(sheets):
        try:
            table = read_table(data, replace(options, sheet=sheet.name), name=name)
        except FileReadError as exc:
            raise FileReadError(f"{sheet.name}: {exc}") from exc
        if table.sheet is None:
            msg = _("This importer reads a workbook (sheets: %(sheets)s); this file has none.")
            raise FileReadError(msg % {"sheets": ", ".join(s.name for s in sheets)})
        offset = (i + 1) * SHEET_ROWS
        problems = tuple(replace(p, row=p.row + offset) if p.row else p for p in table.problems)
        numbers = table.row_numbers + offset
        tables.append(replace(table, row_numbers=numbers, problems=problems))
    return tables


def _clean(run: BatchRun, sheet: Sheet, table: RawTable) -> CleaningOutcome:
    """The sheet's headers matched to its cleaning class's columns, then cleaned by it."""
    file_names = rename_map_of(sheet.cleaning_df_cls)
    aliases = getattr(run.spec, "column_aliases", None) or {}
    policy: DuplicateKeyPolicy = getattr(run.spec, "on_duplicate_key", "error")
    if policy not in DUPLICATE_KEY_POLICIES:  # what run.duplicate_key_policy_of refuses too
        msg = f"on_duplicate_key is {policy!r}; it must be one of {DUPLICATE_KEY_POLICIES}."
        raise WiniadminError(msg)
    with run.importer_code():
        try:
            matches = match_file_columns(
                list(table.headers) or table.frame.columns,
                list(file_names.values()),
                {file_names.get(n, n): names for n, names in aliases.items()},
            )
        except MappingError as exc:
            problem = Problem(
                ProblemKind.COLUMN_MAPPING, Severity.ERROR, str(exc), sheet=sheet.name
            )
            return CleaningOutcome(pl.DataFrame(), table.row_numbers.clear(), [problem])
        frame, rows = matches.apply(table.frame), table.row_numbers
        read_rows = {p.row for p in table.problems if p.is_error and p.row is not None}
        if read_rows:
            keep = ~rows.is_in(list(read_rows))
            frame, rows = frame.filter(keep), rows.filter(keep)
        outcome = clean_table(frame, sheet.cleaning_df_cls, rows, duplicate_keys=policy)
    # Problems without a row (a missing column) are named by their sheet here; the others at
    # the end, by their row number.
    outcome.problems = [
        p if p.row is not None else p.in_sheet(sheet.name)
        for p in [*table.problems, *outcome.problems]
    ]
    outcome.invalid_rows = tuple(sorted({*outcome.invalid_rows, *read_rows}))
    return outcome


def _transform(
    run: BatchRun, sheets: tuple[Sheet, ...], outcomes: list[CleaningOutcome]
) -> FramesByModel:
    cleaned = {
        sheet.name: outcome.frame.with_columns(outcome.row_numbers.alias(ROW_NUMBER_COLUMN))
        for sheet, outcome in zip(sheets, outcomes, strict=True)
    }
    with run.importer_code():
        transform: Callable[[Mapping[str, pl.DataFrame]], FramesByModel] | None = getattr(
            run.spec, "get_frames_by_sheet", None
        )
        frames = transform(cleaned) if transform is not None else frames_by_sheet(sheets, cleaned)
    run.check_writes(frames)
    return frames


def _as_read(outcome: CleaningOutcome) -> CleaningOutcome:
    """The first sheet's cleaned rows with its own row numbers (what the preview shows)."""
    return replace(outcome, row_numbers=outcome.row_numbers % SHEET_ROWS)


def _name_sheets(run: BatchRun, names: Sequence[str]) -> None:
    """Give every problem, unmatched value and change its sheet's row number (and its sheet)."""
    result = run.result
    named = ProblemReport(limit=result.problems.limit)
    named.extend(_named(p, names) for p in result.problems)
    result.problems = named
    for unmatched in result.unmatched:
        unmatched.rows = {v: [r % SHEET_ROWS for r in rows] for v, rows in unmatched.rows.items()}
        unmatched.all_rows = {
            v: [r % SHEET_ROWS for r in rows] for v, rows in unmatched.all_rows.items()
        }
    result.changes = {
        label: [replace(c, row=None if c.row is None else c.row % SHEET_ROWS) for c in changes]
        for label, changes in result.changes.items()
    }
    result.skipped_rows = tuple(sorted({r % SHEET_ROWS for r in result.skipped_rows}))


def _named(problem: Problem, names: Sequence[str]) -> Problem:
    if problem.row is None or problem.row < SHEET_ROWS:
        return problem
    sheet = names[problem.row // SHEET_ROWS - 1]
    return replace(problem, row=problem.row % SHEET_ROWS, sheet=problem.sheet or sheet)


def _timed[T](run: BatchRun, stage: Stage, work: Callable[[], T]) -> T:
    run.deadline.check()
    started = time.perf_counter()
    try:
        return work()
    finally:
        run.result.timings[stage] = run.result.timings.get(stage, 0.0) + (
            time.perf_counter() - started
        )
