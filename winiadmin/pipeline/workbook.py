"""A workbook whose sheets hold different models (``ImportDeclarations.sheets``), as one batch of
the one run.

:func:`workbook_file` is a batch source (like ``batches.whole_file``) whose single batch is a
:class:`~.sheets.SheetTables`: every declared sheet read from the one workbook (xlsx/ods, the
Excel reader). The run cleans it with :func:`clean_sheets` (each sheet's headers matched and its
rows cleaned by the sheet's own cleaning class), transforms it with the importer's
``get_frames_by_sheet``, and loads and judges it like any batch: the frame loader (references
between sheets, lookups, upserts, many-to-many fields), the run's one transaction and verdict.

Rows of different sheets share numbers (row 2 of *Customers*, row 2 of *Orders*), and the row
accounting, the rows left out and the problems all count rows by number. Inside the run, sheet
``i``'s rows are therefore numbered ``(i + 1) * SHEET_ROWS + row``; at the end
(:func:`name_sheets`) every problem, unmatched value and change gets back its row as the sheet
shows it, and its sheet's name.

All or nothing: "skip invalid rows" is refused for a workbook of several sheets (a row left out
of one sheet would leave the rows of other sheets pointing at it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import polars as pl
from django.utils.translation import gettext as _

from winiadmin.cleaning.base import column_aliases_of, column_names_of
from winiadmin.cleaning.mapping import MappingError, match_file_columns
from winiadmin.cleaning.stage import CleaningOutcome, clean_table, optional_cols_of
from winiadmin.cleaning.tracking import rename_map_of
from winiadmin.db.model_frame import ROW_NUMBER_COLUMN
from winiadmin.exceptions import FileReadError, WiniadminError
from winiadmin.pipeline.batches import BatchSource
from winiadmin.pipeline.sheets import Sheet, SheetTables
from winiadmin.problems import Problem, ProblemKind, ProblemReport, Severity
from winiadmin.progress import Progress
from winiadmin.readers import RawTable, ReadOptions, read_table
from winiadmin.readers.source import load_source
from winiadmin.results import Stage

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from winiadmin.cleaning.conventions import FileConventions
    from winiadmin.cleaning.tracking import DuplicateKeyPolicy
    from winiadmin.pipeline.batches import ReadSource
    from winiadmin.progress import ProgressCallback
    from winiadmin.readers import Source
    from winiadmin.results import ImportResult

#: Row numbers of sheet ``i`` inside the run start at ``(i + 1) * SHEET_ROWS`` (see above).
SHEET_ROWS = 1_000_000_000


def workbook_file(  # noqa: PLR0913 - a batch source's own arguments and the run's two choices
    source: ReadSource,
    sheets: tuple[Sheet, ...],
    options: ReadOptions,
    *,
    file_name: str | None,
    skip_invalid: bool,
    progress: ProgressCallback,
) -> BatchSource[SheetTables]:
    """One batch: the declared ``sheets`` of the workbook ``source`` (a path, bytes, a binary
    file; a frame or table already read is refused, as is skipping invalid rows)."""
    names = ", ".join(s.name for s in sheets)
    if isinstance(source, pl.DataFrame | RawTable) or callable(source):
        msg = _("This importer reads a workbook file (sheets: %(sheets)s), not a table.")
        raise FileReadError(msg % {"sheets": names})
    if skip_invalid:
        msg = _(
            "A workbook of several sheets is imported all or nothing: skipping invalid rows "
            "is not available for it. Fix the problems, then import again."
        )
        raise WiniadminError(msg)

    workbook: Source = source  # not a frame, a table nor a callable: a file

    def tables() -> Iterator[SheetTables]:
        progress(Progress(Stage.READ, 0, None))
        yield _read(workbook, sheets, options, file_name)

    return BatchSource(tables())


def _read(
    source: Source, sheets: tuple[Sheet, ...], options: ReadOptions, file_name: str | None
) -> SheetTables:
    """Each declared sheet of the workbook, its rows numbered for the run (see above)."""
    data, name = load_source(source, options.get_limits().file_size)
    name = file_name or name
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
    return SheetTables(sheets, tuple(tables))


@dataclass(frozen=True, slots=True)
class CleanedSheets:
    """A workbook's batch cleaned: one outcome per sheet, in the order of its ``sheets``."""

    sheets: tuple[Sheet, ...]
    outcomes: tuple[CleaningOutcome, ...]

    def combined(self) -> CleaningOutcome:
        """What the run records of the batch: every sheet's problems, rows and invalid rows. Its
        frame is empty: the sheets' columns differ (the transform reads :meth:`frames`)."""
        return CleaningOutcome(
            pl.DataFrame(),
            pl.concat([o.row_numbers for o in self.outcomes]),
            [p for o in self.outcomes for p in o.problems],
            tuple(sorted({r for o in self.outcomes for r in o.invalid_rows})),
        )

    def first_as_read(self) -> CleaningOutcome:
        """The first sheet's cleaned rows with its own row numbers (what the preview shows)."""
        first = self.outcomes[0]
        return replace(first, row_numbers=first.row_numbers % SHEET_ROWS)

    def frames(self) -> dict[str, pl.DataFrame]:
        """Each sheet's cleaned frame with ``ROW_NUMBER_COLUMN`` (``get_frames_by_sheet``)."""
        return {
            sheet.name: outcome.frame.with_columns(outcome.row_numbers.alias(ROW_NUMBER_COLUMN))
            for sheet, outcome in zip(self.sheets, self.outcomes, strict=True)
        }

    def previews(self, rows: int) -> dict[str, pl.DataFrame]:
        return {
            sheet.name: outcome.frame.head(rows)
            for sheet, outcome in zip(self.sheets, self.outcomes, strict=True)
        }


def clean_sheets(
    batch: SheetTables,
    policy: DuplicateKeyPolicy,
    conventions: FileConventions | None = None,
) -> CleanedSheets:
    """Every sheet of the batch cleaned by its own class (the caller runs this as importer
    code: the cleaning classes' hooks)."""
    outcomes = tuple(
        clean_sheet(sheet, table, policy, conventions)
        for sheet, table in zip(batch.sheets, batch.tables, strict=True)
    )
    return CleanedSheets(batch.sheets, outcomes)


def clean_sheet(
    sheet: Sheet,
    table: RawTable,
    policy: DuplicateKeyPolicy,
    conventions: FileConventions | None = None,
) -> CleaningOutcome:
    """The sheet's headers matched to its cleaning class's columns (with the class's aliases
    and other names), then cleaned by it."""
    cleaning_cls = sheet.cleaning_df_cls
    file_names = rename_map_of(cleaning_cls)
    try:
        matches = match_file_columns(
            list(table.headers) or table.frame.columns,
            list(file_names.values()),
            {
                file_names.get(n, n): tuple(names)
                for n, names in column_aliases_of(cleaning_cls).items()
            },
            optional=[file_names[name] for name in optional_cols_of(cleaning_cls)],
            names={
                file_names.get(n, n): others for n, others in column_names_of(cleaning_cls).items()
            },
        )
    except MappingError as exc:
        problem = Problem(ProblemKind.COLUMN_MAPPING, Severity.ERROR, str(exc), sheet=sheet.name)
        return CleaningOutcome(pl.DataFrame(), table.row_numbers.clear(), [problem])
    frame, rows = matches.apply(table.frame), table.row_numbers
    # Rows the reader could not take as they are: errors already, left out of cleaning.
    read_rows = {p.row for p in table.problems if p.is_error and p.row is not None}
    if read_rows:
        keep = ~rows.is_in(list(read_rows))
        frame, rows = frame.filter(keep), rows.filter(keep)
    outcome = clean_table(frame, cleaning_cls, rows, duplicate_keys=policy, conventions=conventions)
    # Problems without a row (a missing column) are named by their sheet here; the others at
    # the end, by their row number (name_sheets).
    outcome.problems = [
        p if p.row is not None else p.in_sheet(sheet.name)
        for p in [*table.problems, *outcome.problems]
    ]
    outcome.invalid_rows = tuple(sorted({*outcome.invalid_rows, *read_rows}))
    return outcome


def name_sheets(result: ImportResult, names: Sequence[str]) -> None:
    """Give every problem, unmatched value and change its sheet's row number (and its sheet)."""
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
