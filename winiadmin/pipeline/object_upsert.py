"""Upsert for the instance path: objects whose key is stored update their record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import DateField, ForeignKey

from winiadmin.db.upsert import (
    Key,
    RowChange,
    differences,
    normalised,
    stored_rows,
    update_rows,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from django.db.models import Field, Model

    from winiadmin.db.upsert import UpsertTally


def compared_fields(model: type[Model], key: tuple[str, ...]) -> list[Field[Any, Any]]:
    """The fields an import sets: not the key, the primary key, nor per-row defaults.

    A field with a callable default (``created_at=timezone.now``) or ``auto_now`` would differ
    on every import; the stored value is kept.
    """
    return [
        f
        for f in model._meta.local_concrete_fields
        if f.attname not in key
        and not f.primary_key
        and not (f.has_default() and callable(f.default))
        and not (isinstance(f, DateField) and (f.auto_now or f.auto_now_add))
    ]


@dataclass(frozen=True, slots=True)
class StoredUpdate:
    """One model's upsert on the instance path, applied a chunk of objects at a time."""

    model: type[Model]
    key: tuple[str, ...]
    using: str
    #: Where the updated and unchanged rows are counted (and the first changes kept).
    tally: UpsertTally
    #: The file rows holding a key (the first is the one a change names).
    rows_of: Callable[[Key], Sequence[int]]

    def apply(self, objs: list[Model]) -> list[tuple[Model, Key, bool]]:
        """Give stored objects their primary key and update the changed ones (one query to find
        them, one prepared UPDATE for the changes); returns (object, key, stored) per object."""
        model, key, using, tally = self.model, self.key, self.using, self.tally
        fields = compared_fields(model, key)
        keyed = [(obj, _key(model, obj, key)) for obj in objs]
        wanted = list(dict.fromkeys(k for _, k in keyed if None not in k))
        names = [f.attname for f in fields]
        stored = stored_rows(model, key, wanted, names, using) if wanted else {}
        changed: list[tuple[object, list[object]]] = []
        for obj, k in keyed:
            if k not in stored:
                continue
            pk, old = stored[k]
            # Children built against this object now point at the stored row.
            obj.pk = pk
            obj._state.adding, obj._state.db = False, using
            new = [normalised(f, _value(obj, f)) for f in fields]
            diff = differences(fields, old, new)
            rows = self.rows_of(k)
            if not diff:
                tally.unchanged += 1
                tally.unchanged_rows.extend(rows)
                continue
            tally.updated += 1
            tally.updated_rows.extend(rows)
            changed.append((pk, new))
            if not tally.full:
                tally.changes.append(RowChange(rows[0] if rows else None, k, diff))
        update_rows(model, fields, changed, using)
        return [(obj, k, k in stored) for obj, k in keyed]


def _key(model: type[Model], obj: Model, key: tuple[str, ...]) -> Key:
    fields = {f.attname: f for f in model._meta.local_concrete_fields}
    return tuple(normalised(fields[name], _value(obj, fields[name])) for name in key)


def _value(obj: Model, f: Field[Any, Any]) -> object:
    """The field's value; a foreign key to a parent saved after this object was built has its
    id on the cached parent only (Django copies it at save time)."""
    value = getattr(obj, f.attname)
    if value is None and isinstance(f, ForeignKey) and f.is_cached(obj):
        parent = getattr(obj, f.name)
        return None if parent is None else parent.pk
    return value
