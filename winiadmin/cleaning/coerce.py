"""Turn raw text into each column's declared dtype, finding every cell that does not fit.

winiutils builds its frame with the declared schema and stops at the first value that does not
cast. Here every column is parsed with ``strict=False`` and a cell that had text but came out null
is a failure, so all of them are found in one vectorised pass. The parsed columns are then exactly
the declared dtypes, and winiutils' own cast becomes a no-op.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import polars as pl
from django.utils.translation import gettext as _

_TRUE = ["true", "t", "yes", "y", "1", "on"]
_FALSE = ["false", "f", "no", "n", "0", "off"]
_INTEGER = r"^[+-]?\d+$"
_WHOLE_FLOAT = r"^([+-]?\d+)\.0*$"


@dataclass(frozen=True, slots=True)
class CoercedColumn:
    values: pl.Series
    #: True where the cell had a value that could not be read as the dtype.
    failed: pl.Series
    #: Why a failed cell failed, per cell (null where it did not fail).
    reasons: pl.Series


#: A column's own parser, declared by a cleaning class (``get_col_parser_map``) where a dtype
#: alone cannot say how to read the text (a model field's decimal places, a choice's label…):
#: the raw column in, its values and per-cell failures out (see :func:`parsed_column`).
ColumnParser = Callable[[pl.Series], CoercedColumn]


@dataclass(frozen=True, slots=True)
class ParseFormats:
    dates: Sequence[str] = ("%Y-%m-%d",)
    datetimes: Sequence[str] = ()


def normalise_text(raw: pl.Series) -> pl.Series:
    """Strip spaces; a cell holding only spaces counts as empty."""
    stripped = raw.str.strip_chars()
    return stripped.set(stripped.str.len_chars() == 0, None)


def _integers(text: pl.Series, dtype: pl.DataType) -> pl.Series:
    whole = text.str.replace(_WHOLE_FLOAT, "$1")
    return whole.cast(dtype, strict=False)


def _integer_reason(text: pl.Series, dtype: pl.DataType) -> pl.Series:
    looks_whole = text.str.contains(_INTEGER) | text.str.contains(_WHOLE_FLOAT)
    return (
        pl.select(
            pl.when(pl.lit(looks_whole))
            .then(pl.lit(_("Out of range for %(dtype)s") % {"dtype": dtype}))
            .otherwise(pl.lit(_("Not a whole number")))
        )
        .to_series()
        .alias(text.name)
    )


def _floats(text: pl.Series, dtype: pl.DataType) -> pl.Series:
    parsed = text.cast(dtype, strict=False)
    # NaN and infinities parse, but no database column wants them as data.
    return parsed.set(parsed.is_nan() | parsed.is_infinite(), None)


def _booleans(text: pl.Series, _: pl.DataType) -> pl.Series:
    lowered = text.str.to_lowercase()
    return (
        pl.select(
            pl.when(pl.lit(lowered).is_in(_TRUE))
            .then(True)
            .when(pl.lit(lowered).is_in(_FALSE))
            .then(False)
            .otherwise(None)
        )
        .to_series()
        .alias(text.name)
    )


def _first_match(text: pl.Series, parsers: list[Callable[[pl.Series], pl.Series]]) -> pl.Series:
    """Each parser after the first reads only the cells the earlier ones could not: a column
    in the first format is parsed once."""
    found = parsers[0](text)
    for parse in parsers[1:]:
        left = (found.is_null() & text.is_not_null()).arg_true()
        if left.len() == 0:
            break
        found = found.scatter(left, parse(text.gather(left)))
    return found.alias(text.name)


def four_digit_years(values: pl.Series, fmt: str | None) -> pl.Series:
    """polars reads ``%Y`` from two digits (``31.12.26`` → year 26): not a year anyone
    meant, so a ``%Y`` year below 1000 is not read (a two-digit year needs ``%y``)."""
    if fmt is None or "%Y" not in fmt:
        return values
    return values.set(values.dt.year() < 1000, None)


def _to_date(text: pl.Series, *, fmt: str) -> pl.Series:
    return four_digit_years(text.str.to_date(fmt, strict=False), fmt)


def _to_datetime(text: pl.Series, *, fmt: str | None, target: pl.Datetime) -> pl.Series:
    parsed = text.str.to_datetime(
        fmt, time_unit=target.time_unit, time_zone=target.time_zone, strict=False
    )
    return four_digit_years(parsed, fmt)


def _dates(formats: ParseFormats) -> Callable[[pl.Series, pl.DataType], pl.Series]:
    def parse(text: pl.Series, _: pl.DataType) -> pl.Series:
        parsers: list[Callable[[pl.Series], pl.Series]] = [
            partial(_to_date, fmt=fmt) for fmt in formats.dates
        ]
        # Spreadsheets often export a date as a datetime at midnight.
        parsers.append(lambda s: s.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False).dt.date())
        return _first_match(text, parsers)

    return parse


def _datetimes(formats: ParseFormats) -> Callable[[pl.Series, pl.DataType], pl.Series]:
    def parse(text: pl.Series, dtype: pl.DataType) -> pl.Series:
        target = dtype if isinstance(dtype, pl.Datetime) else pl.Datetime("us")
        parsers: list[Callable[[pl.Series], pl.Series]] = [
            partial(_to_datetime, fmt=fmt, target=target) for fmt in (None, *formats.datetimes)
        ]
        parsers.append(lambda s: s.str.to_date("%Y-%m-%d", strict=False).cast(target))
        return _first_match(text, parsers)

    return parse


def _times(text: pl.Series, _: pl.DataType) -> pl.Series:
    return _first_match(
        text,
        [
            lambda s: s.str.to_time("%H:%M:%S", strict=False),
            lambda s: s.str.to_time("%H:%M", strict=False),
            lambda s: s.str.to_time("%H:%M:%S%.f", strict=False),
        ],
    )


def _generic(text: pl.Series, dtype: pl.DataType) -> pl.Series:
    return text.cast(dtype, strict=False)


Parser = Callable[[pl.Series, pl.DataType], pl.Series]


def _rule(dtype: pl.DataType, formats: ParseFormats) -> tuple[Parser, str]:
    """The parser for a dtype and how to say that a cell is not of it."""
    rules: list[tuple[bool, Parser, str]] = [
        (dtype.is_integer(), _integers, _("Not a whole number")),
        (dtype.is_float(), _floats, _("Not a number")),
        (dtype.is_decimal(), _generic, _("Not a number")),
        (dtype == pl.Boolean, _booleans, _("Not a yes/no value (true/false, yes/no, 1/0)")),
        (dtype == pl.Date, _dates(formats), _("Not a date (expected YYYY-MM-DD)")),
        (
            dtype == pl.Datetime,
            _datetimes(formats),
            _("Not a date and time (expected YYYY-MM-DD HH:MM:SS)"),
        ),
        (dtype == pl.Time, _times, _("Not a time of day (expected HH:MM or HH:MM:SS)")),
    ]
    for applies, parser, description in rules:
        if applies:
            return parser, description
    return _generic, _("Cannot be read as %(dtype)s") % {"dtype": dtype}


def as_dtype(dtype: pl.DataType | type[pl.DataType]) -> pl.DataType:
    """A dtype instance from what a dtype map holds (``pl.Int64`` or ``pl.Datetime("ms")``)."""
    return dtype() if isinstance(dtype, type) else dtype


def coerce_column(
    raw: pl.Series, target: pl.DataType | type[pl.DataType], formats: ParseFormats
) -> CoercedColumn:
    dtype = as_dtype(target)
    if raw.dtype == dtype or (raw.dtype == pl.String and dtype == pl.String):
        values = normalise_text(raw) if raw.dtype == pl.String else raw
        no_failure = pl.repeat(False, len(raw), dtype=pl.Boolean, eager=True).alias(raw.name)
        return CoercedColumn(values, no_failure, _no_reasons(raw))
    text = normalise_text(raw if raw.dtype == pl.String else raw.cast(pl.String, strict=False))
    return coerce_text(text, dtype, formats)


def coerce_text(text: pl.Series, dtype: pl.DataType, formats: ParseFormats) -> CoercedColumn:
    """:func:`coerce_column` of text already normalised (:func:`normalise_text`)."""
    parser, description = _rule(dtype, formats)
    values = parser(text, dtype).alias(text.name)
    failed = (text.is_not_null() & values.is_null()).alias(text.name)
    if not failed.any():  # the usual column: no reason to say
        return CoercedColumn(values, failed, _no_reasons(text))
    reasons = (
        _integer_reason(text, dtype)
        if dtype.is_integer()
        else pl.repeat(description, len(text), dtype=pl.String, eager=True)
    )
    return CoercedColumn(values, failed, reasons.set(~failed, None))


def _no_reasons(raw: pl.Series) -> pl.Series:
    return pl.repeat(None, len(raw), dtype=pl.String, eager=True).alias(raw.name)


def parsed_column(text: pl.Series, values: pl.Series, reasons: pl.Series) -> CoercedColumn:
    """A :class:`CoercedColumn` from a parser's values and reasons (null where the cell is
    fine): a cell fails where it had text and a reason; its value is then null."""
    failed = (text.is_not_null() & reasons.is_not_null()).alias(text.name)
    return CoercedColumn(
        values.set(failed, None).alias(text.name),
        failed,
        reasons.set(~failed, None).alias(text.name),
    )
