"""The model's rules for the object path: a chunk of unsaved objects checked as one frame.

The attribute values of a chunk's objects become a polars frame, one column per field, checked
by :class:`~winiadmin.validation.frame.FrameChecker`. Objects carry no file row, so a problem's
row is found the way the conflict checks find it: the n-th object with a refused value came
from the n-th file row whose column of the same name (the field's name or attname) holds that
value. A value the importer computed (no such column, or a changed value) has no row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db.models import DecimalField, Field, Model

from winiadmin.db.lookups import KEYS_ATTRIBUTE
from winiadmin.validation.checks import checked_fields
from winiadmin.validation.frame import FrameChecker

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from winiadmin.problems import Problem

Key = tuple[str | None, ...]


@dataclass(slots=True)
class ObjectRules:
    #: The cleaned frame and its file row numbers, to find the row behind a refused value.
    frame: pl.DataFrame
    rows: pl.Series
    #: The column a problem names, by field name (the file's header; see ``FrameChecker``).
    labels: Mapping[str, str] = field(default_factory=dict)
    _checkers: dict[type[Model], FrameChecker] = field(default_factory=dict)
    _indexes: dict[tuple[str, ...], dict[Key, list[int]]] = field(default_factory=dict)
    _seen: Counter[tuple[tuple[str, ...], Key]] = field(default_factory=Counter)

    def check(self, model: type[Model], objs: Sequence[Model]) -> tuple[list[Problem], list[bool]]:
        """The problems of ``objs`` and, per object, whether it breaks a rule."""
        if not objs:
            return [], []
        checker = self._checkers.setdefault(model, FrameChecker(model, self.labels))
        frame = objects_frame(model, objs)
        checked = checker.check(frame)
        problems = []
        for problem, (index, columns) in zip(checked.problems, checked.found, strict=True):
            key = tuple(_text(frame.get_column(c)[index]) for c in columns)
            problems.append(replace(problem, row=self._row(columns, key)))
        return problems, checked.refused.to_list()

    def _row(self, columns: tuple[str, ...], key: Key) -> int | None:
        """The next file row holding ``key`` in the columns named like the fields."""
        if columns not in self._indexes:
            self._indexes[columns] = self._index(columns)
        rows = self._indexes[columns].get(key, [])
        nth = self._seen[columns, key]
        self._seen[columns, key] += 1
        return rows[nth] if nth < len(rows) else None

    def _index(self, columns: tuple[str, ...]) -> dict[Key, list[int]]:
        names = [c if c in self.frame.columns else c.removesuffix("_id") for c in columns]
        index: dict[Key, list[int]] = {}
        if not all(n in self.frame.columns for n in names):
            return index
        texts = self.frame.select(pl.col(n).cast(pl.String) for n in names).rows()
        for text, row in zip(texts, self.rows.to_list(), strict=True):
            index.setdefault(text, []).append(int(row))
        return index


def _text(value: object) -> str | None:
    """A value as the cleaned frame's column cast to text shows it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def objects_frame(model: type[Model], objs: Sequence[Model]) -> pl.DataFrame:
    """One column per checked field: its attribute values (a foreign key: whether one is set)."""
    columns = []
    for f in model._meta.concrete_fields:
        if not checked_fields(f):
            continue
        if f.is_relation:
            columns.append(pl.Series(f.name, [_has_key(o, f) for o in objs], dtype=pl.Boolean))
            continue
        values = [getattr(o, f.attname) for o in objs]
        columns.append(_series(f, values))
    return pl.DataFrame(columns)


def _has_key(obj: Model, f: Field[Any, Any]) -> bool | None:
    """A key given as an id, a related object, or a natural key (``with_keys``)."""
    if getattr(obj, f.attname) is not None or obj._state.fields_cache.get(f.name) is not None:
        return True
    keys = obj.__dict__.get(KEYS_ATTRIBUTE, {})
    return True if keys.get(f.name) is not None else None


def _series(f: Field[Any, Any], values: list[Any]) -> pl.Series:
    if isinstance(f, DecimalField):
        # Mixed scales would be rounded to the first value's scale by polars: as floats, judged
        # by their shortest text (exact up to 15 significant digits).
        values = [float(v) if isinstance(v, Decimal) else v for v in values]
    try:
        return pl.Series(f.attname, values)
    except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError):
        return pl.Series(f.attname, values, dtype=pl.Object)
