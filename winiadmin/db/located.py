"""A database refusal during the load, named by its file row and column, never a COPY line.

The models' rules are checked before the load (:mod:`winiadmin.validation`), so what the
database still refuses comes from what winiadmin cannot see: a trigger, a constraint written in
SQL, a check condition it cannot evaluate. Each chunk is written in a savepoint; when the
database refuses it, the refused row is found — from PostgreSQL's ``COPY …, line N`` (the N-th
row of the chunk), else by writing halves of the chunk in savepoints until one row is left —
and reported with its file row number, its column where the error or the model says which,
and its value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import polars as pl
from django.db import DataError, IntegrityError, transaction
from django.db.models import CharField, CheckConstraint, Model
from django.utils.translation import gettext as _

from winiadmin.db.model_frame import ROW_NUMBER_COLUMN
from winiadmin.exceptions import RowRefused
from winiadmin.problems import Problem, ProblemKind, Severity

#: Writes the given rows of the model's frame (the values of some of its rows, a trial).
type Writer = Callable[[pl.DataFrame], None]

_COPY_LINE = re.compile(r"COPY [^,]+, line (\d+)")
#: PostgreSQL's DETAIL of a unique violation: ``Key (name)=(taken) already exists.``
_UNIQUE_KEY = re.compile(r"^Key \((\w+)\)=")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: \w+\.(\w+)$")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")


class _Undo(Exception):
    """Leave a savepoint whose trial write succeeded, rolled back."""


@contextmanager
def located_refusals(
    model: type[Model], values: pl.DataFrame, using: str, *, source: pl.DataFrame, trial: Writer
) -> Iterator[None]:
    """Write the model's rows (``values``, all of them) in the block, in one savepoint; on a
    refusal raise :class:`RowRefused` naming the row of ``source`` (the same rows as the
    importer gave them, with the file row numbers in ``ROW_NUMBER_COLUMN``).

    The block may keep one ``COPY`` open across its chunks (fastest), so PostgreSQL's
    ``line N`` counts rows of ``values``; where there is no such line, ``trial`` writes halves
    of ``values`` in savepoints, rolled back, until the refused row is found.
    """
    try:
        with transaction.atomic(using=using):
            yield
    except (IntegrityError, DataError) as exc:
        index = _copy_line(exc)
        if index is None or index >= values.height:
            index = first_refused(
                lambda start, end: trial(values.slice(start, end - start)), values.height, using
            )
        raise RowRefused(_problem(model, exc, source, index)) from exc


def _copy_line(exc: Exception) -> int | None:
    """The row index from PostgreSQL's ``CONTEXT: COPY table, line N``."""
    found = _COPY_LINE.search(str(exc.__cause__ or exc))
    return int(found.group(1)) - 1 if found else None


def first_refused(trial: Callable[[int, int], None], size: int, using: str) -> int:
    """The first of ``size`` rows the database refuses, by halves: ``trial(start, end)`` writes
    rows ``start:end``, in a savepoint rolled back."""
    low, high = 0, size
    while high - low > 1:
        middle = (low + high) // 2
        if refuses(partial(trial, low, middle), using) is None:
            low = middle  # the first half passes: the refused row is in the second
        else:
            high = middle
    return low


def refuses(write: Callable[[], None], using: str) -> IntegrityError | DataError | None:
    """What the database refuses of ``write``, tried in a savepoint and rolled back."""
    try:
        with transaction.atomic(using=using):
            write()
            raise _Undo
    except _Undo:
        return None
    except (IntegrityError, DataError) as exc:
        return exc


def _problem(model: type[Model], exc: Exception, source: pl.DataFrame, index: int) -> Problem:
    row_values = source.row(index, named=True) if index < source.height else {}
    row = row_values.get(ROW_NUMBER_COLUMN)
    return refusal_problem(model, exc, row_values, None if row is None else int(row))


def refusal_problem(
    model: type[Model], exc: Exception, row_values: dict[str, Any], row: int | None
) -> Problem:
    """The problem of a refused row: ``row_values`` by field name (or frame column)."""
    column = _column(model, exc, row_values)
    value = row_values.get(column) if column is not None else None
    reason = _reason(exc)
    message = _("%(model)s: the database refused this row: %(reason)s") % {
        "model": model._meta.label,
        "reason": reason,
    }
    return Problem(
        ProblemKind.LOAD_FAILED,
        Severity.ERROR,
        message,
        row,
        column,
        None if value is None else str(value),
    )


def _reason(exc: Exception) -> str:
    diag = getattr(exc.__cause__, "diag", None)
    primary = getattr(diag, "message_primary", None)
    text = primary or str(exc).split("CONTEXT:")[0]
    return " ".join(str(text).split())


def _column(model: type[Model], exc: Exception, values: dict[str, Any]) -> str | None:
    """The column the refusal is about: the database's word, a check constraint's fields, or
    the text longer than its field's ``max_length``."""
    diag = getattr(exc.__cause__, "diag", None)
    key = _UNIQUE_KEY.search(
        str(getattr(diag, "message_detail", "") or "")
    ) or _SQLITE_UNIQUE.search(str(exc))
    named = getattr(diag, "column_name", None) or (key.group(1) if key else None)
    sqlite = _SQLITE_CHECK.search(str(exc))
    constraint = getattr(diag, "constraint_name", None) or (sqlite.group(1) if sqlite else None)
    for f in model._meta.concrete_fields:
        if named in {f.column, f.attname} and f.name in values:
            return f.name
    for c in model._meta.constraints:
        if isinstance(c, CheckConstraint) and c.name == constraint:
            used = sorted(getattr(c.condition, "referenced_base_fields", set()) & set(values))
            return ", ".join(used) or None
    for f in model._meta.concrete_fields:
        text = values.get(f.name)
        limit = f.max_length if isinstance(f, CharField) else None
        if isinstance(text, str) and limit is not None and len(text) > limit:
            return f.name
    return None
