"""Upsert for the frame loader: split a frame into stored rows (updated or not) and new ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
from django.utils.translation import gettext as _

from winiadmin.db.model_frame import ROW_NUMBER_COLUMN
from winiadmin.db.upsert import (
    Key,
    RowChange,
    UpsertTally,
    differences,
    key_attnames,
    normalised,
    stored_rows,
    update_rows,
)
from winiadmin.exceptions import LoadError

if TYPE_CHECKING:
    from django.db.models import Field, Model


#: The column of :attr:`UpsertSplit.stored` holding each stored row's primary key.
STORED_PK = "__winiadmin_stored_pk__"


@dataclass(slots=True)
class UpsertSplit:
    #: The rows whose key is not stored: to insert.
    new: pl.DataFrame
    #: The rows whose key is stored (updated or unchanged), with their record's pk in STORED_PK.
    stored: pl.DataFrame
    tally: UpsertTally


def upsert_frame(
    model: type[Model],
    frame: pl.DataFrame,
    key: tuple[str, ...],
    *,
    using: str,
    limit: int,
) -> UpsertSplit:
    """Update the rows whose key is stored (when they differ); split the frame into new rows and
    stored ones (with their records' keys), and tally them.

    ``frame`` has its natural keys resolved already (``<fk>_id`` columns); its file rows, when
    known, are in ``ROW_NUMBER_COLUMN``.
    """
    row_column = ROW_NUMBER_COLUMN
    attnames = key_attnames(model, key)
    key_columns = [_column(model, frame, name) for name in attnames]
    _refuse_repeated(model, frame, key_columns, row_column)
    key_fields = [_field(model, c) for c in key_columns]
    compared = _compared_fields(model, frame, set(attnames))
    columns = [*key_columns, *(_column(model, frame, f.attname) for f in compared)]
    rows = frame.select(columns).rows()
    width = len(key_columns)
    keys = [
        tuple(normalised(f, v) for f, v in zip(key_fields, r[:width], strict=True)) for r in rows
    ]
    wanted = list(dict.fromkeys(k for k in keys if None not in k))
    stored = stored_rows(model, attnames, wanted, [f.attname for f in compared], using)
    tally = UpsertTally(limit)
    if not stored:
        return UpsertSplit(frame, frame.clear().with_columns(pl.lit(None).alias(STORED_PK)), tally)
    numbers = frame.get_column(row_column).to_list() if row_column in frame.columns else None
    existing = [False] * frame.height
    stored_pks: list[object] = []
    updates: list[tuple[object, list[object]]] = []
    for i, (k, row) in enumerate(zip(keys, rows, strict=True)):
        if k not in stored:
            continue
        existing[i] = True
        pk, old = stored[k]
        stored_pks.append(pk)
        new = [normalised(f, v) for f, v in zip(compared, row[width:], strict=True)]
        changed = differences(compared, old, new)
        if not changed:
            tally.unchanged += 1
            if numbers:
                tally.unchanged_rows.append(numbers[i])
            continue
        tally.updated += 1
        if numbers:
            tally.updated_rows.append(numbers[i])
        updates.append((pk, new))
        if not tally.full:
            tally.changes.append(RowChange(numbers[i] if numbers else None, k, changed))
    update_rows(model, compared, updates, using)
    mask = pl.Series(existing, dtype=pl.Boolean)
    kept = frame.filter(mask).with_columns(pl.Series(STORED_PK, stored_pks))
    return UpsertSplit(frame.filter(~mask), kept, tally)


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    return next(f for f in model._meta.local_concrete_fields if name in (f.name, f.attname))


def _column(model: type[Model], frame: pl.DataFrame, attname: str) -> str:
    # By attname: a field may end in "_id" without being a foreign key (Order.order_id).
    f = next((f for f in model._meta.local_concrete_fields if f.attname == attname), None)
    for candidate in (attname, getattr(f, "name", None)):
        if candidate in frame.columns:
            return str(candidate)
    msg = f"{model._meta.label}: the upsert key needs a column {attname!r}."
    raise LoadError(msg)


def _compared_fields(
    model: type[Model], frame: pl.DataFrame, key: set[str]
) -> list[Field[Any, Any]]:
    """The fields the frame sets (its imported fields), key and primary key left out."""
    return [
        f
        for f in model._meta.local_concrete_fields
        if (f.name in frame.columns or f.attname in frame.columns)
        and f.attname not in key
        and not f.primary_key
    ]


def _refuse_repeated(
    model: type[Model], frame: pl.DataFrame, columns: list[str], row_column: str
) -> None:
    """A key twice in the same import cannot say which row wins (the conflict check names
    them first when it can; keys given by natural key are only known here)."""
    complete = pl.all_horizontal(pl.col(columns).is_not_null())
    repeated = frame.filter(complete & ~pl.struct(columns).is_first_distinct())
    if repeated.height:
        first: Key = repeated.select(columns).row(0)
        rows = repeated.get_column(row_column).to_list() if row_column in frame.columns else []
        where = _(" (rows %(rows)s)") % {"rows": ", ".join(map(str, rows[:10]))} if rows else ""
        msg = _("%(model)s: the key %(value)r appears twice in this import%(rows)s.") % {
            "model": model._meta.label,
            "value": first,
            "rows": where,
        }
        raise LoadError(msg)
