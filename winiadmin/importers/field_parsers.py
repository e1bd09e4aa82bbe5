"""How the text of a file's cell becomes a model field's value, one parser per field type.

Each parser takes the raw column and returns its values in the dtype the field stores and, per
cell, why it could not be read (:class:`~winiadmin.cleaning.coerce.CoercedColumn`): the clean
stage turns those into problems naming the row, the column and the value. The parsers read;
they do not judge: ``max_length``, choices, validators and constraints are the rules step's.
What a parser refuses is text that is not a value of the type at all, and what storing it
would change: a decimal with more places than the field keeps (rounding is refused, never done
silently), an integer out of the field's range, a date and time that does not exist in the
current time zone.

Most parsers are vectorised (polars expressions over the whole column); durations, JSON and IP
addresses are read value by value with Django's and Python's own parsers, the exact rules the
model would apply.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_duration
from django.utils.ipv6 import clean_ipv6_address
from django.utils.translation import gettext as _

from winiadmin.cleaning.coerce import (
    CoercedColumn,
    ColumnParser,
    ParseFormats,
    coerce_column,
    normalise_text,
    parsed_column,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import timedelta

    from django.db.models import Field

#: Spellings of a boolean cell, compared ignoring case (an empty cell: see :func:`boolean`).
TRUE_SPELLINGS = ("true", "t", "yes", "y", "1", "1.0", "on", "x")
FALSE_SPELLINGS = ("false", "f", "no", "n", "0", "0.0", "off")

#: The range each integer field type stores (Django's own, as on PostgreSQL).
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "SmallIntegerField": (-32768, 32767),
    "IntegerField": (-2147483648, 2147483647),
    "BigIntegerField": (-9223372036854775808, 9223372036854775807),
    "PositiveSmallIntegerField": (0, 32767),
    "PositiveIntegerField": (0, 2147483647),
    "PositiveBigIntegerField": (0, 9223372036854775807),
    "AutoField": (1, 2147483647),
    "SmallAutoField": (1, 32767),
    "BigAutoField": (1, 9223372036854775807),
}

TEXT_FIELDS = frozenset(
    {"CharField", "TextField", "SlugField", "EmailField", "URLField", "FilePathField"}
)

_DECIMAL = r"^[+-]?(\d+\.?\d*|\.\d+)$"
_UUID = r"^(?:urn:uuid:)?\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$"  # noqa: E501


@dataclass(frozen=True, slots=True)
class Formats:
    """strptime formats an importer accepts besides ISO 8601, per kind of value."""

    dates: Sequence[str] = ()
    datetimes: Sequence[str] = ()
    times: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class FieldParser:
    """A field's column: the dtype of its cleaned values and the parser that makes them."""

    dtype: pl.DataType
    parse: ColumnParser


def _no_reasons(text: pl.Series) -> pl.Series:
    return pl.repeat(None, len(text), dtype=pl.String, eager=True).alias(text.name)


def _reason_where(text: pl.Series, bad: pl.Series, reason: str) -> pl.Series:
    """``reason`` where ``bad``, else null; as long as ``text`` (an empty column included)."""
    frame = pl.DataFrame({"text": text})
    return frame.select(
        pl.when(bad).then(pl.lit(reason)).otherwise(pl.lit(None, dtype=pl.String))
    ).to_series()


def _first_reason(text: pl.Series, *reasons: pl.Series) -> pl.Series:
    return pl.select(pl.coalesce(list(reasons))).to_series().alias(text.name)


def text_parser(raw: pl.Series) -> CoercedColumn:
    """Text is kept as typed, spaces around it aside."""
    text = normalise_text(raw.cast(pl.String))
    return parsed_column(text, text, _no_reasons(text))


def integer_parser(low: int, high: int) -> ColumnParser:
    def parse(raw: pl.Series) -> CoercedColumn:
        column = coerce_column(raw, pl.Int64, ParseFormats())
        values = column.values
        out = values.is_not_null() & ((values < low) | (values > high))
        range_reason = _reason_where(
            values, out, _("Out of range: from %(low)s to %(high)s") % {"low": low, "high": high}
        )
        text = normalise_text(raw.cast(pl.String))
        return parsed_column(text, values, _first_reason(text, column.reasons, range_reason))

    return parse


def float_parser(raw: pl.Series) -> CoercedColumn:
    return coerce_column(raw, pl.Float64, ParseFormats())


def _digit_counts(text: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Digits before the point (leading zeros aside) and places after it (trailing zeros
    aside) of each cell that matches ``_DECIMAL``; meaningless for other cells.

    Counted from lengths and one search rather than by two regular expressions, which cost
    three quarters of the whole parse of a 1M-row column (bench/conventions.py)."""
    bare = text.str.strip_chars_start("+-0")  # a valid cell's sign and leading zeros
    point = bare.str.find(".", literal=True)
    whole = point.fill_null(bare.str.len_bytes())
    # Only where there is a point: trailing zeros of a whole number (1200) are digits.
    trimmed = bare.str.strip_chars_end("0").str.len_bytes().cast(pl.Int64)
    fraction = (trimmed - point.cast(pl.Int64) - 1).fill_null(0)
    return whole, fraction


def decimal_parser(max_digits: int, places: int) -> ColumnParser:
    """Exact decimals: more places than the field keeps is refused, never rounded."""
    whole_digits = max_digits - places

    def parse(raw: pl.Series) -> CoercedColumn:
        text = normalise_text(raw.cast(pl.String))
        number = text.str.contains(_DECIMAL)
        whole, fraction = _digit_counts(text)
        reasons = _first_reason(
            text,
            _reason_where(text, ~number, _("Not a decimal number (e.g. 1234.56)")),
            _reason_where(
                text,
                fraction > places,
                _("More than %(places)d decimal places: rounding it is refused")
                % {"places": places},
            ),
            _reason_where(
                text,
                whole > whole_digits,
                _("Too many digits: at most %(digits)d before the decimal point")
                % {"digits": whole_digits},
            ),
        )
        fine = text.set(reasons.is_not_null(), None)
        values = fine.cast(pl.Decimal(max_digits, places), strict=False)
        return parsed_column(text, values, reasons)

    return parse


def boolean_parser(raw: pl.Series) -> CoercedColumn:
    text = normalise_text(raw.cast(pl.String))
    lowered = text.str.to_lowercase()
    values = (
        pl.select(
            pl.when(pl.lit(lowered).is_in(TRUE_SPELLINGS))
            .then(True)
            .when(pl.lit(lowered).is_in(FALSE_SPELLINGS))
            .then(False)
            .otherwise(None)
        )
        .to_series()
        .alias(text.name)
    )
    spellings = ", ".join(f"{t}/{f}" for t, f in zip(TRUE_SPELLINGS, FALSE_SPELLINGS, strict=False))
    reason = _("Not a yes/no value (%(spellings)s, x/empty)") % {"spellings": spellings}
    return parsed_column(text, values, _reason_where(text, values.is_null(), reason))


def date_parser(formats: Sequence[str]) -> ColumnParser:
    def parse(raw: pl.Series) -> CoercedColumn:
        return coerce_column(raw, pl.Date, ParseFormats(dates=("%Y-%m-%d", *formats)))

    return parse


def time_parser(formats: Sequence[str]) -> ColumnParser:
    """``HH:MM``, ``HH:MM:SS`` (fractions too), then the importer's formats."""

    def parse(raw: pl.Series) -> CoercedColumn:
        column = coerce_column(raw, pl.Time, ParseFormats())
        if not formats:
            return column
        text = normalise_text(raw.cast(pl.String))
        declared = [text.str.to_time(f, strict=False) for f in formats]
        values = pl.select(pl.coalesce([column.values, *declared])).to_series()
        return parsed_column(text, values, column.reasons.set(values.is_not_null(), None))

    return parse


def datetime_dtype() -> pl.Datetime:
    """Aware (UTC) with ``USE_TZ``, naive (in ``TIME_ZONE``) without, as Django stores them."""
    return pl.Datetime("us", "UTC") if settings.USE_TZ else pl.Datetime("us")


_AWARE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z")
_NAIVE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M")


def datetime_parser(formats: Sequence[str]) -> ColumnParser:
    """ISO 8601 (``T`` or a space, seconds optional, ``Z`` or an offset), a date alone
    (midnight), then the importer's formats. A value without an offset is in the current time
    zone, as Django takes it; one that does not exist there (a clock change) is refused."""

    def parse(raw: pl.Series) -> CoercedColumn:
        text = normalise_text(raw.cast(pl.String))
        iso = text.str.replace(r"^(\d{4}-\d{2}-\d{2}) ", "${1}T").str.replace(r"Z$", "+00:00")
        aware = [
            iso.str.to_datetime(f, time_unit="us", time_zone="UTC", strict=False)
            for f in _AWARE_FORMATS
        ]
        naive = [iso.str.to_datetime(f, time_unit="us", strict=False) for f in _NAIVE_FORMATS]
        naive += [text.str.to_datetime(f, time_unit="us", strict=False) for f in formats]
        naive.append(text.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us")))
        local = pl.select(pl.coalesce(naive)).to_series()
        zone = timezone.get_current_timezone_name()
        localised = local.dt.replace_time_zone(zone, ambiguous="null", non_existent="null")
        in_utc = localised.dt.convert_time_zone("UTC")
        values = pl.select(pl.coalesce([*aware, in_utc])).to_series().alias(text.name)
        if not settings.USE_TZ:
            values = values.dt.convert_time_zone(zone).dt.replace_time_zone(None)
        skipped = local.is_not_null() & localised.is_null()
        reasons = _first_reason(
            text,
            _reason_where(
                text,
                skipped,
                _("This time does not exist or is ambiguous in %(zone)s (a clock change)")
                % {"zone": zone},
            ),
            _reason_where(
                text,
                values.is_null(),
                _("Not a date and time (expected YYYY-MM-DD HH:MM[:SS][+HH:MM])"),
            ),
        )
        return parsed_column(text, values, reasons)

    return parse


def _per_value(
    raw: pl.Series,
    read: Callable[[str], Any],
    dtype: pl.DataType,
    reason: str,
) -> CoercedColumn:
    """Read each distinct text once with ``read`` (``None`` or an exception: not a value)."""
    text = normalise_text(raw.cast(pl.String))
    distinct = text.drop_nulls().unique()
    read_values: list[Any] = []
    for value in distinct:
        try:
            read_values.append(read(value))
        except (ValueError, TypeError):
            read_values.append(None)
    known = pl.DataFrame(
        {"text": distinct, "value": pl.Series(read_values, dtype=dtype)},
        schema={"text": pl.String, "value": dtype},
    )
    values = pl.DataFrame({"text": text}).join(known, on="text", how="left", maintain_order="left")
    read_column = values.get_column("value").alias(text.name)
    return parsed_column(text, read_column, _reason_where(text, read_column.is_null(), reason))


def duration_parser(raw: pl.Series) -> CoercedColumn:
    def read(value: str) -> timedelta | None:
        return parse_duration(value)

    return _per_value(
        raw,
        read,
        pl.Duration("us"),
        _("Not a duration (e.g. 1 02:03:04, 02:03:04, P1DT2H3M4S, or seconds)"),
    )


def json_parser(raw: pl.Series) -> CoercedColumn:
    """The text is kept (the cleaned frame stays plain data); it must be JSON. The importer
    turns it into Python values for the load (:func:`json_values`)."""

    def read(value: str) -> str:
        json.loads(value)
        return value

    return _per_value(raw, read, pl.String(), _("Not valid JSON"))


def json_values(column: pl.Series) -> pl.Series:
    """The JSON texts as Python values, for the loader to hand to the database."""
    values = [None if text is None else json.loads(text) for text in column]
    return pl.Series(column.name, values, dtype=pl.Object)


def ip_parser(protocol: str, *, unpack_ipv4: bool) -> ColumnParser:
    """An IPv4 or IPv6 address (as the field's ``protocol`` allows), normalised as Django does."""
    wanted = protocol.lower()

    def read(value: str) -> str:
        address = ipaddress.ip_address(value)
        if wanted not in {"both", f"ipv{address.version}"}:
            msg = "wrong protocol"
            raise ValueError(msg)
        if address.version == 6:
            return clean_ipv6_address(value, unpack_ipv4)
        return str(address)

    what = {"ipv4": _("an IPv4 address"), "ipv6": _("an IPv6 address")}.get(
        wanted, _("an IP address")
    )

    def parse(raw: pl.Series) -> CoercedColumn:
        return _per_value(raw, read, pl.String(), _("Not %(what)s") % {"what": what})

    return parse


def uuid_parser(raw: pl.Series) -> CoercedColumn:
    """32 hex digits, with or without hyphens, braces or ``urn:uuid:``; stored in the
    canonical form (lower case, hyphenated)."""
    text = normalise_text(raw.cast(pl.String))
    parts = text.str.to_lowercase().str.extract_groups(_UUID)
    values = (
        pl.DataFrame({"p": parts})
        .unnest("p")
        .select(pl.concat_str(pl.all(), separator="-"))
        .to_series()
        .alias(text.name)
    )
    reason = _("Not a UUID (32 hexadecimal digits)")
    return parsed_column(text, values, _reason_where(text, values.is_null(), reason))


def choices_parser(choices: Sequence[tuple[object, str]], inner: ColumnParser) -> ColumnParser:
    """A stored value or its label (ignoring case and spaces around it); the stored value wins
    when a text is both. What is neither is left to ``inner`` and the rules step."""
    stored = {str(value): str(value) for value, _label in choices}
    labels = {str(label).strip().casefold(): str(value) for value, label in choices}

    def parse(raw: pl.Series) -> CoercedColumn:
        text = normalise_text(raw.cast(pl.String))
        by_label = text.str.to_lowercase().replace_strict(labels, default=None)
        by_value = text.replace_strict(stored, default=None)
        values = pl.select(pl.coalesce([by_value, by_label, text])).to_series().alias(text.name)
        return inner(values)

    return parse


def flat_choices(field: Field[Any, Any]) -> list[tuple[object, str]]:
    return [(value, str(label)) for value, label in field.flatchoices]
