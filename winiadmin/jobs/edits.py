"""A job's edits (``ImportEdit``): made, undone, and applied over the table read from the upload.

The upload itself is never modified. Every check and the real run read the upload, then apply
the job's edits in the order they were made (:func:`apply_edits`, called by
:mod:`winiadmin.jobs.runner` between reading and cleaning), so what is confirmed is what was
checked. The table as read (before any edit) is kept by each check as Parquet
(:mod:`winiadmin.jobs.raw`), so that an edit is checked, and a replace counted, without reading
the upload again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import polars as pl
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from winiadmin.conf import get_config
from winiadmin.exceptions import WiniadminError
from winiadmin.jobs.raw import EDIT_ROW, has_row, raw_column, raw_columns, raw_exists
from winiadmin.models import ImportEdit, ImportJob
from winiadmin.permissions import user_id

if TYPE_CHECKING:
    from collections.abc import Sequence

    from winiadmin.permissions import User
    from winiadmin.readers import RawTable

#: Edits one job may hold; past it the user is asked to fix the file itself.
MAX_EDITS = 10_000
#: Characters of one value typed in an edit.
MAX_VALUE_LENGTH = 10_000

#: Where a job may be edited: checked, and not running.
EDITABLE = frozenset({ImportJob.Status.VALIDATED, ImportJob.Status.INVALID})


class EditRefused(WiniadminError):
    """The edit cannot be made (the job is not a preview, a limit, a value of the wrong type)."""


@dataclass(frozen=True, slots=True)
class Edit:
    """One edit as it is applied (see ``ImportEdit`` for the fields)."""

    kind: str
    row: int | None
    column: str
    old: str | None
    new: str | None
    whole: bool = True

    @classmethod
    def of(cls, edit: ImportEdit) -> Edit:
        return cls(edit.kind, edit.row, edit.column, edit.old, edit.new, edit.whole)


def edits_of(job: ImportJob) -> list[Edit]:
    """The job's edits, oldest first (the order they apply in)."""
    return [Edit.of(e) for e in ImportEdit.objects.filter(job=job).order_by("id")]


def excluded_rows(edits: Sequence[Edit]) -> set[int]:
    return {e.row for e in edits if e.kind == ImportEdit.Kind.EXCLUDE and e.row is not None}


# -- applying ------------------------------------------------------------------------------------


def apply_edits(table: RawTable, edits: Sequence[Edit]) -> RawTable:
    """``table`` with ``edits`` applied in order: cells set, values replaced, rows left out.

    A reader's problem in a cell an edit set is gone with the value it named; an excluded row's
    problems go with the row."""
    if not edits:
        return table
    frame = table.frame.with_columns(table.row_numbers.alias(EDIT_ROW))
    for edit in edits:
        frame = _apply(frame, edit)
    excluded = excluded_rows(edits)
    if excluded:
        frame = frame.filter(~pl.col(EDIT_ROW).is_in(sorted(excluded)))
    set_cells = {(e.row, e.column) for e in edits if e.kind == ImportEdit.Kind.CELL}
    problems = tuple(
        p for p in table.problems if p.row not in excluded and (p.row, p.column) not in set_cells
    )
    return replace(
        table,
        frame=frame.drop(EDIT_ROW),
        row_numbers=frame.get_column(EDIT_ROW).alias(table.row_numbers.name),
        problems=problems,
    )


def _apply(frame: pl.DataFrame, edit: Edit) -> pl.DataFrame:
    if edit.kind == ImportEdit.Kind.EXCLUDE or edit.column not in frame.columns:
        return frame
    column = pl.col(edit.column)
    dtype = frame.schema[edit.column]
    if edit.kind == ImportEdit.Kind.CELL:
        hit = pl.col(EDIT_ROW) == edit.row
        return frame.with_columns(
            pl.when(hit).then(_typed(edit.new, dtype)).otherwise(column).alias(edit.column)
        )
    return frame.with_columns(replaced(column, dtype, edit).alias(edit.column))


def replaced(column: pl.Expr, dtype: pl.DataType, edit: Edit) -> pl.Expr:
    """A replace over ``column``: every cell equal to ``old`` (``None``: every empty cell), or
    every occurrence of ``old`` inside a text cell."""
    if edit.whole:
        return pl.when(matches(column, edit)).then(_typed(edit.new, dtype)).otherwise(column)
    return column.str.replace_all(edit.old or "", edit.new or "", literal=True)


def matches(column: pl.Expr, edit: Edit) -> pl.Expr:
    """The cells a replace changes."""
    if edit.whole:
        if edit.old is None or edit.old == "":
            # An empty cell reads as null in most formats and as "" in some: both are empty.
            return column.is_null() | (column.cast(pl.String) == "")
        return column.cast(pl.String) == edit.old
    return column.cast(pl.String).str.contains(edit.old or "", literal=True).fill_null(value=False)


def _typed(value: str | None, dtype: pl.DataType) -> pl.Expr:
    """``value`` as a literal of the column's type (text, except in a Parquet upload)."""
    if value is None:
        return pl.lit(None, dtype=dtype)
    return pl.lit(value).cast(dtype, strict=True)


def check_typed(value: str | None, dtype: pl.DataType) -> None:
    """Refuse a value the column's type cannot hold (only a Parquet upload has other types)."""
    if value is None or dtype == pl.String:
        return
    try:
        pl.Series([value]).cast(dtype, strict=True)
    except pl.exceptions.PolarsError as exc:
        msg = _("“%(value)s” is not a value of this column's type (%(dtype)s).") % {
            "value": value,
            "dtype": dtype,
        }
        raise EditRefused(msg) from exc


# -- making edits --------------------------------------------------------------------------------


def can_edit(job: ImportJob) -> bool:
    """A checked job, not running, whose table as read was kept by its last check."""
    return job.status in EDITABLE and not job.is_active and raw_exists(job.pk)


def current_column(job: ImportJob, column: str, edits: Sequence[Edit]) -> pl.DataFrame:
    """``column`` of the table as read, with ``edits`` applied (columns: row, value)."""
    frame = raw_column(job.pk, column)
    for edit in edits:
        if edit.column == column:
            frame = _apply(frame, edit)
    excluded = excluded_rows(edits)
    if excluded:
        frame = frame.filter(~pl.col(EDIT_ROW).is_in(sorted(excluded)))
    return frame


def set_cell(job: ImportJob, user: User, row: int, column: str, new: str | None) -> ImportEdit:
    """Give one cell a new value (``None``: empty)."""
    edits = _editable(job, new)
    if column not in raw_columns(job.pk):
        raise EditRefused(_("The file has no column “%(column)s”.") % {"column": column})
    current = current_column(job, column, edits).filter(pl.col(EDIT_ROW) == row)
    if current.is_empty():
        raise EditRefused(_("Row %(row)s has no such cell.") % {"row": row})
    check_typed(new, current.schema[column])
    old = current.get_column(column)[0]
    return _save(job, user, Edit(ImportEdit.Kind.CELL, row, column, _text(old), new))


def exclude_row(job: ImportJob, user: User, row: int) -> ImportEdit:
    """Leave one row of the file out of the import (shown as an edit of its own)."""
    edits = _editable(job, None)
    if row in excluded_rows(edits):
        raise EditRefused(_("Row %(row)s is excluded already.") % {"row": row})
    if not has_row(job.pk, row):
        raise EditRefused(_("The file has no row %(row)s.") % {"row": row})
    return _save(job, user, Edit(ImportEdit.Kind.EXCLUDE, row, "", None, None))


@dataclass(frozen=True, slots=True)
class Replacement:
    """A replace in one column, before it is made: the column, what it matches, the new value."""

    column: str
    old: str | None
    new: str | None
    whole: bool = True

    @property
    def edit(self) -> Edit:
        return Edit(ImportEdit.Kind.REPLACE, None, self.column, self.old, self.new, self.whole)


def replace_count(job: ImportJob, replacement: Replacement) -> int:
    """How many cells the replace would change (its preview)."""
    frame = current_column(job, replacement.column, edits_of(job))
    edit = replacement.edit
    changed = matches(pl.col(replacement.column), edit)
    if edit.whole:  # a cell that already holds the new value does not change
        same = pl.col(replacement.column).cast(pl.String) == (edit.new or "")
        changed &= ~same.fill_null(value=edit.new is None)
    return int(frame.select(changed.sum()).item())


def replace_in_column(job: ImportJob, user: User, replacement: Replacement) -> ImportEdit:
    """Replace in a whole column; the caller checks the whole file again."""
    edits = _editable(job, replacement.new)
    if replacement.column not in raw_columns(job.pk):
        raise EditRefused(
            _("The file has no column “%(column)s”.") % {"column": replacement.column}
        )
    if not replacement.whole and not replacement.old:
        raise EditRefused(_("Say which text to replace."))
    frame = current_column(job, replacement.column, edits)
    check_typed(replacement.new, frame.schema[replacement.column])
    cells = replace_count(job, replacement)
    return _save(job, user, replacement.edit, cells=cells)


def undo_last(job: ImportJob, user: User) -> Edit | None:
    """Take back the job's last edit; ``None`` when it has none."""
    if job.status not in EDITABLE or job.is_active:
        raise EditRefused(_("This import cannot be edited now."))
    with transaction.atomic():
        last = ImportEdit.objects.select_for_update().filter(job=job).order_by("-id").first()
        if last is None:
            return None
        undone = Edit.of(last)
        last.delete()
        _touch(job)
        _log(job, user, _("Undid an edit: %(edit)s") % {"edit": describe(undone)})
    return undone


def describe(edit: Edit) -> str:
    """An edit in words, for the history and the log."""
    if edit.kind == ImportEdit.Kind.EXCLUDE:
        return _("row %(row)s excluded") % {"row": edit.row}
    if edit.kind == ImportEdit.Kind.CELL:
        return _("row %(row)s, column %(column)s: “%(old)s” → “%(new)s”") % {
            "row": edit.row,
            "column": edit.column,
            "old": edit.old or "",
            "new": edit.new or "",
        }
    what = _("empty cells") if not edit.old else f"“{edit.old}”"
    if not edit.whole:
        what = _("“%(text)s” inside values") % {"text": edit.old}
    return _("column %(column)s: %(what)s → “%(new)s”") % {
        "column": edit.column,
        "what": what,
        "new": edit.new or "",
    }


def _editable(job: ImportJob, new: str | None) -> list[Edit]:
    """The job's edits so far, if another may be made now."""
    if not can_edit(job):
        raise EditRefused(_("This import cannot be edited now: check it again first."))
    if new is not None and len(new) > min(MAX_VALUE_LENGTH, get_config().MAX_CELL_LENGTH):
        raise EditRefused(_("The value is too long."))
    edits = edits_of(job)
    if len(edits) >= MAX_EDITS:
        msg = _("This import has %(n)s edits, the most it may have: fix the file itself.")
        raise EditRefused(msg % {"n": MAX_EDITS})
    return edits


def _save(job: ImportJob, user: User, edit: Edit, *, cells: int = 0) -> ImportEdit:
    with transaction.atomic():
        stored = ImportEdit.objects.create(
            job=job,
            user_id=user_id(user),
            kind=edit.kind,
            row=edit.row,
            column=edit.column,
            old=edit.old,
            new=edit.new,
            whole=edit.whole,
            cells=cells,
        )
        _touch(job)
        _log(job, user, _("Edited the data: %(edit)s") % {"edit": describe(edit)})
    return stored


def _touch(job: ImportJob) -> None:
    """The last check no longer shows what a confirm would run."""
    job.edited_at = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(edited_at=job.edited_at)


def _log(job: ImportJob, user: User, message: str) -> None:
    """A LogEntry on the job, as the admin writes for its own changes."""
    uid = user_id(user)
    if uid is None:
        return
    LogEntry.objects.log_actions(
        user_id=uid, queryset=[job], action_flag=CHANGE, change_message=message, single_object=True
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
