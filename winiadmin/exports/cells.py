"""A chunk of database rows as a polars frame of cells, in the forms the importer reads back.

Numbers and booleans stay typed (a spreadsheet number, a JSON number); everything whose text
matters is text: decimals exactly as stored (``12.50``, never a float), dates ISO 8601,
date-times ISO 8601 with their offset (the importer reads both, in any time zone), durations
as Django writes them (``1 02:03:04``), JSON fields as compact JSON. Every format writes these
cells, so they all import back the same.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import polars as pl
from django.utils.duration import duration_string

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from winiadmin.exports.columns import ExportColumn

_DTYPES: dict[str, pl.DataType] = {
    "integer": pl.Int64(),
    "float": pl.Float64(),
    "boolean": pl.Boolean(),
}


def _iso(value: Any) -> str:
    # Dates, times and date-times (``isoformat`` keeps an aware value's offset and writes the
    # microseconds only when there are some); a space, not ``T``, as people type it.
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value.isoformat())


def _duration(value: Any) -> str:
    return duration_string(value)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _text(value: object) -> str:
    return str(value)


_TEXTS: dict[str, Callable[[Any], str]] = {
    "date": _iso,
    "time": _iso,
    "datetime": _iso,
    "duration": _duration,
    "json": _json,
}


def cell_schema(columns: Sequence[ExportColumn]) -> dict[str, pl.DataType]:
    """The frame's schema: typed numbers and booleans, text for the rest."""
    return {c.header: _DTYPES.get(c.kind, pl.String()) for c in columns}


def cells_frame(rows: Sequence[Sequence[object]], columns: Sequence[ExportColumn]) -> pl.DataFrame:
    """One chunk of ``values_list`` rows as cells (nulls stay null)."""
    return pl.DataFrame(
        [_cells(column, [row[index] for row in rows]) for index, column in enumerate(columns)]
    )


def _cells(column: ExportColumn, values: list[object]) -> pl.Series:
    name, kind = column.header, column.kind
    dtype = _DTYPES.get(kind)
    if dtype is not None:
        return pl.Series(name, values, dtype=dtype, strict=False)
    # Text, decimals and dates become text in polars, a column at a time (the same text:
    # ``12.50`` with the field's places, ISO dates); other values, or values polars refuses
    # (a decimal wider than it holds, bytes in a text column), one at a time in Python.
    vectorised = _VECTORISED.get(kind)
    if vectorised is not None:
        try:
            return pl.Series(name, values, dtype=vectorised(column), strict=True).cast(pl.String())
        except (pl.exceptions.PolarsError, TypeError, ValueError, OverflowError):
            pass
    to_text = _TEXTS.get(kind, _text)
    return pl.Series(name, [None if v is None else to_text(v) for v in values], dtype=pl.String())


def _decimal_dtype(column: ExportColumn) -> pl.DataType:
    return pl.Decimal(column.digits, column.places)


def _date_dtype(column: ExportColumn) -> pl.DataType:
    del column
    return pl.Date()


def _text_dtype(column: ExportColumn) -> pl.DataType:
    # Text fields give ``str`` already (anything else is refused and written one by one).
    del column
    return pl.String()


_VECTORISED: dict[str, Callable[[ExportColumn], pl.DataType]] = {
    "text": _text_dtype,
    "decimal": _decimal_dtype,
    "date": _date_dtype,
}
