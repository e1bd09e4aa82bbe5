"""The created rows' keys as queries: chunks for ``WHERE pk IN``, and runs of consecutive keys.

A job stores the keys it created (``job.created_pks``, text). Reading those rows back (undo,
fingerprint) goes through chunks of keys small enough for one ``IN (…)``; keys from a sequence
or a rowid are usually consecutive, so :func:`key_segments` turns long runs of them into ranges
(``WHERE pk BETWEEN first AND last``), one short query instead of a 10,000-parameter one.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import batched
from typing import TYPE_CHECKING, Any, cast

from django.db import connections, router
from django.db.models import IntegerField, Q

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.db.models import Model, QuerySet

#: Keys per query at most (``WHERE pk IN (…)``); fewer where the database allows fewer parameters.
KEYS_PER_QUERY = 10_000
#: Consecutive integer keys read as one range (``BETWEEN``) from this many on; shorter runs go in
#: the ``IN (…)`` lists (a list is flushed before each range, so there are at most about two
#: queries per range: 2,000 for a million scattered keys at worst).
MIN_RUN = 1_000
#: Keys per range at most: bounds what one query returns (and, on PostgreSQL, aggregates).
MAX_RUN = 50_000


def python_keys(model: type[Model], keys: Iterable[object]) -> list[Any]:
    """The stored (text) keys as the primary key's Python values, sorted, without duplicates."""
    pk = model._meta.pk
    assert pk is not None
    # Auto keys, and parent links to them: int(), what to_python does for these, but faster.
    if isinstance(getattr(pk, "target_field", pk), IntegerField):
        return sorted({int(cast("str | int", key)) for key in keys})
    return sorted({pk.to_python(key) for key in keys})


def keys_per_query(db: str) -> int:
    """Keys one ``IN (…)`` may hold here (SQLite builds may allow as few as 999 parameters)."""
    limit = connections[db].features.max_query_params
    return KEYS_PER_QUERY if limit is None else max(1, min(KEYS_PER_QUERY, limit - 99))


def key_chunks(
    model: type[Model], keys: Iterable[Any], using: str | None = None
) -> list[list[Any]]:
    step = keys_per_query(using or router.db_for_write(model))
    return [list(chunk) for chunk in batched(keys, step)]


def in_chunks[TModel: Model](
    model: type[TModel], keys: list[Any], using: str | None = None
) -> Iterator[QuerySet[TModel]]:
    """``model`` rows with these keys, one queryset per chunk of keys."""
    db = using or router.db_for_write(model)
    for chunk in key_chunks(model, keys, db):
        yield model._base_manager.db_manager(db).filter(pk__in=chunk)


@dataclass(frozen=True, slots=True)
class KeyRange:
    """Every integer key from ``first`` to ``last`` (all of them are keys the job created)."""

    first: int
    last: int

    def condition(self) -> Q:
        return Q(pk__range=(self.first, self.last))


@dataclass(frozen=True, slots=True)
class KeyList:
    keys: tuple[Any, ...]

    def condition(self) -> Q:
        return Q(pk__in=self.keys)


type KeySegment = KeyRange | KeyList


@dataclass(frozen=True, slots=True)
class SortedRuns:
    """Sorted, distinct integer keys as their runs of consecutive keys, ``(first, last)`` in
    order, never adjacent: what a streamed job stores (``winiadmin.db.key_runs``) read without a
    Python object per key. Iterating gives every key, as the sorted list would."""

    runs: tuple[tuple[int, int], ...]

    def __iter__(self) -> Iterator[int]:
        for first, last in self.runs:
            yield from range(first, last + 1)


def sorted_runs(model: type[Model], stored: object) -> SortedRuns | None:
    """A job's stored ranges form as :class:`SortedRuns` (``None``: a list, or keys that are not
    integers: read them with :func:`python_keys`)."""
    pk = model._meta.pk
    assert pk is not None
    if not isinstance(stored, dict) or not isinstance(
        getattr(pk, "target_field", pk), IntegerField
    ):
        return None
    pieces = sorted(
        [(int(first), int(last)) for first, last in stored.get("ranges", [])]
        + [(int(key), int(key)) for key in stored.get("keys", [])]
    )
    runs: list[tuple[int, int]] = []
    for first, last in pieces:
        if runs and first <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], max(last, runs[-1][1]))
        else:
            runs.append((first, last))
    return SortedRuns(tuple(runs))


def key_segments(keys: list[Any] | SortedRuns, per_query: int) -> list[KeySegment]:
    """The sorted, distinct ``keys`` as queries, in key order: runs of at least :data:`MIN_RUN`
    consecutive integers as ranges (of at most :data:`MAX_RUN`), the others in lists of at most
    ``per_query``. A range holds created keys only, so it selects exactly the created rows."""
    if isinstance(keys, SortedRuns):
        runs: Iterable[tuple[int, int]] = keys.runs
    elif set(map(type, keys)) != {int}:  # UUIDs, text: no runs
        return [KeyList(tuple(chunk)) for chunk in batched(keys, per_query)]
    else:
        runs = _runs(keys)
    segments: list[KeySegment] = []
    pending: list[int] = []

    def flush() -> None:
        segments.extend(KeyList(tuple(chunk)) for chunk in batched(pending, per_query))
        pending.clear()

    for first, last in runs:
        if last - first + 1 < MIN_RUN:
            pending.extend(range(first, last + 1))
            continue
        flush()
        for start in range(first, last + 1, MAX_RUN):
            segments.append(KeyRange(start, min(start + MAX_RUN - 1, last)))
    flush()
    return segments


def _runs(keys: list[int]) -> Iterator[tuple[int, int]]:
    """(first, last) of each run of consecutive integers in sorted, distinct ``keys``."""
    if not keys:
        return
    first = previous = keys[0]
    for key in keys[1:]:
        if key != previous + 1:
            yield first, previous
            first = key
        previous = key
    yield first, previous
