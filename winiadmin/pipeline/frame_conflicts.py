"""Unique-constraint conflicts of a model frame, found with vectorised checks before loading.

The frame counterpart of :mod:`winiadmin.pipeline.conflicts`: keys repeated inside the frame and
keys already in the database (one query per constraint per chunk of distinct keys) are reported
with the file rows they came from.
"""

from dataclasses import dataclass, field
from itertools import batched

import polars as pl
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from winiadmin.db.frames import ROW_NUMBER_COLUMN, ModelFrame
from winiadmin.db.unique import unique_field_sets
from winiadmin.db.upsert import key_attnames
from winiadmin.pipeline.key_filter import FILTER_BITS, KeyFilter
from winiadmin.problems import Problem, ProblemKind, Severity

#: Distinct keys looked up per query.
KEY_CHUNK = 5000


@dataclass(slots=True)
class KeyHistory:
    """Unique keys of earlier batches of a streamed import (their rows are in the table already).

    A table that was empty when the import began can only hold keys of earlier batches: instead
    of one query per chunk of keys against a growing table, a batch's keys are looked up in a
    Bloom filter of the 64-bit hashes of the keys seen so far (:class:`KeyFilter`: a fixed
    16 MiB per constraint, whatever the number of rows), and only the candidates it finds are
    confirmed with a query (a filter or a hash may give a false candidate; the database says
    for sure).
    """

    stored: dict[type[Model], bool] = field(default_factory=dict)
    filters: dict[tuple[type[Model], tuple[str, ...]], KeyFilter] = field(default_factory=dict)
    filter_bits: int = FILTER_BITS
    #: Identifiers (``ModelFrame.ref``) of earlier batches per model: references are resolved
    #: within a batch, so an identifier seen again in a later batch is refused, not split.
    refs: dict[type[Model], pl.Series] = field(default_factory=dict)

    def earlier_refs(self, model: type[Model], identifiers: pl.Series) -> pl.Series:
        """Rows whose identifier an earlier batch had; remembers this batch's identifiers."""
        known = self.refs.get(model)
        present = identifiers.drop_nulls()
        self.refs[model] = present if known is None else pl.concat([known, present])
        if known is None:
            return pl.Series([False] * identifiers.len(), dtype=pl.Boolean)
        return (identifiers.is_not_null() & identifiers.is_in(known.implode())).fill_null(False)

    def table_had_rows(self, model: type[Model], using: str) -> bool:
        if model not in self.stored:
            self.stored[model] = model._base_manager.using(using).exists()
        return self.stored[model]

    def earlier(
        self,
        model: type[Model],
        frame: pl.DataFrame,
        columns: list[str],
        attnames: tuple[str, ...],
        using: str,
    ) -> pl.Series:
        """Rows whose key an earlier batch stored; remembers this batch's keys."""
        hashes = frame.select(pl.struct(columns).hash()).to_series()
        seen = self.filters.get((model, attnames))
        if seen is None:  # the first batch: nothing earlier
            self.filters[model, attnames] = seen = KeyFilter(self.filter_bits)
            seen.add(hashes)
            return _none(frame)
        hits = seen.might_contain(hashes) & frame.select(_complete(frame, columns)).to_series()
        seen.add(hashes)
        if not hits.any():
            return _none(frame)
        confirmed = _existing(model, frame.filter(hits), columns, attnames, using)
        return _spread(hits, confirmed)


def _spread(hits: pl.Series, confirmed: pl.Series) -> pl.Series:
    """``confirmed`` (one flag per hit) back onto every row; False where there was no hit."""
    flags = [False] * hits.len()
    for index, flag in zip(hits.arg_true(), confirmed, strict=True):
        flags[index] = bool(flag)
    return pl.Series(flags, dtype=pl.Boolean)


def table_had_rows(spec: ModelFrame, using: str, history: KeyHistory | None = None) -> bool:
    """Whether the model's table held rows when the import began (one query, then cached)."""
    if history is not None:
        return history.table_had_rows(spec.model, using)
    return spec.model._base_manager.using(using).exists()


def frame_conflicts(
    spec: ModelFrame, using: str, history: KeyHistory | None = None, *, stored: bool | None = None
) -> tuple[list[Problem], pl.Series]:
    """The problems, and a mask of the frame's rows that conflict.

    ``stored``: :func:`table_had_rows`, if the caller asked already.
    """
    frame = spec.frame
    mask = pl.Series([False] * frame.height, dtype=pl.Boolean)
    problems: list[Problem] = []
    # An empty table holds no key to collide with: one cheap query instead of one per chunk.
    if stored is None:
        stored = table_had_rows(spec, using, history)
    # Upsert: a stored key is an update, not a conflict; other constraints are checked on the
    # new rows only (an updated row holds its own values already).
    key = set(key_attnames(spec.model, spec.key)) if stored and spec.key else None
    updating: pl.Series | None = None
    for attnames in unique_field_sets(spec.model):
        columns = _columns(spec, attnames)
        if columns is None:
            continue
        repeated = _repeated(frame, columns)
        if key is not None and set(attnames) == key:
            existing = _none(frame)
        elif key is not None:
            updating = _stored_keys(spec, using) if updating is None else updating
            existing = _existing(spec.model, frame, columns, attnames, using) & ~updating
        elif stored:
            existing = _existing(spec.model, frame, columns, attnames, using)
        elif history is not None:
            existing = history.earlier(spec.model, frame, columns, attnames, using)
        else:
            existing = pl.Series([False] * frame.height, dtype=pl.Boolean)
        checks = ((existing, _("already exists")), (repeated, _("appears twice in this import")))
        for flags, where in checks:
            new = flags & ~mask
            problems += _problems(spec.model, frame.filter(new), columns, where)
            mask = mask | new
    if spec.ref is not None and spec.ref in frame.columns:
        found, mask = _repeated_refs(spec, mask, history)
        problems += found
    return problems, mask


def _repeated_refs(
    spec: ModelFrame, mask: pl.Series, history: KeyHistory | None
) -> tuple[list[Problem], pl.Series]:
    """An identifier other frames reference must name one row (the first one stays)."""
    assert spec.ref is not None
    columns = [spec.ref]
    checks = [(_repeated(spec.frame, columns), _("appears twice in this import"))]
    if history is not None:
        earlier = history.earlier_refs(spec.model, spec.frame.get_column(spec.ref))
        where = _("appears in an earlier batch (an identifier must not span batches)")
        checks.insert(0, (earlier, where))
    problems: list[Problem] = []
    for flags, where in checks:
        new = flags & ~mask
        problems += _problems(spec.model, spec.frame.filter(new), columns, where)
        mask = mask | new
    return problems, mask


def _none(frame: pl.DataFrame) -> pl.Series:
    return pl.Series([False] * frame.height, dtype=pl.Boolean)


def _stored_keys(spec: ModelFrame, using: str) -> pl.Series:
    """Rows whose upsert key is stored (none known when the key has natural-key columns)."""
    attnames = key_attnames(spec.model, spec.key)
    columns = _columns(spec, attnames)
    if columns is None:
        return _none(spec.frame)
    return _existing(spec.model, spec.frame, columns, attnames, using)


def _columns(spec: ModelFrame, attnames: tuple[str, ...]) -> list[str] | None:
    """The frame columns holding a constraint's fields, or None (absent, natural keys or
    references)."""
    columns = []
    # By attname: a field may end in "_id" without being a foreign key (Order.order_id).
    by_attname = {f.attname: f for f in spec.model._meta.local_concrete_fields}
    for attname in attnames:
        f = by_attname[attname]
        found = next((c for c in (f.name, attname) if c in spec.frame.columns), None)
        # Natural keys and references to another frame hold no stored value to compare yet.
        if found is None or found in spec.lookups or found in spec.references:
            return None
        columns.append(found)
    return columns


def _complete(frame: pl.DataFrame, columns: list[str]) -> pl.Expr:
    return pl.all_horizontal(pl.col(columns).is_not_null())


def _repeated(frame: pl.DataFrame, columns: list[str]) -> pl.Series:
    key = pl.struct(columns)
    return frame.select(_complete(frame, columns) & ~key.is_first_distinct()).to_series()


def _existing(
    model: type[Model],
    frame: pl.DataFrame,
    columns: list[str],
    attnames: tuple[str, ...],
    using: str,
) -> pl.Series:
    keys = frame.select(columns).filter(_complete(frame, columns)).unique()
    found: list[tuple[object, ...]] = []
    manager = model._base_manager.using(using)
    for chunk in batched(keys.rows(), KEY_CHUNK):
        if len(columns) == 1:
            lookup = Q(**{f"{attnames[0]}__in": [k[0] for k in chunk]})
        else:
            lookup = Q()
            for key in chunk:
                lookup |= Q(**dict(zip(attnames, key, strict=True)))
        found += manager.filter(lookup).values_list(*attnames)
    if not found:
        return pl.Series([False] * frame.height, dtype=pl.Boolean)
    taken = pl.DataFrame(found, schema=keys.schema, orient="row").with_columns(__taken__=True)
    marked = frame.select(columns).join(taken, on=columns, how="left", maintain_order="left")
    return marked.get_column("__taken__").fill_null(False)


def _problems(
    model: type[Model], rows: pl.DataFrame, columns: list[str], where: str
) -> list[Problem]:
    numbers = rows.get_column(ROW_NUMBER_COLUMN) if ROW_NUMBER_COLUMN in rows.columns else None
    problems = []
    for i, key in enumerate(rows.select(columns).iter_rows()):
        shown = ", ".join(f"{c}={v!r}" for c, v in zip(columns, key, strict=True))
        message = _("A %(model)s with %(key)s %(where)s (%(label)s).") % {
            "model": model._meta.verbose_name,
            "key": shown,
            "where": where,
            "label": model._meta.label,
        }
        row = int(numbers[i]) if numbers is not None else None
        value = ", ".join(str(v) for v in key)
        problems.append(
            Problem(
                ProblemKind.DATABASE_CONFLICT,
                Severity.ERROR,
                message,
                row,
                ", ".join(columns),
                value,
            )
        )
    return problems
