"""The rejected rows of a job as a file to fix and import again: the rows as they were checked
(typed, then the job's edits applied, as :mod:`winiadmin.jobs.runner` applies them), plus a
``reason`` column saying what was wrong with each.

A row is rejected when it has at least one error (a value that does not fit, a required cell
left empty, a conflict with the database): exactly the rows a skip-invalid run leaves out.
Warnings (a duplicate dropped, an unused column) do not reject a row.

The file imports as it is: the reason column has a name the cleaning stage ignores
(:data:`winiadmin.cleaning.columns.IGNORED_COLUMNS`), and the CSV's formula guard is undone
on import (:mod:`winiadmin.spreadsheets`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from django.utils.translation import gettext as _

from winiadmin.cleaning.columns import IGNORED_COLUMNS, header_key
from winiadmin.jobs.edits import apply_edits, edits_of
from winiadmin.readers import ReadOptions, read_table
from winiadmin.spreadsheets import Sheet, csv_text, xlsx_bytes

if TYPE_CHECKING:
    from winiadmin.import_report import ImportReport
    from winiadmin.models import ImportJob

FORMATS = ("csv", "xlsx")


def rejected_row_numbers(report: ImportReport) -> list[int]:
    """File rows with an error, and rows a skip-invalid run left out, in file order."""
    rows = {p.row for p in report.problems if p.is_error and p.row is not None}
    rows.update(report.skipped_rows)
    return sorted(rows)


def reasons_by_row(report: ImportReport) -> dict[int, str]:
    """``row 5: price '12,50 EUR': Not a number.; name: …`` per rejected row."""
    parts: dict[int, list[str]] = defaultdict(list)
    for p in report.problems:
        if not p.is_error or p.row is None:
            continue
        where = p.column or ""
        if p.value not in (None, ""):
            where = f"{where} {p.value!r}".strip()
        parts[p.row].append(f"{where}: {p.message}" if where else p.message)
    return {
        row: _("row %(row)s: %(reasons)s") % {"row": row, "reasons": "; ".join(texts)}
        for row, texts in parts.items()
    }


def rejected_table(job: ImportJob) -> tuple[list[str], list[list[object]]]:
    """The header (reason column first) and the rejected rows with their cells as checked."""
    report = job.import_report
    header, originals = original_rows(job)
    reason = reason_column(header)
    reasons = reasons_by_row(report)
    rows: list[list[object]] = [
        [reasons.get(n, _("row %(row)s: skipped") % {"row": n}), *originals.get(n, [])]
        for n in rejected_row_numbers(report)
    ]
    return [reason, *header], rows


def rejected_csv(job: ImportJob) -> str:
    header, rows = rejected_table(job)
    return csv_text(header, rows)


def rejected_xlsx(job: ImportJob) -> bytes:
    header, rows = rejected_table(job)
    return xlsx_bytes([Sheet(_("Rejected rows"), header, rows)])


def rejected_file_name(job: ImportJob, fmt: str) -> str:
    return f"rejected-{job.pk}.{fmt}"


def reason_column(header: list[str]) -> str:
    """The first ignored name the file does not use itself."""
    used = {header_key(name) for name in header}
    free = [name for name in IGNORED_COLUMNS if header_key(name) not in used]
    return free[0] if free else "rejection_reason_2"


def original_rows(job: ImportJob) -> tuple[list[str], dict[int, list[Any]]]:
    """The uploaded table's header and its rows by file row number, read again as typed and
    with the job's edits applied: what the check saw, so a fixed cell is not offered again."""
    if not job.file:
        return [], {}
    with job.file.open("rb") as handle:
        read = read_table(
            cast("BinaryIO", handle), ReadOptions(**job.read_options), name=job.original_name
        )
    table = apply_edits(read, edits_of(job))
    rows = zip(table.row_numbers.to_list(), table.frame.rows(), strict=True)
    return table.frame.columns, {int(n): list(values) for n, values in rows}
