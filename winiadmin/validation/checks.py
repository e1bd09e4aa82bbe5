"""The rules of one model field, each a vectorised polars test where Django's rule is known.

A :class:`Rule` finds *candidate* values with one polars expression (lengths, ranges, choices,
decimal digits, regular expressions Rust's regex engine accepts); each distinct candidate is
then judged by Django's own validator (:mod:`winiadmin.validation.messages`), which gives the
message and has the last word. A validator winiadmin cannot express in polars (an email, a URL,
an IP address, a project's own function) has no expression: Django judges every distinct
non-empty value of the column, once (:class:`~winiadmin.validation.frame.FrameChecker` caches
the verdicts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import polars as pl
from django.core import validators as dv
from django.db.models import AutoField, CharField, DecimalField, Field, GeneratedField, TextField

from winiadmin.validation.messages import Validator, to_python_verdict, verdict

#: A message for a refused value, or None when Django accepts it.
type Judge = Callable[[object], str | None]

_NUMERIC_OR_TEMPORAL = (pl.Date, pl.Datetime, pl.Time, pl.Duration)


@dataclass(frozen=True, slots=True)
class Rule:
    field: Field[Any, Any]
    #: The frame's column holding the field's values.
    column: str
    #: True for candidate rows: a test in polars, or every non-empty value when Django's rule
    #: has no polars form (each distinct value is then judged once).
    candidates: pl.Expr
    judge: Judge
    #: An empty value refused (null / blank): a missing value rather than an invalid one.
    missing: bool = False


def checked_fields(field: Field[Any, Any]) -> bool:
    """Fields whose values an import provides: not the auto key, not a generated column."""
    return not isinstance(field, AutoField | GeneratedField) and field.concrete


def field_rules(field: Field[Any, Any], column: str, dtype: pl.DataType) -> Iterator[Rule]:
    """Every rule ``full_clean()`` applies to one field's column (unique checks aside)."""
    col = pl.col(column)
    text = dtype == pl.String
    empty = col.is_null() | (col == "") if text else col.is_null()
    if not field.blank:
        # full_clean skips a blank-allowed field's empty value altogether (null included). A
        # NULL the column allows (null=True, blank=False) is stored, as before: ``blank`` is a
        # form's rule, and such models are common where NULL means "not given".
        if not field.null:
            message = str(field.error_messages["null"])
            yield Rule(field, column, col.is_null(), lambda _value: message, missing=True)
        if text:
            blank = str(field.error_messages["blank"])
            yield Rule(field, column, col == "", lambda _value: blank, missing=True)
    if field.is_relation:
        return  # a key's target is checked by the loader (lookups, references, the database)
    present = ~empty
    if (text or dtype == pl.Object) and not isinstance(field, CharField | TextField):
        # Text given for a number, a date, a UUID…: ``to_python`` must make sense of it.
        yield Rule(field, column, present, partial(to_python_verdict, field))
    if field.choices is not None:
        yield _choices_rule(field, column, dtype, present)
    for validator in field.validators:
        yield _validator_rule(field, column, dtype, validator, present)


def _choices_rule(
    field: Field[Any, Any], column: str, dtype: pl.DataType, present: pl.Expr
) -> Rule:
    keys = [key for key, _label in field.flatchoices]
    col = pl.col(column)
    shown = pl.Series([str(k) for k in keys], dtype=pl.String).implode()
    expr = present & ~col.cast(pl.String).is_in(shown) if dtype != pl.Object else present
    message = field.error_messages["invalid_choice"]

    def judge(value: object) -> str | None:
        return None if field.to_python(value) in keys else str(message % {"value": value})

    return Rule(field, column, expr, judge)


def _validator_rule(
    field: Field[Any, Any],
    column: str,
    dtype: pl.DataType,
    validator: Validator,
    present: pl.Expr,
) -> Rule:
    judge = partial(verdict, field, validator)
    expr = None if dtype == pl.Object else _expression(field, pl.col(column), dtype, validator)
    return Rule(field, column, present if expr is None else present & expr, judge)


def _expression(
    field: Field[Any, Any], col: pl.Expr, dtype: pl.DataType, validator: Validator
) -> pl.Expr | None:
    """Candidates of ``validator`` as a polars expression, or None (judged value by value)."""
    text = dtype == pl.String
    kind = type(validator)
    if kind is dv.ProhibitNullCharactersValidator and text:
        return col.str.contains("\x00", literal=True)
    if kind in {dv.MaxLengthValidator, dv.MinLengthValidator} and text:
        return _length(col, validator)
    if kind in {dv.MaxValueValidator, dv.MinValueValidator}:
        return _bound(col, dtype, validator)
    if kind is dv.DecimalValidator and isinstance(field, DecimalField):
        return _decimal(col, dtype, validator)
    if kind is dv.RegexValidator and text:
        return _regex(col, validator)
    return None


def _length(col: pl.Expr, validator: Validator) -> pl.Expr:
    assert isinstance(validator, dv.BaseValidator)
    limit = _limit(validator)
    length = col.str.len_chars()
    expr: pl.Expr = (
        length > limit if isinstance(validator, dv.MaxLengthValidator) else length < limit
    )
    return expr


def _limit(validator: dv.BaseValidator) -> Any:
    limit = validator.limit_value
    return limit() if callable(limit) else limit


def _bound(col: pl.Expr, dtype: pl.DataType, validator: Validator) -> pl.Expr | None:
    assert isinstance(validator, dv.BaseValidator)
    limit = _limit(validator)
    if dtype.is_numeric() and isinstance(limit, int | float) and not isinstance(limit, bool):
        value = col.cast(pl.Float64) if dtype.is_decimal() else col
    elif isinstance(dtype, _NUMERIC_OR_TEMPORAL) and not isinstance(limit, int | float):
        value = col
    else:
        return None
    expr: pl.Expr = value > limit if isinstance(validator, dv.MaxValueValidator) else value < limit
    return expr


def _decimal(col: pl.Expr, dtype: pl.DataType, validator: Validator) -> pl.Expr | None:
    """Too many decimal places or whole digits; a float is judged by its shortest text."""
    assert isinstance(validator, dv.DecimalValidator)
    places, digits = validator.decimal_places, validator.max_digits
    if places is None or digits is None or not dtype.is_numeric():
        return None
    whole = col.cast(pl.Float64).abs() >= 10.0 ** (digits - places)
    if dtype.is_integer():
        return whole
    if dtype.is_decimal():
        return whole | (col.round(places) != col)
    scaled = col * 10.0**places
    # A candidate only: the judge decides on the exact decimal text of the float.
    return whole | ((scaled - scaled.round()).abs() > 1e-9 * (scaled.abs() + 1.0))


def _regex(col: pl.Expr, validator: Validator) -> pl.Expr | None:
    """The validator's pattern in Rust's regex syntax, if it has one; None otherwise."""
    assert isinstance(validator, dv.RegexValidator)
    regex = validator.regex
    pattern = rust_pattern(regex) if isinstance(regex, re.Pattern) else None
    if pattern is None:
        return None
    found = col.str.contains(pattern)
    return found if validator.inverse_match else ~found


_FLAGS = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s", re.VERBOSE: "x"}


def rust_pattern(regex: re.Pattern[str]) -> str | None:
    """``regex`` for polars (Rust's regex crate), or None when it has no equivalent there
    (look-around, back-references, ASCII-only classes)."""
    flags = regex.flags & ~re.UNICODE
    if flags & ~sum(_FLAGS):
        return None
    inline = "".join(letter for flag, letter in _FLAGS.items() if flags & flag)
    # Python's end of text \Z is Rust's \z; everything else shared keeps its meaning.
    pattern = regex.pattern.replace(r"\Z", r"\z")
    pattern = f"(?{inline}){pattern}" if inline else pattern
    try:
        pl.Series([""], dtype=pl.String).str.contains(pattern)
    except pl.exceptions.PolarsError:
        return None
    return pattern
