"""Upsert: rows whose key is stored update their record, the others are created.

Both loaders use this: the stored rows of a chunk are fetched by key in one query (per
``KEY_CHUNK`` distinct keys), each incoming row is compared field by field with what the database
holds, normalised the way Django reads values back (decimals at their scale, aware datetimes),
and only the rows that differ are written, with ``bulk_update``.
"""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from itertools import batched
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections
from django.db.models import DecimalField, Model, Q
from django.utils import timezone

from winiadmin.db.common import refused_as_load_error
from winiadmin.db.unique import unique_field_sets
from winiadmin.exceptions import WiniadminError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.db.models import Field

Key = tuple[object, ...]
#: Distinct keys looked up per query.
KEY_CHUNK = 5000
#: Rows per ``executemany`` of the UPDATE statement.
UPDATE_STEP = 5000


@dataclass(frozen=True, slots=True)
class RowChange:
    """One updated row: its file row, its key and every changed field's (old, new) value."""

    row: int | None
    key: Key
    changes: dict[str, tuple[object, object]]


@dataclass(slots=True)
class UpsertTally:
    """Updated and unchanged rows of one model, with the first ``limit`` changes."""

    limit: int
    updated: int = 0
    unchanged: int = 0
    changes: list[RowChange] = field(default_factory=list)
    #: The file rows behind the updated and the unchanged records of one load, where known
    #: (the row accounting counts file rows, not records; see ``pipeline/accounting.py``).
    #: Not added up by :meth:`add`: a streamed file's totals stay the size of a batch.
    updated_rows: list[int] = field(default_factory=list)
    unchanged_rows: list[int] = field(default_factory=list)

    def add(self, other: UpsertTally) -> None:
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.changes += other.changes[: max(self.limit - len(self.changes), 0)]

    @property
    def full(self) -> bool:
        return len(self.changes) >= self.limit


def key_attnames(model: type[Model], names: Sequence[str]) -> tuple[str, ...]:
    """The key's attribute names; refused unless a unique constraint covers exactly them."""
    try:
        attnames = tuple(model._meta.get_field(n).attname for n in names)  # type: ignore[union-attr]
    except Exception as exc:
        msg = f"Upsert key of {model._meta.label}: {exc}"
        raise WiniadminError(msg) from exc
    is_pk = len(attnames) == 1 and attnames[0] == model._meta.pk.attname
    if not attnames or not (
        is_pk or any(set(s) == set(attnames) for s in unique_field_sets(model))
    ):
        msg = (
            f"Upsert key {tuple(names)} of {model._meta.label} is not unique in the database: "
            "declare unique=True or a UniqueConstraint on exactly these fields."
        )
        raise WiniadminError(msg)
    return attnames


def stored_rows(
    model: type[Model],
    attnames: tuple[str, ...],
    keys: Iterable[Key],
    compared: Sequence[str],
    using: str,
) -> dict[Key, tuple[object, tuple[object, ...]]]:
    """Key → (pk, compared values) of the stored rows among ``keys``: one query per chunk."""
    manager = model._base_manager.using(using)
    pk = model._meta.pk.attname
    found: dict[Key, tuple[object, tuple[object, ...]]] = {}
    width = len(attnames)
    for chunk in batched(keys, KEY_CHUNK):
        if width == 1:
            lookup = Q(**{f"{attnames[0]}__in": [k[0] for k in chunk]})
        else:
            lookup = reduce(operator.or_, (Q(**dict(zip(attnames, k, strict=True))) for k in chunk))
        for values in manager.filter(lookup).values_list(*attnames, pk, *compared):
            found[tuple(values[:width])] = (values[width], tuple(values[width + 1 :]))
    return found


def update_rows(
    model: type[Model],
    fields: Sequence[Field[Any, Any]],
    rows: Sequence[tuple[object, Sequence[object]]],
    using: str,
) -> None:
    """``UPDATE … SET <fields> WHERE pk = …`` for each (pk, values): one prepared statement run
    with ``executemany`` (psycopg pipelines it), ``UPDATE_STEP`` rows per call.

    Much faster than ``bulk_update``'s ``CASE WHEN`` per field for thousands of rows; like it,
    it skips ``save()`` and signals.
    """
    if not rows or not fields:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assignments = ", ".join(f"{quote(f.column or f.attname)} = %s" for f in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608 - quoted names
        f"WHERE {quote(pk.column or pk.attname)} = %s"
    )
    with refused_as_load_error(model), connection.cursor() as cursor:
        for chunk in batched(rows, UPDATE_STEP):
            params = [
                [*(f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)),
                 pk.get_db_prep_save(key, connection)]
                for key, values in chunk
            ]  # fmt: skip
            cursor.executemany(sql, params)


def normalised(f: Field[Any, Any], value: object) -> object:
    """``value`` as Django reads it back from the database, to compare with a stored value."""
    if value is None:
        return None
    python = f.to_python(value)
    if isinstance(f, DecimalField) and isinstance(python, Decimal) and f.decimal_places is not None:
        return python.quantize(Decimal(1).scaleb(-f.decimal_places))
    if isinstance(python, datetime.datetime) and settings.USE_TZ and timezone.is_naive(python):
        return timezone.make_aware(python)
    return python


def differences(
    fields: Sequence[Field[Any, Any]], old: Sequence[object], new: Sequence[object]
) -> dict[str, tuple[object, object]]:
    """Field name → (stored, incoming) for every field whose value differs."""
    changed: dict[str, tuple[object, object]] = {}
    for f, before, after in zip(fields, old, new, strict=True):
        stored = normalised(f, before)
        if stored != after:
            changed[f.name] = (stored, after)
    return changed
