"""A model's ``CheckConstraint``s evaluated over a whole frame at once, as polars expressions.

Django 6 can check a constraint for one instance (one query per row). Instead, a condition made
of field lookups is translated into one polars expression over the frame: the lookups
``exact``, ``iexact``, ``gt``, ``gte``, ``lt``, ``lte``, ``in``, ``range``, ``isnull``,
``contains``, ``startswith``, ``endswith`` (and their ``i…`` forms), comparing a field with a
constant or another field (``F("other")``), combined with ``&``, ``|`` and ``~``. A condition
holding anything else (functions, expressions, lookups across relations, a field the frame does
not carry) is not evaluated here: the database still enforces it, and a refusal during the load
names the file row (:mod:`winiadmin.db.located`).

As in SQL, a condition that is unknown (NULL) passes.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db.models import CheckConstraint, F, Model, Q

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


class Untranslatable(Exception):
    """The condition holds something polars cannot evaluate."""


def check_constraints(model: type[Model]) -> list[CheckConstraint]:
    return [c for c in model._meta.constraints if isinstance(c, CheckConstraint)]


def condition_expr(condition: object, columns: Mapping[str, str]) -> pl.Expr | None:
    """The condition as a polars expression over ``columns`` (field name → frame column)."""
    if not isinstance(condition, Q):
        return None
    try:
        return _q(condition, columns)
    except Untranslatable:
        return None


def _q(q: Q, columns: Mapping[str, str]) -> pl.Expr:
    parts = [_child(child, columns) for child in q.children]
    if not parts:
        raise Untranslatable
    combine = operator.and_ if q.connector == Q.AND else operator.or_
    expr = reduce(combine, parts)
    return ~expr if q.negated else expr


def _child(child: object, columns: Mapping[str, str]) -> pl.Expr:
    if isinstance(child, Q):
        return _q(child, columns)
    if isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
        return _lookup(child[0], child[1], columns)
    raise Untranslatable  # an expression given as a condition (Exact(...), a boolean field)


def _column(name: str, columns: Mapping[str, str]) -> pl.Expr:
    if name not in columns:
        raise Untranslatable
    return pl.col(columns[name])


def _operand(value: object, columns: Mapping[str, str]) -> pl.Expr:
    if isinstance(value, F):
        return _column(str(value.name), columns)  # type: ignore[attr-defined]
    if isinstance(value, bool | int | float | str) or value is None:
        return pl.lit(value)
    if hasattr(value, "resolve_expression"):
        raise Untranslatable
    return pl.lit(value)


_COMPARISONS: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
_TEXT = {"contains", "startswith", "endswith"}


def _lookup(path: str, value: Any, columns: Mapping[str, str]) -> pl.Expr:
    name, _sep, lookup = path.partition("__")
    lookup = lookup or "exact"
    col = _column(name, columns)
    if lookup in _COMPARISONS:
        if value is None:  # Django turns `field=None` into IS NULL
            return col.is_null()
        return _COMPARISONS[lookup](col, _operand(value, columns))
    if lookup == "isnull":
        return col.is_null() if value else col.is_not_null()
    if lookup == "in" and isinstance(value, list | tuple | set | frozenset):
        return col.is_in(pl.Series(list(value)).implode())
    if lookup == "range" and isinstance(value, list | tuple) and len(value) == 2:
        return (col >= _operand(value[0], columns)) & (col <= _operand(value[1], columns))
    return _text_lookup(col, lookup, value)


def _text_lookup(col: pl.Expr, lookup: str, value: object) -> pl.Expr:
    folded = lookup.startswith("i") and lookup[1:] in {*_TEXT, "exact"}
    base = lookup[1:] if folded else lookup
    if not isinstance(value, str) or base not in {*_TEXT, "exact"}:
        raise Untranslatable
    text = col.str.to_lowercase() if folded else col
    needle = value.lower() if folded else value
    if base == "exact":
        return text == needle
    if base == "contains":
        return text.str.contains(needle, literal=True)
    return text.str.starts_with(needle) if base == "startswith" else text.str.ends_with(needle)
