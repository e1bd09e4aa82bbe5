"""The preview's cleaned-data grid: one page of rows, formatted, with the cells that have problems
marked, optionally only the rows with problems.

Rows an error kept out of the cleaned data (a value that cannot be read, a required cell left
empty) are not in the stored frame; the problems-only view shows them as they were typed in the
file, marked *not imported*, so that each problem is seen where its value is.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

from django.db.models import Model

from winiadmin.admin.cell_format import (
    ColumnFormat,
    column_formats,
    dtype_in_words,
    format_text,
    format_value,
)
from winiadmin.admin.paging import PageInfo
from winiadmin.admin.responses import model_or_none
from winiadmin.conf import get_config
from winiadmin.exceptions import ImporterNotFound
from winiadmin.import_report import ColumnProfile, ImportReport, StoredColumn, StoredProblem
from winiadmin.importers import get_importer
from winiadmin.jobs.frames import count_rows, read_page, rows_among, stored_row_numbers
from winiadmin.models import ImportJob
from winiadmin.readers import ReadOptions, read_table


@dataclass(frozen=True, slots=True)
class GridCell:
    #: ``None``: an empty cell.
    text: str | None
    #: A number, aligned on the right.
    numeric: bool = False
    #: The messages of the problems found in this cell.
    problems: tuple[str, ...] = ()
    #: ``"error"``, ``"warning"`` or ``""``.
    severity: str = ""

    @property
    def title(self) -> str:
        return " ".join(self.problems)


@dataclass(frozen=True, slots=True)
class GridRow:
    #: The row number in the file (header = row 1).
    number: int
    cells: tuple[GridCell, ...]
    severity: str = ""
    #: Not in the cleaned data: the cells are the file's text as typed.
    left_out: bool = False
    #: Problems of the row that name no column of the grid.
    row_problems: tuple[str, ...] = ()


@dataclass
class ProblemIndex:
    """The report's problems by (row, grid column) and by row."""

    cells: dict[tuple[int, str], list[StoredProblem]] = field(default_factory=dict)
    rows: dict[int, list[StoredProblem]] = field(default_factory=dict)
    #: Per row, the problems that name no column of the grid (a duplicate key's other columns…).
    elsewhere: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def from_report(cls, report: ImportReport, names: list[str]) -> "ProblemIndex":
        to_column = _header_to_column(report) | {name: name for name in names}
        cells: dict[tuple[int, str], list[StoredProblem]] = defaultdict(list)
        rows: dict[int, list[StoredProblem]] = defaultdict(list)
        elsewhere: dict[int, list[str]] = defaultdict(list)
        for problem in report.problems:
            if problem.row is None:
                continue  # a problem of the whole file: the problem list shows it
            rows[problem.row].append(problem)
            column = to_column.get(problem.column or "")
            if column is not None:
                cells[(problem.row, column)].append(problem)
            else:
                elsewhere[problem.row].append(problem.message)
        return cls(dict(cells), dict(rows), dict(elsewhere))

    def cell(self, row: int, column: ColumnFormat, text: str | None, *, typed: bool) -> GridCell:
        found = self.cells.get((row, column.name), [])
        numeric = column.numeric and not typed
        return GridCell(text, numeric, tuple(p.message for p in found), _severity(found))

    def row(self, number: int, cells: tuple[GridCell, ...], *, left_out: bool) -> GridRow:
        found = self.rows.get(number, [])
        elsewhere = tuple(self.elsewhere.get(number, []))
        return GridRow(number, cells, _severity(found), left_out, elsewhere)


def _severity(problems: list[StoredProblem]) -> str:
    severities = {p.severity for p in problems}
    return "error" if "error" in severities else ("warning" if severities else "")


def _header_to_column(report: ImportReport) -> dict[str, str]:
    """File header → the column it became (problems may name either)."""
    mapping = report.column_mapping
    columns = mapping.columns if mapping is not None else ()
    return {c.header: c.target for c in columns if c.target}


def job_models(job: ImportJob) -> list[type[Model]]:
    """The importer's models, the one the wizard was started from first."""
    try:
        models = list(get_importer(job.importer).models)
    except ImporterNotFound:
        models = []
    target = model_or_none(job.target_model)
    return [target, *(m for m in models if m is not target)] if target in models else models


def rows_context(
    job: ImportJob, raw_page: str | None, only_problems: bool = False, row: int | None = None
) -> dict[str, Any]:
    """One page of the cleaned rows (or of the rows with problems), ready to show; ``row``: the
    page of the rows with problems that holds this file row (a problem's link to its row)."""
    report = job.import_report
    size = get_config().PAGE_SIZE
    stored = job.preview_file
    total = count_rows(stored) if stored else 0
    columns = report.columns
    if not columns and total:  # the dry run still runs: the stored frame names the columns
        schema = read_page(stored, 0, 1).schema
        columns = tuple(StoredColumn(c, str(t)) for c, t in schema.items())[1:]
    shown = column_formats(columns, job_models(job))
    # While a check runs, the report (if any) is the previous run's: its problems are not these.
    index = ProblemIndex.from_report(
        ImportReport() if job.is_active else report, [c.name for c in shown]
    )
    with_problems = sorted(index.rows)
    if only_problems:
        if row is not None and row in index.rows:
            raw_page = str(with_problems.index(row) // size + 1)
        page = PageInfo.from_request(raw_page, size, len(with_problems))
        rows = _problem_rows(job, shown, index, with_problems[page.offset : page.end_index])
    else:
        page = PageInfo.from_request(raw_page, size, total)
        frame = read_page(stored, page.offset, page.size) if total else None
        values = frame.rows() if frame is not None else []
        rows = [_kept_row(v, shown, index) for v in values]
    return {
        "job": job,
        "rows_page": page,
        "columns": shown,
        "rows": rows,
        "shown_row": row,
        "only_problems": only_problems,
        "problem_row_count": len(with_problems),
        "rows_query": "&problems=1" if only_problems else "",
    }


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """A column of the profile as the preview shows it: its type in words, min and max as the
    grid shows values."""

    name: str
    dtype: str
    words: str
    nulls: float
    distinct: int
    min: str | None
    max: str | None

    @classmethod
    def of(
        cls, column: ColumnProfile, words: str, min_: str | None, max_: str | None
    ) -> "ProfileRow":
        return cls(column.name, column.dtype, words, column.nulls, column.distinct, min_, max_)


def profile_columns(report: ImportReport, shown: list[ColumnFormat]) -> list[ProfileRow]:
    """The report's column profile with each column's type in the grid's words."""
    by_name = {c.name: c for c in shown}
    rows = []
    for column in report.profile:
        shown_as = by_name.get(column.name)
        if shown_as is None:
            rows.append(ProfileRow.of(column, dtype_in_words(column.dtype), column.min, column.max))
            continue
        min_, max_ = format_text(column.min, shown_as), format_text(column.max, shown_as)
        rows.append(ProfileRow.of(column, shown_as.words, min_, max_))
    return rows


def _kept_row(values: tuple[Any, ...], shown: list[ColumnFormat], index: ProblemIndex) -> GridRow:
    number = int(values[0])
    cells = tuple(
        index.cell(number, column, format_value(value, column.decimal_places), typed=False)
        for column, value in zip(shown, values[1:], strict=False)
    )
    return index.row(number, cells, left_out=False)


def _problem_rows(
    job: ImportJob, shown: list[ColumnFormat], index: ProblemIndex, numbers: list[int]
) -> list[GridRow]:
    """Rows ``numbers``: from the cleaned frame when kept, else as typed in the file."""
    kept_numbers = set(stored_row_numbers(job.preview_file, numbers)) if job.preview_file else set()
    kept = {}
    if kept_numbers:
        frame = rows_among(job.preview_file, sorted(kept_numbers))
        kept = {int(v[0]): _kept_row(v, shown, index) for v in frame.rows()}
    left = [n for n in numbers if n not in kept]
    typed = _typed_rows(job, left) if left else {}
    rows = []
    for number in numbers:
        if number in kept:
            rows.append(kept[number])
            continue
        values = typed.get(number, {})
        cells = tuple(index.cell(number, c, _typed(values.get(c.name)), typed=True) for c in shown)
        rows.append(index.row(number, cells, left_out=True))
    return rows


def _typed(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _typed_rows(job: ImportJob, numbers: list[int]) -> dict[int, dict[str, Any]]:
    """The file's cells of rows ``numbers`` as typed, by the grid column each header became."""
    if not job.file:
        return {}
    with job.file.open("rb") as handle:
        table = read_table(
            cast("BinaryIO", handle), ReadOptions(**job.read_options), name=job.original_name
        )
    wanted = table.row_numbers.is_in(numbers)
    to_column = _header_to_column(job.import_report)
    names = [to_column.get(h, h) for h in table.frame.columns]
    numbers_kept = table.row_numbers.filter(wanted).to_list()
    rows = zip(numbers_kept, table.frame.filter(wanted).rows(), strict=True)
    return {int(n): dict(zip(names, values, strict=False)) for n, values in rows}
