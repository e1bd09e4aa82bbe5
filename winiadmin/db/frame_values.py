"""Turn a model frame's columns into what the database stores, column by column, vectorised.

Each concrete field of the model gets a column: the frame's (by field name or attname), else its
default (computed once for the whole load), else NULL. Values are converted the way Django's
backends store them (dates as ISO text on SQLite, UUIDs as hex on SQLite, decimals at their
field's scale…); field types without a vectorised conversion go through Django's own
``get_db_prep_save`` value by value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import NOT_PROVIDED, DateField, DateTimeField, Field, ForeignKey, Model
from django.utils import timezone

from winiadmin.exceptions import LoadError

type Converter = Callable[[pl.Series, Field[Any, Any], BaseDatabaseWrapper], pl.Series]

_TEXT = {"CharField", "TextField", "EmailField", "SlugField", "URLField", "FilePathField"}
_INTEGER = {
    "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
    "PositiveBigIntegerField", "PositiveSmallIntegerField", "AutoField", "BigAutoField",
    "SmallAutoField",
}  # fmt: skip


def to_database_frame(
    model: type[Model], frame: pl.DataFrame, connection: BaseDatabaseWrapper
) -> tuple[list[Field[Any, Any]], pl.DataFrame]:
    """The fields to insert and, in the same order, their database values."""
    _refuse_unknown_columns(model, frame)
    fields: list[Field[Any, Any]] = []
    columns: list[pl.Series] = []
    for f in model._meta.local_concrete_fields:
        source = next((c for c in (f.name, f.attname) if c in frame.columns), None)
        if source is None and _database_fills(f):
            continue
        raw = frame.get_column(source) if source else _default_column(model, f, frame.height)
        fields.append(f)
        # A column of NULLs only (a NULL default) needs no conversion, and polars' date and
        # time formatting refuses its dtype.
        converted = raw if raw.dtype == pl.Null else _converter(f)(raw, f, connection)
        columns.append(converted.alias(f.column or f.attname))
    return fields, pl.DataFrame(columns)


def _refuse_unknown_columns(model: type[Model], frame: pl.DataFrame) -> None:
    known = {n for f in model._meta.local_concrete_fields for n in (f.name, f.attname)}
    unknown = [c for c in frame.columns if c not in known and not c.startswith("__winiadmin")]
    if unknown:
        msg = f"{model._meta.label} has no field named {', '.join(map(repr, unknown))}."
        raise LoadError(msg)


def _database_fills(f: Field[Any, Any]) -> bool:
    """An auto-increment key, a generated column or a database default: leave it out."""
    return bool(
        getattr(f, "db_returning", False)
        or getattr(f, "generated", False)
        or (f.db_default is not NOT_PROVIDED and not f.has_default())
    )


def _default_column(model: type[Model], f: Field[Any, Any], height: int) -> pl.Series:
    auto_now = isinstance(f, DateField) and (f.auto_now or f.auto_now_add)
    if auto_now:
        value: Any = timezone.now() if isinstance(f, DateTimeField) else timezone.localdate()
    elif f.has_default():
        if callable(f.default) and (f.unique or f.primary_key):
            msg = (
                f"{model._meta.label}.{f.name} needs a column: its default differs per row "
                "and the frame loader computes defaults once."
            )
            raise LoadError(msg)
        value = f.get_default()
    elif f.null:
        value = None
    elif f.empty_strings_allowed and f.blank:
        # Text the model lets be blank, without a default: "", as ``Model()`` gives it.
        value = f.get_default()
    else:
        msg = f"{model._meta.label}.{f.name} has no column in the frame, no default and no NULL."
        raise LoadError(msg)
    # One value converted once, repeated by polars (a list of ``height`` values took ~0.14 s a
    # 100,000-row batch for a timestamp).
    return pl.Series(f.attname, [value]).new_from_index(0, height)


def _converter(f: Field[Any, Any]) -> Converter:
    kind = _target_field(f).get_internal_type()
    if kind in _TEXT:
        return _as_text
    if kind in _INTEGER:
        return _as_integer
    return _CONVERTERS.get(kind, _prepared_by_django)


def _target_field(f: Field[Any, Any]) -> Field[Any, Any]:
    """A foreign key stores its target field's values."""
    while isinstance(f, ForeignKey):
        f = f.target_field
    return f


def _as_text(series: pl.Series, *_: object) -> pl.Series:
    return series.cast(pl.String)


def _as_integer(series: pl.Series, *_: object) -> pl.Series:
    return series.cast(pl.Int64)


def _as_float(series: pl.Series, *_: object) -> pl.Series:
    return series.cast(pl.Float64)


def _as_boolean(series: pl.Series, *_: object) -> pl.Series:
    return series.cast(pl.Boolean)


def _as_decimal(series: pl.Series, f: Field[Any, Any], _: BaseDatabaseWrapper) -> pl.Series:
    places, digits = getattr(f, "decimal_places", 0), getattr(f, "max_digits", 38)
    if series.dtype == pl.String:
        series = series.str.strip_chars().cast(pl.Float64)
    if series.dtype.is_float():
        series = series.round(places)
    return series.cast(pl.Decimal(digits, places)).cast(pl.String)


def _as_date(series: pl.Series, *_: object) -> pl.Series:
    if series.dtype == pl.String:
        return series
    return series.cast(pl.Date).dt.strftime("%Y-%m-%d")


def _as_datetime(
    series: pl.Series, _: Field[Any, Any], connection: BaseDatabaseWrapper
) -> pl.Series:
    if series.dtype in (pl.Object, pl.Null):
        series = pl.Series(series.name, series.to_list(), dtype=pl.Datetime("us", "UTC"))
    if series.dtype == pl.String:
        series = series.str.to_datetime(time_unit="us")
    if settings.USE_TZ:
        zone = getattr(series.dtype, "time_zone", None)
        if zone is None:  # naive values are in the current time zone, as Django assumes
            series = series.dt.replace_time_zone(timezone.get_current_timezone_name())
        series = series.dt.convert_time_zone("UTC")
    if connection.vendor == "postgresql" and settings.USE_TZ:
        return series.dt.strftime("%Y-%m-%d %H:%M:%S%.f+00:00")
    return series.dt.replace_time_zone(None).dt.strftime("%Y-%m-%d %H:%M:%S%.f")


def _as_time(series: pl.Series, *_: object) -> pl.Series:
    if series.dtype == pl.String:
        return series
    return series.dt.strftime("%H:%M:%S%.f")


def _as_uuid(series: pl.Series, _: Field[Any, Any], connection: BaseDatabaseWrapper) -> pl.Series:
    text = (
        series.cast(pl.String) if series.dtype != pl.Object else series.map_elements(str, pl.String)
    )
    if connection.features.has_native_uuid_field:
        return text
    return text.str.replace_all("-", "")


def _prepared_by_django(
    series: pl.Series, f: Field[Any, Any], connection: BaseDatabaseWrapper
) -> pl.Series:
    """Any other field type: Django's own conversion, value by value (slow, but exact)."""
    values = [
        None if v is None else f.get_db_prep_save(f.to_python(v), connection)
        for v in series.to_list()
    ]
    return pl.Series(series.name, values, dtype=pl.Object if values else pl.Null)


_CONVERTERS: dict[str, Converter] = {
    "FloatField": _as_float,
    "BooleanField": _as_boolean,
    "DecimalField": _as_decimal,
    "DateField": _as_date,
    "DateTimeField": _as_datetime,
    "TimeField": _as_time,
    "UUIDField": _as_uuid,
}
