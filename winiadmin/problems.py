"""Problems found in a file: each names the row, the column and the value the user typed.

Row numbers are the ones a person sees in a spreadsheet: the header is row 1, the first data row
is row 2. A problem without a row concerns the whole file (a missing column, say). A workbook
whose sheets hold different models names the sheet too (``sheet``; ``None``: the file has one
table, or the problem concerns the whole file).
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Severity(StrEnum):
    #: Blocks the import unless the caller chose to skip invalid rows (then the row is skipped).
    ERROR = "error"
    #: Reported, never blocks: the cleaning rules dropped or changed something on purpose.
    WARNING = "warning"


class ProblemKind(StrEnum):
    UNREADABLE_FILE = "unreadable_file"
    MISSING_COLUMN = "missing_column"
    COLUMN_MAPPING = "column_mapping"
    UNEXPECTED_COLUMN = "unexpected_column"
    INVALID_VALUE = "invalid_value"
    MISSING_VALUE = "missing_value"
    DUPLICATE_ROW = "duplicate_row"
    DUPLICATE_KEY = "duplicate_key"
    NULL_ROW_DROPPED = "null_row_dropped"
    CLEANING_FAILED = "cleaning_failed"
    DATABASE_CONFLICT = "database_conflict"
    UNKNOWN_KEY = "unknown_key"
    LOAD_FAILED = "load_failed"
    IMPORTER_FAILED = "importer_failed"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    ProblemKind.UNREADABLE_FILE: _("Unreadable file"),
    ProblemKind.MISSING_COLUMN: _("Missing column"),
    ProblemKind.COLUMN_MAPPING: _("Column mapping"),
    ProblemKind.UNEXPECTED_COLUMN: _("Unexpected column"),
    ProblemKind.INVALID_VALUE: _("Invalid value"),
    ProblemKind.MISSING_VALUE: _("Missing value"),
    ProblemKind.DUPLICATE_ROW: _("Duplicate row"),
    ProblemKind.DUPLICATE_KEY: _("Same key, different values"),
    ProblemKind.NULL_ROW_DROPPED: _("Row dropped (empty key columns)"),
    ProblemKind.CLEANING_FAILED: _("Cleaning failed"),
    ProblemKind.DATABASE_CONFLICT: _("Database conflict"),
    ProblemKind.UNKNOWN_KEY: _("Unknown reference"),
    ProblemKind.LOAD_FAILED: _("Load failed"),
    ProblemKind.IMPORTER_FAILED: _("Error in the importer's code"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    kind: ProblemKind
    severity: Severity
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    #: The workbook's sheet the row is in, when an import reads several sheets.
    sheet: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = []
        if self.sheet is not None:
            where.append(gettext("sheet %(sheet)r") % {"sheet": self.sheet})
        if self.row is not None:
            where.append(gettext("row %(row)s") % {"row": self.row})
        if self.column is not None:
            where.append(gettext("column %(column)r") % {"column": self.column})
        if self.value is not None:
            where.append(gettext("value %(value)r") % {"value": self.value})
        prefix = ", ".join(where)
        return f"{prefix[:1].upper()}{prefix[1:]}: {self.message}" if prefix else self.message

    def in_sheet(self, sheet: str) -> "Problem":
        """This problem, naming ``sheet`` (unless it names one already)."""
        if self.sheet is not None:
            return self
        return Problem(
            self.kind, self.severity, self.message, self.row, self.column, self.value, sheet
        )


@dataclass(slots=True)
class ProblemReport:
    """Every problem of one run, in the order found; counts stay exact past ``limit``."""

    limit: int = 100_000
    _problems: list[Problem] = field(default_factory=list)
    _counts: Counter[tuple[ProblemKind, Severity]] = field(default_factory=Counter)
    _file_errors: int = 0

    def add(self, problem: Problem) -> None:
        self._counts[problem.kind, problem.severity] += 1
        if problem.is_error and problem.row is None:
            self._file_errors += 1
        if len(self._problems) < self.limit:
            self._problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._problems)

    def __len__(self) -> int:
        return sum(self._counts.values())

    def __bool__(self) -> bool:
        return bool(self._counts)

    @property
    def truncated(self) -> bool:
        return len(self) > len(self._problems)

    @property
    def error_count(self) -> int:
        return sum(n for (_kind, sev), n in self._counts.items() if sev is Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return len(self) - self.error_count

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    @property
    def has_file_errors(self) -> bool:
        """Errors no row skipping can cure (a missing column, an unreadable file…)."""
        return self._file_errors > 0

    def counts_by_kind(self) -> dict[ProblemKind, int]:
        counts: Counter[ProblemKind] = Counter()
        for (kind, _severity), n in self._counts.items():
            counts[kind] += n
        return dict(counts)

    def errors(self) -> list[Problem]:
        return [p for p in self._problems if p.is_error]

    def warnings(self) -> list[Problem]:
        return [p for p in self._problems if not p.is_error]
