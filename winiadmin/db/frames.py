"""The frame-native loader: a polars DataFrame per model straight into its table.

No model instance is built per row. Foreign keys given by natural key (a category's name) are
resolved with one query per related model per chunk of distinct values and a join; foreign keys
given by reference to another frame of the import (an order number shared by an order and its
lines, see :mod:`winiadmin.db.frame_refs`) by a join on the parent rows' keys; the rows go
to the database through the loaders' one writer (:mod:`winiadmin.db.rows_writer`: ``COPY`` on
PostgreSQL and ``executemany`` elsewhere), in large chunks, inside the caller's transaction.
What bulk loading skips (``save()``, signals, validators) it skips too; defaults are computed
once per load, not once per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from itertools import batched
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db import connections, transaction
from django.db.models import ForeignKey, Model

from winiadmin.db.common import STANDARD_BULK_SIZE, check_step, refused_as_load_error
from winiadmin.db.deferred_checks import check_deferred_now
from winiadmin.db.frame_refs import (
    REF_PK,
    REF_VALUE,
    FrameRefs,
    check_references,
    drop_unstored_ref,
    parent_of,
    refuse_repeated,
)
from winiadmin.db.frame_upsert import STORED_PK, upsert_frame
from winiadmin.db.frame_values import to_database_frame
from winiadmin.db.graph import topological_sort_models
from winiadmin.db.located import located_refusals
from winiadmin.db.lookups import Lookup
from winiadmin.db.model_frame import ROW_NUMBER_COLUMN, ModelFrame
from winiadmin.db.rows_writer import RowsWriter, key_mode
from winiadmin.exceptions import LoadError

__all__ = [
    "ROW_NUMBER_COLUMN",
    "LoadedFrames",
    "ModelFrame",
    "UnresolvedKeys",
    "UnresolvedKeysError",
    "load_frames",
]

if TYPE_CHECKING:
    from winiadmin.db.lookups import KeyResolver
    from winiadmin.db.many_to_many import LinkCells
    from winiadmin.db.upsert import UpsertTally

_LEFT_OUT = "__winiadmin_left_out__"
#: Distinct natural-key values looked up per query.
LOOKUP_CHUNK = 5000


@dataclass(slots=True)
class UnresolvedKeys:
    """Natural-key values that match no row of the related model."""

    model: type[Model]
    field: str
    lookup: str
    values: list[object]
    rows: dict[object, list[int]]
    #: The values are identifiers of another frame of the import (``ModelFrame.references``).
    reference: bool = False


FrameChunkCallback = Callable[[type[Model], int], None]


@dataclass(slots=True)
class LoadedFrames:
    #: Rows inserted per model, in insert order.
    counts: dict[type[Model], int] = field(default_factory=dict)
    #: Primary keys of the inserted rows per model, where they could be known (see rows_writer).
    pks: dict[type[Model], list[object]] = field(default_factory=dict)
    #: Updated and unchanged rows of the models loaded with an upsert key.
    tallies: dict[type[Model], UpsertTally] = field(default_factory=dict)


def load_frames(  # noqa: PLR0913 - keyword-only knobs, as QuerySet.bulk_create's
    frames: Mapping[type[Model], ModelFrame | pl.DataFrame],
    step: int = STANDARD_BULK_SIZE * 50,
    *,
    using: str,
    on_chunk: FrameChunkCallback | None = None,
    collect_pks: bool = False,
    resolver: KeyResolver | None = None,
    diff_limit: int = 200,
    refs: FrameRefs | None = None,
    links: LinkCells | None = None,
) -> LoadedFrames:
    """Insert every frame, parents first, in one transaction.

    Raises :class:`UnresolvedKeysError` (a ``LoadError``) when natural keys or references to
    another frame match nothing; with a ``resolver`` they are recorded on it instead (or
    created) and their rows left out. ``refs`` may hold parent identifiers the caller left out
    already (conflicts), so that their children are told why. ``links``: many-to-many cells
    are taken out of the frames and kept with their rows' keys (written by ``through_rows``).
    """
    check_step(step)
    specs = {m: f if isinstance(f, ModelFrame) else ModelFrame(m, f) for m, f in frames.items()}
    check_references(specs, using)
    refs = FrameRefs() if refs is None else refs
    loaded = LoadedFrames()
    with transaction.atomic(using=using):
        for model in topological_sort_models(specs):
            with refused_as_load_error(model):
                spec = specs[model]
                if spec.ref is not None:
                    refuse_repeated(spec, ROW_NUMBER_COLUMN)
                frame = _resolve_references(spec, specs, refs, resolver)
                frame = (
                    _resolve_lookups(spec, frame, using)
                    if resolver is None
                    else _resolve_recording(frame, _declared_lookups(spec, resolver), resolver)
                )
                stored = None
                if spec.key:
                    split = upsert_frame(
                        model,
                        frame,
                        spec.key,
                        using=using,
                        limit=diff_limit,
                    )
                    frame, stored, loaded.tallies[model] = split.new, split.stored, split.tally
                # A frame others reference, or with many-to-many cells, needs its keys.
                linked = links is not None and links.wants_keys(model, frame)
                collect = collect_pks or spec.ref is not None or linked
                if links is not None:
                    frame = links.take(model, frame, stored, STORED_PK)
                keys = _load_one(spec, frame, step, using, on_chunk, collect_pks=collect)
                if links is not None:
                    links.inserted(model, keys.keys)
                if spec.ref is not None:
                    refs.record_parent(spec, frame, keys.keys, stored, STORED_PK)
            loaded.counts[model] = keys.count
            if collect_pks and keys.keys_known:
                loaded.pks[model] = keys.keys
    return loaded


class UnresolvedKeysError(LoadError):
    def __init__(self, unresolved: UnresolvedKeys) -> None:
        self.unresolved = unresolved
        shown = ", ".join(repr(v) for v in unresolved.values[:5])
        more = f" and {len(unresolved.values) - 5} more" if len(unresolved.values) > 5 else ""
        where = " of this import" if unresolved.reference else ""
        super().__init__(
            f"{unresolved.model._meta.label}.{unresolved.field}: no "
            f"{_target(unresolved.model, unresolved.field)._meta.verbose_name}{where} has "
            f"{unresolved.lookup} {shown}{more}."
        )


@dataclass(slots=True)
class _Loaded:
    """One model's insert: rows, and their keys where :attr:`keys_known`."""

    count: int = 0
    keys: list[object] = field(default_factory=list)
    keys_known: bool = False


def _load_one(  # noqa: PLR0913 - load_frames' knobs for one model
    spec: ModelFrame,
    frame: pl.DataFrame,
    step: int,
    using: str,
    on_chunk: FrameChunkCallback | None,
    *,
    collect_pks: bool,
) -> _Loaded:
    source = frame  # with the file row numbers, to name a row the database refuses
    frame = drop_unstored_ref(spec, frame.drop(ROW_NUMBER_COLUMN, strict=False))
    fields, values = to_database_frame(spec.model, frame, connections[using])
    loaded = _Loaded()
    if not fields:  # no rows, or only columns the database fills: nothing to write
        loaded.keys_known = collect_pks and key_mode(spec.model, using, given=False) != "none"
        return loaded
    attnames = [f.attname for f in fields]

    def write() -> None:
        with RowsWriter(spec.model, attnames, using=using, keys=collect_pks) as writer:
            loaded.keys_known = writer.key_mode != "none"
            for offset in range(0, values.height, step):
                chunk = values.slice(offset, step)
                loaded.keys += writer.write(chunk)
                loaded.count += chunk.height
                if on_chunk is not None:
                    on_chunk(spec.model, chunk.height)

    def trial(rows: pl.DataFrame) -> None:
        with RowsWriter(spec.model, attnames, using=using) as writer:
            writer.write(rows)

    with located_refusals(spec.model, values, using, source=source, trial=trial):
        write()
    if loaded.count and _has_unchecked_keys(spec):
        # Keys given as ids (not looked up) are checked at COMMIT by PostgreSQL and SQLite:
        # check now, so that a dry run finds a dangling id too.
        check_deferred_now(using, [spec.model._meta.db_table])
    return loaded


def _has_unchecked_keys(spec: ModelFrame) -> bool:
    """Whether a foreign key's values come from the frame itself rather than a lookup."""
    return any(
        isinstance(f, ForeignKey)
        and f.name not in spec.lookups
        and f.name not in spec.references
        and (f.name in spec.frame.columns or f.attname in spec.frame.columns)
        for f in spec.model._meta.local_concrete_fields
    )


def _foreign_key(model: type[Model], name: str) -> tuple[ForeignKey[Any, Any], type[Model]]:
    fk = model._meta.get_field(name)
    target = getattr(fk, "related_model", None)
    if not isinstance(fk, ForeignKey) or not isinstance(target, type):
        msg = f"{model._meta.label}.{name} is not a foreign key; it cannot have a lookup."
        raise LoadError(msg)
    return fk, target


def _target(model: type[Model], name: str) -> type[Model]:
    return _foreign_key(model, name)[1]


def _resolve_references(
    spec: ModelFrame,
    specs: Mapping[type[Model], ModelFrame],
    refs: FrameRefs,
    resolver: KeyResolver | None,
) -> pl.DataFrame:
    """Replace each reference column by ``<fk>_id``: the parent rows' keys, joined by identifier.

    Without a resolver an identifier that matches no loaded parent row raises; with one it is
    recorded (like an unmatched natural key) and its rows are marked to be left out.
    """
    frame = spec.frame
    if resolver is not None:
        frame = frame.with_columns(pl.lit(value=False).alias(_LEFT_OUT))
    for name in spec.references:
        parent = parent_of(specs, spec, name)
        keys = refs.resolve(parent, frame.get_column(name))
        joined = frame.join(keys, left_on=name, right_on=REF_VALUE, how="left", coalesce=True)
        unmatched = pl.col(name).is_not_null() & pl.col(REF_PK).is_null()
        missing = joined.filter(unmatched)
        ref = specs[parent].ref
        assert ref is not None
        if missing.height and resolver is None:
            error = _unresolved(spec.model, name, ref, missing)
            raise UnresolvedKeysError(replace(error, reference=True))
        if missing.height and resolver is not None:
            lookup = Lookup(spec.model, name, by=ref)
            left_out = refs.left_out.get(parent, set())
            resolver.record_references(lookup, *_value_rows(missing, name), left_out=left_out)
            joined = joined.with_columns(pl.col(_LEFT_OUT) | unmatched)
        frame = joined.drop(name).rename({REF_PK: _foreign_key(spec.model, name)[0].attname})
    return frame


def _resolve_lookups(spec: ModelFrame, frame: pl.DataFrame, using: str) -> pl.DataFrame:
    """Replace each natural-key column by the ``<fk>_id`` column of the matching primary keys."""
    for name, lookup in spec.lookups.items():
        fk, target = _foreign_key(spec.model, name)
        keys = _key_map(target, lookup, frame.get_column(name).drop_nulls().unique(), using)
        joined = frame.join(keys, left_on=name, right_on="__key__", how="left")
        missing = joined.filter(pl.col(name).is_not_null() & pl.col("__pk__").is_null())
        if missing.height:
            raise UnresolvedKeysError(_unresolved(spec.model, name, lookup, missing))
        frame = joined.drop(name).rename({"__pk__": fk.attname})
    return frame


def _declared_lookups(spec: ModelFrame, resolver: KeyResolver) -> list[Lookup]:
    """The frame's own lookups and the importer's declared ones for columns the frame has."""
    lookups = {name: resolver.lookup_for(spec.model, name, by) for name, by in spec.lookups.items()}
    for lookup in resolver.for_model(spec.model):
        # A column the frame declares a reference is resolved from the import's frames instead.
        if lookup.field in spec.frame.columns and lookup.field not in spec.references:
            lookups.setdefault(lookup.field, lookup)
    return list(lookups.values())


def _resolve_recording(
    frame: pl.DataFrame, lookups: list[Lookup], resolver: KeyResolver
) -> pl.DataFrame:
    """Like :func:`_resolve_lookups`, but unmatched values are created or recorded and left out.

    Rows are left out after every lookup ran (and the references before them), so that a row
    unknown to two lookups is listed twice.
    """
    if _LEFT_OUT not in frame.columns:
        frame = frame.with_columns(pl.lit(value=False).alias(_LEFT_OUT))
    for lookup in lookups:
        name = lookup.field
        values = frame.get_column(name).drop_nulls().unique()
        found, created = resolver.resolve(lookup, values.to_list())
        pairs = {
            "__key__": [_plain(k) for k in found],
            "__pk__": [_plain(v) for v in found.values()],
        }
        keys = pl.DataFrame(pairs, schema_overrides={"__key__": values.dtype})
        joined = frame.join(keys, left_on=name, right_on="__key__", how="left", coalesce=True)
        unmatched = pl.col(name).is_not_null() & pl.col("__pk__").is_null()
        if applied := resolver.mapped.get((lookup.model, lookup.field)):
            chosen = joined.filter(pl.col(name).is_in(list(applied.targets)))
            resolver.count_mapped(lookup, _value_rows(chosen, name)[0])
        if created:
            made = joined.filter(pl.col(name).is_in(list(created)))
            resolver.record(lookup, *_value_rows(made, name), created=True)
        missing = joined.filter(unmatched)
        if missing.height:
            resolver.record(lookup, *_value_rows(missing, name), created=False)
            joined = joined.with_columns(pl.col(_LEFT_OUT) | unmatched)
        frame = joined.drop(name).rename({"__pk__": lookup.foreign_key.attname})
    left_out = frame.filter(pl.col(_LEFT_OUT))
    if left_out.height and ROW_NUMBER_COLUMN in left_out.columns:
        resolver.dropped_rows.update(left_out.get_column(ROW_NUMBER_COLUMN).to_list())
    return frame.filter(~pl.col(_LEFT_OUT)).drop(_LEFT_OUT)


def _plain(value: object) -> object:
    """A UUID as the text a frame holds it in (canonical, hyphenated): polars has no UUID
    type, and a frame's UUID column is text."""
    return str(value) if isinstance(value, uuid.UUID) else value


def _value_rows(
    frame: pl.DataFrame, name: str
) -> tuple[dict[object, int], dict[object, list[int]]]:
    """Per value, in file order: how many rows, and their file row numbers."""
    numbers = pl.col(ROW_NUMBER_COLUMN) if ROW_NUMBER_COLUMN in frame.columns else pl.lit(None)
    grouped = frame.group_by(name, maintain_order=True).agg(
        pl.len().alias("__n__"), numbers.drop_nulls().alias("__rows__")
    )
    counts: dict[object, int] = {}
    rows: dict[object, list[int]] = {}
    for value, n, found in grouped.iter_rows():
        counts[value] = n
        rows[value] = [int(r) for r in found]
    return counts, rows


def _key_map(target: type[Model], lookup: str, values: pl.Series, using: str) -> pl.DataFrame:
    """``__key__`` → ``__pk__`` for the given natural-key values: one query per chunk."""
    manager = target._base_manager.using(using)
    pairs: list[tuple[Any, Any]] = []
    for chunk in batched(values.to_list(), LOOKUP_CHUNK):
        pairs += manager.filter(**{f"{lookup}__in": chunk}).values_list(lookup, "pk")
    key_dtype = values.dtype
    return pl.DataFrame(
        pairs or None,
        schema={"__key__": key_dtype, "__pk__": pl.Int64 if not pairs else None},
        orient="row",
    ).with_columns(pl.col("__key__").cast(key_dtype))


def _unresolved(
    model: type[Model], name: str, lookup: str, missing: pl.DataFrame
) -> UnresolvedKeys:
    values = missing.get_column(name).unique(maintain_order=True).to_list()
    rows: dict[object, list[int]] = {}
    if ROW_NUMBER_COLUMN in missing.columns:
        for value, row in missing.select(name, ROW_NUMBER_COLUMN).iter_rows():
            rows.setdefault(value, []).append(int(row))
    return UnresolvedKeys(model, name, lookup, values, rows)
