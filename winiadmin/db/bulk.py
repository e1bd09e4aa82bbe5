"""Chunked bulk writes for the load stage: parents first, all or nothing, chunk by chunk.

Primary keys of new parents reach their children as follows. On backends whose bulk INSERT can
return rows (PostgreSQL, SQLite ≥ 3.35, MariaDB) ``bulk_create`` sets them itself, and a child built
as ``Product(store=store)`` picks ``store.pk`` up when it is inserted later. Elsewhere (MySQL) rows
of a model that later rows point at, and whose key only the database knows, are inserted one at a
time so that each key can be read back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import batched
from typing import TYPE_CHECKING, Any, cast

from django.db import DEFAULT_DB_ALIAS, DataError, IntegrityError, connections, router, transaction
from django.db.models import Model
from django.db.models.expressions import DatabaseDefault

from winiadmin.db.common import STANDARD_BULK_SIZE, check_step, pk_is_set, refused_as_load_error
from winiadmin.db.deferred_checks import check_deferred_now
from winiadmin.db.deletion import (
    bulk_delete_in_steps,
    multi_simulate_bulk_deletion,
    simulate_bulk_deletion,
)
from winiadmin.db.graph import (
    concrete,
    describe_instance,
    order_within_model,
    referenced_models,
    references,
    self_references,
    topological_sort_models,
)
from winiadmin.db.located_objects import SentObjects, raise_refused_object
from winiadmin.db.plain_insert import PlainInsert, plain_insert_possible
from winiadmin.exceptions import LoadError

if TYPE_CHECKING:
    from winiadmin.db.lookups import KeyResolver

__all__ = [
    "STANDARD_BULK_SIZE",
    "bulk_create_bulks_in_steps",
    "bulk_create_in_steps",
    "bulk_delete_in_steps",
    "bulk_update_in_steps",
    "load_bulks",
    "multi_simulate_bulk_deletion",
    "simulate_bulk_deletion",
]

type ChunkCallback = Callable[[type[Model], int], None]


def bulk_create_in_steps[TModel: Model](
    model: type[TModel],
    bulk: Iterable[TModel],
    step: int = STANDARD_BULK_SIZE,
    *,
    using: str | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> list[TModel]:
    """Insert ``bulk`` ``step`` rows at a time, all or nothing; returns the saved instances."""

    def per_model(_model: type[Model], rows: int) -> None:
        if on_chunk is not None:
            on_chunk(rows)

    bulks: dict[type[Model], Iterable[Model]] = {model: bulk}
    created = bulk_create_bulks_in_steps(bulks, step, using=using, on_chunk=per_model)
    return cast("list[TModel]", created[model])


def bulk_create_bulks_in_steps(
    bulk_by_class: Mapping[type[Model], Iterable[Model]],
    step: int = STANDARD_BULK_SIZE,
    *,
    using: str | None = None,
    on_chunk: ChunkCallback | None = None,
) -> dict[type[Model], list[Model]]:
    """Insert several models' rows, parents first, in one transaction; returns them per model."""
    return _load(bulk_by_class, step, using, on_chunk, collect=True).created


def load_bulks(  # noqa: PLR0913 - keyword-only knobs, as QuerySet.bulk_create's
    bulk_by_class: Mapping[type[Model], Iterable[Model]],
    step: int = STANDARD_BULK_SIZE,
    *,
    using: str | None = None,
    on_chunk: ChunkCallback | None = None,
    collect: bool = True,
    resolver: KeyResolver | None = None,
) -> dict[type[Model], int | list[Model]]:
    """:func:`bulk_create_bulks_in_steps`; with ``collect=False`` only counts are kept, so the
    instances of a chunk can be freed once it is inserted (imports of millions of rows).

    ``resolver``: foreign keys given by natural key (:func:`~winiadmin.db.lookups.with_keys`) are
    resolved per chunk; objects whose value matches nothing are left out and recorded on it."""
    loaded = _load(bulk_by_class, step, using, on_chunk, collect=collect, resolver=resolver)
    result: dict[type[Model], int | list[Model]] = {}
    result.update(loaded.created if collect else loaded.counts)
    return result


def bulk_update_in_steps[TModel: Model](
    model: type[TModel],
    bulk: Iterable[TModel],
    update_fields: list[str],
    step: int = STANDARD_BULK_SIZE,
    *,
    using: str | None = None,
) -> int:
    """``bulk_update`` ``step`` rows at a time, all or nothing; returns the rows updated."""
    check_step(step)
    db = using or router.db_for_write(model)
    updated = 0
    with transaction.atomic(using=db), refused_as_load_error(model):
        for chunk in batched(bulk, step):
            updated += model._base_manager.db_manager(db).bulk_update(chunk, update_fields)
    return updated


def _load(  # noqa: PLR0913 - load_bulks' knobs, passed on as they are
    bulk_by_class: Mapping[type[Model], Iterable[Model]],
    step: int,
    using: str | None,
    on_chunk: ChunkCallback | None,
    *,
    collect: bool,
    resolver: KeyResolver | None = None,
) -> _Loader:
    """The one insert path behind every create helper."""
    check_step(step)
    order = topological_sort_models(bulk_by_class)
    for model in order:
        _refuse_multi_table(model)
    db = using or (router.db_for_write(order[0]) if order else DEFAULT_DB_ALIAS)
    returns_pks = connections[db].features.can_return_rows_from_bulk_insert
    referenced = referenced_models(order)
    loader = _Loader(
        db=db,
        step=step,
        needs_pks=set() if returns_pks else referenced,
        plain={
            model: PlainInsert(model, db)
            for model in order
            if not collect and model not in referenced and plain_insert_possible(model, db)
        },
        on_chunk=on_chunk,
        collect=collect,
        resolver=resolver,
    )
    try:
        with transaction.atomic(using=db):
            for model in order:
                with refused_as_load_error(model):
                    loader.load(model, bulk_by_class[model])
    except LoadError as exc:
        if isinstance(exc.__cause__, IntegrityError | DataError):
            # The load's savepoint is rolled back: the objects sent last can be tried again.
            raise_refused_object(loader.sent, db)
        raise
    return loader


def _refuse_multi_table(model: type[Model]) -> None:
    parents = [p for p in model._meta.all_parents if concrete(p) is not concrete(model)]
    if parents:
        msg = (
            f"{model._meta.label} uses multi-table inheritance (a child of "
            f"{parents[0]._meta.label}): bulk create cannot fill the parent's and the child's "
            "tables in one step, so this model cannot be bulk imported."
        )
        raise LoadError(msg)


@dataclass(slots=True)
class _Loader:
    db: str
    step: int
    #: Models whose database-made keys later rows need, on a backend that cannot return them.
    needs_pks: set[type[Model]]
    #: Models nobody needs the keys of: inserted without ``bulk_create`` (see plain_insert).
    plain: dict[type[Model], PlainInsert]
    on_chunk: ChunkCallback | None
    collect: bool
    resolver: KeyResolver | None = None
    counts: dict[type[Model], int] = field(default_factory=dict)
    created: dict[type[Model], list[Model]] = field(default_factory=dict)
    #: The objects the database may still refuse (to name the one it does).
    sent: SentObjects = field(default_factory=SentObjects)

    def load(self, model: type[Model], bulk: Iterable[Model]) -> None:
        self.counts[model] = 0
        self.created[model] = []
        self.sent.start(model)
        plain = self.plain.get(model)
        try:
            for chunk in self._chunks(model, bulk):
                rows = self._insert(model, list(chunk))
                self.counts[model] += len(rows)
                if self.collect:
                    self.created[model].extend(rows)
                if self.on_chunk is not None:
                    self.on_chunk(model, len(rows))
        except BaseException as exc:
            if plain is not None:
                plain.finish(exc)  # cancel an open COPY, so that the rollback can run
            raise
        if plain is not None:
            plain.finish()  # the server has stored every row (or raises what it refused)
        self.sent.confirmed()
        if self.counts[model] and references(model):
            # Foreign keys are checked at COMMIT on PostgreSQL and SQLite (deferred): check now,
            # so a dangling id fails here, named, even inside an outer transaction (a dry run).
            check_deferred_now(self.db, [model._meta.db_table])

    def _chunks(self, model: type[Model], bulk: Iterable[Model]) -> Iterator[tuple[Model, ...]]:
        if not self_references(model):
            return batched(bulk, self.step)
        # A tree must be read whole: a child may come before its parent in the file.
        levels = order_within_model(list(bulk))
        return (chunk for level in levels for chunk in batched(level, self.step))

    def _insert(self, model: type[Model], chunk: list[Model]) -> list[Model]:
        if self.resolver is not None:
            chunk = self.resolver.resolve_objects(model, chunk)
        _link_parents(model, chunk)
        plain = self.plain.get(model)
        if plain is not None and plain.pending and self.sent.would_overflow(len(chunk)):
            # The server judges what the open COPY sent before more is kept: a refusal is always
            # among the objects kept, and no more than KEPT_OBJECTS of them are.
            plain.finish()
            self.sent.confirmed()
        # An open COPY (PostgreSQL) may refuse a row only when it ends, chunks later; an INSERT
        # does at once, and a query since the last chunk (a lookup, a conflict check) ended it.
        self.sent.sent(chunk, confirmed=plain is None or not plain.pending)
        if plain is not None and plain.run(chunk):
            return chunk
        one_by_one = [obj for obj in chunk if not _pk_known(obj)] if model in self.needs_pks else []
        for obj in one_by_one:
            _insert_reading_pk(model, obj, self.db)
        done = {id(obj) for obj in one_by_one}
        rest = [obj for obj in chunk if id(obj) not in done]
        model._base_manager.db_manager(self.db).bulk_create(rest)
        return chunk


def _link_parents(model: type[Model], chunk: list[Model]) -> None:
    """Copy the keys of parents inserted earlier into the foreign keys of ``chunk``.

    Django's own check would say ``bulk_create() prohibited to prevent data loss``; a parent still
    unsaved here is not part of the import, and the message says which row points at it.
    """
    relations = [
        (r.cache_name, r.attname, r.target_field.attname, r.empty_values)
        for r, _ in references(model)
    ]
    for obj in chunk:
        cache = obj._state.fields_cache
        values = obj.__dict__
        for name, attname, target, empty in relations:
            parent = cache.get(name)
            if parent is None:
                continue
            if not pk_is_set(parent):
                _refuse_unsaved(model, name, parent)
            if values.get(attname) in empty:
                # What ``setattr(obj, name, parent)`` ends with, without the descriptor's work.
                values[attname] = getattr(parent, target)


def _refuse_unsaved(model: type[Model], name: str, parent: Model) -> None:
    msg = (
        f"{model._meta.label}.{name} points at a {type(parent).__name__} "
        f"that is not saved and not part of this import ({describe_instance(parent)})."
    )
    raise LoadError(msg)


def _pk_known(obj: Model) -> bool:
    """Whether the key exists before the INSERT (given, or a Python default such as ``uuid4``)."""
    if isinstance(obj.pk, DatabaseDefault):
        return False
    if not pk_is_set(obj):
        obj.pk = obj._meta.pk.get_pk_value_on_save(obj)  # what bulk_create does first
    return pk_is_set(obj)


def _insert_reading_pk(model: type[Model], obj: Model, db: str) -> None:
    """INSERT one row and read its key back like ``Model._do_insert``: no save(), no signals."""
    meta = model._meta
    features = connections[db].features
    fields = [f for f in meta.concrete_fields if not f.generated and f is not meta.auto_field]
    # Without RETURNING only the auto-increment id can be read back (the last insert id).
    returning = [
        f
        for f in meta.db_returning_fields
        if features.can_return_columns_from_insert or f is meta.auto_field
    ]
    manager: Any = model._base_manager  # ``_insert`` is private: the stubs do not describe it
    rows = manager._insert([obj], fields=fields, returning_fields=returning, using=db)
    if not rows:
        msg = (
            f"{meta.label}: the database cannot report the keys of new rows, "
            "so rows that point at them cannot be linked."
        )
        raise LoadError(msg)
    for value, returned in zip(rows[0], returning, strict=False):
        setattr(obj, returned.attname, value)
    obj._state.adding = False
    obj._state.db = db
