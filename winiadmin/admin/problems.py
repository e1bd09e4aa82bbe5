"""The problem list of a job as the preview shows it: grouped, filtered, and as a CSV download."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from winiadmin.import_report import StoredProblem
from winiadmin.jobs.rejected import original_rows
from winiadmin.spreadsheets import csv_text

if TYPE_CHECKING:
    from winiadmin.models import ImportJob


@dataclass(frozen=True, slots=True)
class ProblemGroup:
    """Problems of one kind, column and severity, and how many (a link filters the list)."""

    kind: str
    label: str
    #: ``""``: problems naming no column.
    column: str
    severity: str
    count: int


def problem_groups(problems: Iterable[StoredProblem]) -> list[ProblemGroup]:
    """(kind, column, severity) with their counts, errors first, most frequent first."""
    counts = Counter((p.kind, p.label, p.column or "", p.severity) for p in problems)
    groups = [ProblemGroup(*key, count=n) for key, n in counts.items()]
    return sorted(groups, key=lambda g: (g.severity != "error", -g.count, g.label))


def filter_problems(
    problems: Iterable[StoredProblem], kind: str = "", column: str = ""
) -> list[StoredProblem]:
    return [
        p
        for p in problems
        if (not kind or p.kind == kind) and (not column or (p.column or "") == column)
    ]


def problems_csv(job: "ImportJob") -> str:
    """One line per problem: where, what, why, then the row as it was checked (the file's row
    with the job's edits applied, as the check saw it)."""
    header, originals = original_rows(job)
    # The file's own header too (neutralised by csv_text): "=HYPERLINK(…)" is a formula as well.
    # A workbook read sheet by sheet names each problem's sheet: a column of its own, first
    # (files of one table keep the columns they always had). The original row is the read
    # table's, so it is given for problems without a sheet only.
    problems = job.import_report.problems
    sheets = any(p.sheet for p in problems)
    # The column names, the severity and the code (the problem's kind) are the same in every
    # language; the problem in words and the message are in the language of the check.
    columns = [*(["sheet"] if sheets else []), "row", "severity", "code", "problem", "column"]
    columns += ["value", "message", *header]
    lines = []
    for p in problems:
        original = originals.get(p.row, []) if p.row is not None and not p.sheet else []
        cells = [p.row, p.severity, p.kind, p.label, p.column, p.value, p.message]
        lines.append([*([p.sheet] if sheets else []), *cells, *original])
    return csv_text(columns, lines)
