"""Values the file cannot choose (``RunOptions.fixed_values``: the row's owner, say): set on every
row the import creates, on both load paths; a file column for one is a problem; an upsert's key
that matches a stored row not holding them is a problem (another owner's row is never
overwritten, nor duplicated). Applied to the transform's plan, before anything is written."""

from __future__ import annotations

import operator
from dataclasses import replace
from functools import reduce
from itertools import batched
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db.models import Q
from django.utils.translation import gettext as _

from winiadmin.db.model_frame import ROW_NUMBER_COLUMN, ModelFrame
from winiadmin.db.owned import fixed_fields
from winiadmin.exceptions import LoadError
from winiadmin.problems import Problem, ProblemKind, Severity

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from django.db.models import Field, Model

    from winiadmin.pipeline.spec import BulksByModel, FramesByModel

#: Keys asked of the database per query.
KEY_CHUNK = 500


def fixed_column_problems(
    frame: pl.DataFrame, fixed: Mapping[str, object], models: Iterable[type[Model]]
) -> list[Problem]:
    """A cleaned column holding values for a fixed field: a problem at its header (row 1)."""
    names = {name for model in models for name in _names(model, fixed)}
    return [
        Problem(
            kind=ProblemKind.UNEXPECTED_COLUMN,
            severity=Severity.ERROR,
            message=_(
                "This column sets %(field)s, which is set for you: remove the column "
                "(or leave it empty) and upload the file again."
            )
            % {"field": column},
            row=1,
            column=column,
            value=column,
        )
        for column in frame.columns
        if column in names and frame.get_column(column).null_count() < frame.height
    ]


def _names(model: type[Model], fixed: Mapping[str, object]) -> set[str]:
    return {
        name
        for f in model._meta.concrete_fields
        for name in (f.name, f.attname)
        if f.name in fixed or f.attname in fixed
    }


def bulks_with_fixed(bulks: BulksByModel, fixed: Mapping[str, object]) -> BulksByModel:
    """Every object given the fixed values of its model's fields (lazily: the importer's
    iterables may be generators)."""
    return {model: _set_each(objs, fixed_fields(model, fixed)) for model, objs in bulks.items()}


def _set_each(objs: Iterable[Model], values: dict[str, object]) -> Iterable[Model]:
    if not values:
        return objs

    def each() -> Iterator[Model]:
        for obj in objs:
            for attname, value in values.items():
                setattr(obj, attname, value)
            yield obj

    return each()


def frames_with_fixed(frames: FramesByModel, fixed: Mapping[str, object]) -> FramesByModel:
    """Every frame given a column per fixed field of its model (the attname, one value)."""
    out: dict[type[Model], ModelFrame | pl.DataFrame] = {}
    for model, given in frames.items():
        values = fixed_fields(model, fixed)
        frame = given.frame if isinstance(given, ModelFrame) else given
        names = _names(model, fixed)
        frame = frame.drop([c for c in frame.columns if c in names]).with_columns(
            pl.lit(value).alias(attname) for attname, value in values.items()
        )
        out[model] = replace(given, frame=frame) if isinstance(given, ModelFrame) else frame
    return out


def foreign_row_problems(
    model: type[Model],
    key: tuple[str, ...],
    keyed_rows: Sequence[tuple[tuple[object, ...], int | None]],
    fixed: Mapping[str, object],
    using: str,
) -> list[Problem]:
    """The file rows whose upsert key matches a stored row that does not hold the fixed values
    (another owner's): each a problem naming its row, key column and value."""
    owned = fixed_fields(model, fixed)
    if not owned or not keyed_rows:
        return []
    fields = [_field(model, name) for name in key]
    attnames = [f.attname for f in fields]
    wanted = list(dict.fromkeys(k for k, _row in keyed_rows if None not in k))
    manager = model._base_manager.using(using)
    foreign: set[tuple[object, ...]] = set()
    for chunk in batched(wanted, KEY_CHUNK):
        if len(attnames) == 1:
            lookup = Q(**{f"{attnames[0]}__in": [k[0] for k in chunk]})
        else:
            lookup = reduce(operator.or_, (Q(**dict(zip(attnames, k, strict=True))) for k in chunk))
        stored = manager.filter(lookup).exclude(**owned).values_list(*attnames)
        foreign.update(tuple(_text(v) for v in values) for values in stored)
    name = str(model._meta.verbose_name)
    return [
        Problem(
            kind=ProblemKind.DATABASE_CONFLICT,
            severity=Severity.ERROR,
            message=_(
                "A %(model)s with this %(key)s exists and is not yours: this import may not "
                "change it, nor add another."
            )
            % {"model": name, "key": ", ".join(key)},
            row=row,
            column=key[0],
            value=str(k[0]),
        )
        for k, row in keyed_rows
        if tuple(_text(v) for v in k) in foreign
    ]


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    return next(f for f in model._meta.concrete_fields if name in (f.name, f.attname))


def _text(value: object) -> str:
    """Keys compared as text: the file's ``"7"`` and the database's ``7`` are one key."""
    return "" if value is None else str(value)


def frame_keys(
    model: type[Model], given: ModelFrame | pl.DataFrame, key: tuple[str, ...]
) -> list[tuple[tuple[object, ...], int | None]]:
    """(key, file row) of each row of a model's frame. A key whose foreign key is given by
    natural key (resolved later, by the loader) cannot be checked here: refused, never
    skipped."""
    frame = given.frame if isinstance(given, ModelFrame) else given
    columns = []
    for name in key:
        f = _field(model, name)
        names = (f.attname,) if f.is_relation else (f.name, f.attname)
        column = next((c for c in names if c in frame.columns), None)
        if column is None:
            msg = (
                f"{model._meta.label}: rows that belong to someone (fixed values) cannot be "
                f"upserted by {name!r} given by natural key yet; give its {f.attname!r} instead."
            )
            raise LoadError(msg)
        columns.append(column)
    rows: list[int | None] = (
        frame.get_column(ROW_NUMBER_COLUMN).to_list()
        if ROW_NUMBER_COLUMN in frame.columns
        else [None] * frame.height
    )
    return list(zip(frame.select(columns).rows(), rows, strict=True))


def object_keys(
    model: type[Model], objs: Iterable[Model], key: tuple[str, ...]
) -> list[tuple[tuple[object, ...], int | None]]:
    """(key, ``None``) of each object (the run finds the rows holding a problem's value)."""
    attnames = [_field(model, name).attname for name in key]
    return [(tuple(getattr(obj, a) for a in attnames), None) for obj in objs]
