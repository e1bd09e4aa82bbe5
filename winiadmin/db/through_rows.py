"""The through rows of declared many-to-many fields, written in bulk at the end of a load.

Runs inside the load's transaction once every model is stored, so that the related rows may
come from the same import. Per declaration: the distinct values are looked up with the run's
:class:`~winiadmin.db.lookups.KeyResolver` (one query per chunk; created on request), the
(row, related row) pairs are joined in polars, the stored links of upserted rows are read once
per chunk of rows, and the new pairs go to the through table with the frame loader (``COPY`` on
PostgreSQL, ``executemany`` elsewhere). Values that match nothing are recorded like any
unmatched natural key and nothing is linked: the load rolls back (their rows are stored
already, so skipping invalid rows cannot leave them out; see ``KeyResolver.blocks``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from itertools import batched
from typing import TYPE_CHECKING, Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db.models import Field

from winiadmin.db.frames import load_frames
from winiadmin.db.lookups import LOOKUP_CHUNK
from winiadmin.db.many_to_many import PARENT, STORED, VALUE
from winiadmin.db.model_frame import ROW_NUMBER_COLUMN

if TYPE_CHECKING:
    from django.db.models import Model

    from winiadmin.db.lookups import KeyResolver
    from winiadmin.db.many_to_many import LinkCells, ManyToMany

_TARGET = "__winiadmin_m2m_target__"


@dataclass(slots=True)
class LinkCounts:
    """Through rows written and removed per through model."""

    added: dict[type[Model], int] = field(default_factory=dict)
    removed: dict[type[Model], int] = field(default_factory=dict)
    #: Keys of the through rows written, when asked for (an undo deletes them first).
    pks: dict[type[Model], list[object]] = field(default_factory=dict)


def write_links(
    cells: LinkCells, resolver: KeyResolver, *, using: str, step: int, collect_pks: bool = False
) -> LinkCounts:
    """Write the through rows of every declaration of ``cells`` (see the module docstring)."""
    counts = LinkCounts()
    for declaration, links in cells.links():
        added, removed, pks = _write_one(
            declaration, links, resolver, using=using, step=step, collect_pks=collect_pks
        )
        through = declaration.through
        if pks:
            counts.pks.setdefault(through, []).extend(pks)
        counts.added[through] = counts.added.get(through, 0) + added
        if removed:
            counts.removed[through] = counts.removed.get(through, 0) + removed
    return counts


def _write_one(  # noqa: PLR0913 - one declaration's links, and write_links' own knobs
    declaration: ManyToMany,
    links: pl.DataFrame,
    resolver: KeyResolver,
    *,
    using: str,
    step: int,
    collect_pks: bool,
) -> tuple[int, int, list[object]]:
    """Through rows written, removed, and the written ones' keys (when asked for)."""
    exploded = links.explode(VALUE).filter(pl.col(VALUE).is_not_null())
    targets = _resolve(declaration, exploded, resolver)
    if targets is None:
        return 0, 0, []
    pairs = (
        exploded.join(targets, on=VALUE, how="inner")
        .select(PARENT, _TARGET)
        .unique(maintain_order=True)
    )
    stored_parents = links.filter(pl.col(STORED)).get_column(PARENT).unique().to_list()
    existing, removed = _stored_links(declaration, stored_parents, pairs, using)
    if existing.height:
        pairs = pairs.join(existing, on=[PARENT, _TARGET], how="anti")
    if not pairs.height:
        return 0, removed, []
    source, target = declaration.through_fields
    frame = pairs.rename({PARENT: source.attname, _TARGET: target.attname})
    through = declaration.through
    loaded = load_frames({through: frame}, step, using=using, collect_pks=collect_pks)
    return pairs.height, removed, loaded.pks.get(through, [])


def _resolve(
    declaration: ManyToMany, exploded: pl.DataFrame, resolver: KeyResolver
) -> pl.DataFrame | None:
    """``VALUE`` (as the cell gave it) → ``_TARGET`` (the related row's key); ``None`` when
    some value matches nothing (recorded on the resolver, nothing is linked)."""
    lookup = declaration.lookup
    by_field = lookup.target._meta.get_field(lookup.by)
    assert isinstance(by_field, Field)  # setup_errors checks it is a concrete field
    typed: dict[object, object] = {}
    for value in exploded.get_column(VALUE).unique(maintain_order=True).to_list():
        try:
            typed[value] = by_field.to_python(value)
        except ValidationError:
            typed[value] = None  # cannot be a value of the field: matches nothing
    wanted = [v for v in dict.fromkeys(typed.values()) if v is not None]
    found, created = resolver.resolve(lookup, wanted)
    counts, rows = _value_rows(exploded)
    made = [v for v in typed if typed[v] in created]
    if made:
        resolver.record(
            lookup,
            {v: counts[v] for v in made},
            rows,
            created=True,
            separator=declaration.separator,
        )
    missing = [v for v in typed if typed[v] not in found]
    if missing:
        resolver.record(
            lookup,
            {v: counts[v] for v in missing},
            rows,
            created=False,
            separator=declaration.separator,
        )
        return None
    pks = [_text(found[typed[v]]) for v in typed]
    return pl.DataFrame(
        [pl.Series(VALUE, list(typed), dtype=exploded.schema[VALUE]), pl.Series(_TARGET, pks)]
    )


def _value_rows(exploded: pl.DataFrame) -> tuple[dict[object, int], dict[object, list[int]]]:
    """Per value: how many cells hold it, and their file rows (when known)."""
    grouped = exploded.group_by(VALUE, maintain_order=True).agg(
        pl.len().alias("n"), pl.col(ROW_NUMBER_COLUMN).drop_nulls().alias("rows")
    )
    counts: dict[object, int] = {}
    rows: dict[object, list[int]] = {}
    for value, n, found in grouped.iter_rows():
        counts[value] = n
        rows[value] = [int(r) for r in found]
    return counts, rows


def _stored_links(
    declaration: ManyToMany, parents: list[object], pairs: pl.DataFrame, using: str
) -> tuple[pl.DataFrame, int]:
    """The stored links of upserted rows (to skip), after removing those the cells no longer
    hold when ``on_upsert="replace"``; returns them and how many were removed."""
    schema = {PARENT: pairs.schema[PARENT], _TARGET: pairs.schema[_TARGET]}
    if not parents:
        return pl.DataFrame(schema=schema), 0
    source, target = declaration.through_fields
    manager: Any = declaration.through._base_manager.db_manager(using)
    rows: list[tuple[object, object, object]] = []
    for chunk in batched(parents, LOOKUP_CHUNK):
        rows += manager.filter(**{f"{source.attname}__in": chunk}).values_list(
            "pk", source.attname, target.attname
        )
    if not rows:
        return pl.DataFrame(schema=schema), 0
    stored = pl.DataFrame(
        {
            "pk": [r[0] for r in rows],
            PARENT: pl.Series([_text(r[1]) for r in rows]).cast(schema[PARENT]),
            _TARGET: pl.Series([_text(r[2]) for r in rows]).cast(schema[_TARGET]),
        }
    )
    if declaration.on_upsert == "add":
        return stored.drop("pk"), 0
    gone = stored.join(pairs, on=[PARENT, _TARGET], how="anti").get_column("pk").to_list()
    for chunk in batched(gone, LOOKUP_CHUNK):
        manager.filter(pk__in=chunk).delete()
    kept = stored.filter(~pl.col("pk").is_in(gone)) if gone else stored
    return kept.drop("pk"), len(gone)


def _text(value: object) -> object:
    """UUID keys as text, as :mod:`winiadmin.db.many_to_many` holds them."""
    return str(value) if isinstance(value, uuid.UUID) else value
