"""A fingerprint of the rows an import created, per model: how many exist, and one digest.

Taken right after the real run and again before an undo: another count means rows were deleted
since, another digest means a row was changed since. The digest is a SHA-256 over every concrete
field of every created row, in key order, so it is exact; taking it costs one read of the
created rows (a ``SELECT … WHERE pk IN`` per 10,000 keys), about what sending them cost.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import batched
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connections, router

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.db.models import Model, QuerySet

#: Keys per query at most (``WHERE pk IN (…)``); fewer where the database allows fewer parameters.
KEYS_PER_QUERY = 10_000


@dataclass(frozen=True, slots=True)
class Fingerprint:
    count: int
    digest: str

    def as_json(self) -> dict[str, Any]:
        return {"count": self.count, "digest": self.digest}


def python_keys(model: type[Model], keys: Iterable[object]) -> list[Any]:
    """The stored (text) keys as the primary key's Python values, sorted, without duplicates."""
    pk = model._meta.pk
    assert pk is not None
    return sorted({pk.to_python(key) for key in keys})


def keys_per_query(db: str) -> int:
    """Keys one ``IN (…)`` may hold here (SQLite builds may allow as few as 999 parameters)."""
    limit = connections[db].features.max_query_params
    return KEYS_PER_QUERY if limit is None else max(1, min(KEYS_PER_QUERY, limit - 99))


def key_chunks(model: type[Model], keys: list[Any], using: str | None = None) -> list[list[Any]]:
    step = keys_per_query(using or router.db_for_write(model))
    return [list(chunk) for chunk in batched(keys, step)]


def in_chunks[TModel: Model](
    model: type[TModel], keys: list[Any], using: str | None = None
) -> Iterator[QuerySet[TModel]]:
    """``model`` rows with these keys, one queryset per chunk of keys."""
    db = using or router.db_for_write(model)
    for chunk in key_chunks(model, keys, db):
        yield model._base_manager.db_manager(db).filter(pk__in=chunk)


def fingerprint(model: type[Model], keys: list[Any], using: str | None = None) -> Fingerprint:
    """Count and digest of the rows of ``model`` with these (sorted) keys, as they are now."""
    fields = [field.attname for field in model._meta.concrete_fields]
    digest = hashlib.sha256()
    count = 0
    db = using or router.db_for_write(model)
    for chunk in key_chunks(model, keys, db):
        queryset = model._base_manager.db_manager(db).filter(pk__in=chunk)
        rows = {row[0]: row for row in queryset.values_list("pk", *fields)}
        for key in chunk:  # key order, whatever order the database answered in
            row = rows.get(key)
            if row is not None:
                count += 1
                digest.update(repr(row[1:]).encode())
                digest.update(b"\n")
    return Fingerprint(count, digest.hexdigest())


def fingerprint_created(
    created_pks: dict[str, list[str]], using: str | None = None
) -> dict[str, dict[str, Any]]:
    """:func:`fingerprint` of every model's created rows, by model label (stored on the job)."""
    prints = {}
    for label, keys in created_pks.items():
        model = apps.get_model(label)
        prints[label] = fingerprint(model, python_keys(model, keys), using).as_json()
    return prints
