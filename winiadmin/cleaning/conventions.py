"""How a file writes its numbers and dates: :class:`FileConventions`, and their application.

Half of the world's spreadsheets write ``12,50`` for twelve and a half, ``1.234,50`` for a
thousand and ``31.12.2026`` for a date. winiadmin never guesses a convention: the importer
declares its files' (``Importer.conventions``), the person running an import declares the
file's (``RunOptions.conventions``: the wizard, ``winiadmin_import --decimal-separator ,``,
``Importer.run(…, conventions=…)``), or the check *proposes* one it detected from the whole
column (:mod:`winiadmin.cleaning.detection`) and the user accepts it.

Applying a convention is a vectorised normalisation of the column's text, before the cell is
parsed by its dtype or its own parser: a number written in the declared convention becomes the
plain text the parsers read (``1.234,50`` → ``1234.50``), a date in a declared format becomes
ISO (``31.12.2026`` → ``2026-12-31``). A cell *not* written in the declared convention is an
error naming it (``12.50`` when the decimal separator is ``,``), never read in another one.
The value reported is always what the file holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import polars as pl
from django.utils.translation import gettext as _

#: ``"number"``: ``12%`` is read as 12 (the number typed, the sign stripped); ``"fraction"``:
#: as 0.12 (float columns only, where dividing by 100 is exact enough; others refuse it).
PercentMode = Literal["number", "fraction"]

DECIMAL_SEPARATORS = (".", ",")
THOUSANDS_SEPARATORS = ("", ".", ",", " ", "'", "\u00a0", "\u202f")


#: What a :class:`FileConventions` declares for a file or a column (its fields but ``columns``);
#: ``None`` is "not declared".
DECLARATIONS = (
    "decimal_separator",
    "thousands_separator",
    "date_formats",
    "datetime_formats",
    "currency_symbols",
    "percent",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileConventions:
    """How a file writes numbers and dates. ``None`` (every field's default): not declared,
    so the default (``.`` decimal point, no thousands separator, ISO dates) applies and a
    convention declared elsewhere (the importer's, under the run's) shows through."""

    #: ``"."`` or ``","``.
    decimal_separator: str | None = None
    #: ``""`` (none), ``"."``, ``","``, ``" "``, ``"'"``, a (narrow) no-break space.
    thousands_separator: str | None = None
    #: strptime formats of Date columns, tried in order before ISO: ``("%d.%m.%Y",)``. A
    #: two-digit year (``%y``) is read only where a format declares it.
    date_formats: tuple[str, ...] | None = None
    #: strptime formats of Datetime columns, tried in order before ISO.
    datetime_formats: tuple[str, ...] | None = None
    #: Currency symbols or codes stripped from numbers (``("€", "EUR")``); stripped only when
    #: declared here (or accepted from a proposal).
    currency_symbols: tuple[str, ...] | None = None
    #: A trailing ``%`` is stripped and the number read as typed (``"number"``) or divided by
    #: 100 (``"fraction"``); ``None``: a ``%`` makes the cell an error.
    percent: PercentMode | None = None
    #: Per column (the importer's column name): conventions that differ from the file's.
    columns: Mapping[str, FileConventions] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.decimal_separator is not None and self.decimal_separator not in DECIMAL_SEPARATORS:
            msg = _("The decimal separator must be '.' or ',', not %(sep)r.") % {
                "sep": self.decimal_separator
            }
            raise ValueError(msg)
        if (
            self.thousands_separator is not None
            and self.thousands_separator not in THOUSANDS_SEPARATORS
        ):
            msg = _("The thousands separator %(sep)r is not one of %(allowed)s.") % {
                "sep": self.thousands_separator,
                "allowed": ", ".join(repr(s) for s in THOUSANDS_SEPARATORS),
            }
            raise ValueError(msg)
        if self.thousands_separator and self.thousands_separator == self.decimal_separator:
            msg = _("The thousands separator cannot be the decimal separator.")
            raise ValueError(msg)
        if self.percent not in (None, "number", "fraction"):
            msg = _("percent must be 'number' or 'fraction', not %(value)r.") % {
                "value": self.percent
            }
            raise ValueError(msg)

    @property
    def declares_numbers(self) -> bool:
        return any(
            v is not None
            for v in (
                self.decimal_separator,
                self.thousands_separator,
                self.currency_symbols,
                self.percent,
            )
        )

    def over(self, base: FileConventions | None) -> FileConventions:
        """These conventions, with ``base``'s where these declare nothing (per column too)."""
        if base is None:
            return self
        merged = {
            name: getattr(self, name) if getattr(self, name) is not None else getattr(base, name)
            for name in DECLARATIONS
        }
        columns = dict(base.columns)
        for name, own in self.columns.items():
            columns[name] = own.over(base.columns.get(name))
        return FileConventions(**merged, columns=columns)

    def for_column(self, name: str) -> FileConventions:
        """The conventions of one column: its own over the file's."""
        own = self.columns.get(name)
        flat = replace(self, columns={})
        return flat if own is None else replace(own, columns={}).over(flat)

    def describe_numbers(self) -> str:
        """How numbers are written, for people: ``decimal separator ',', thousands …``."""
        return replace(self, date_formats=None, datetime_formats=None, columns={}).describe()

    def describe(self) -> str:
        """One line for people: ``decimal separator ',', thousands separator '.', …``."""
        parts = []
        if self.decimal_separator is not None:
            parts.append(_("decimal separator %(sep)r") % {"sep": self.decimal_separator})
        if self.thousands_separator is not None:
            parts.append(
                _("thousands separator %(sep)r") % {"sep": self.thousands_separator}
                if self.thousands_separator
                else _("no thousands separator")
            )
        if self.date_formats:
            parts.append(_("dates %(formats)s") % {"formats": " / ".join(self.date_formats)})
        if self.datetime_formats:
            parts.append(
                _("dates and times %(formats)s") % {"formats": " / ".join(self.datetime_formats)}
            )
        if self.currency_symbols:
            parts.append(
                _("currency %(symbols)s stripped") % {"symbols": " ".join(self.currency_symbols)}
            )
        if self.percent == "number":
            # xgettext:no-python-format
            parts.append(_("12% read as 12"))
        elif self.percent == "fraction":
            # xgettext:no-python-format
            parts.append(_("12% read as 0.12"))
        return ", ".join(parts)

    def to_json(self) -> dict[str, object]:
        """Plain data (a job, the remembered conventions); :meth:`from_json` reads it back."""
        data: dict[str, object] = {
            name: list(value) if isinstance(value, tuple) else value
            for name in DECLARATIONS
            if (value := getattr(self, name)) is not None
        }
        if self.columns:
            data["columns"] = {name: c.to_json() for name, c in self.columns.items()}
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> FileConventions:
        def strings(key: str) -> tuple[str, ...] | None:
            value = data.get(key)
            return None if value is None else tuple(str(v) for v in value)  # type: ignore[attr-defined]

        def text(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        columns = data.get("columns") or {}
        assert isinstance(columns, Mapping)
        percent = text("percent")
        return cls(
            decimal_separator=text("decimal_separator"),
            thousands_separator=text("thousands_separator"),
            date_formats=strings("date_formats"),
            datetime_formats=strings("datetime_formats"),
            currency_symbols=strings("currency_symbols"),
            percent=percent,  # type: ignore[arg-type]  # checked in __post_init__
            columns={str(n): cls.from_json(c) for n, c in columns.items()},
        )


@dataclass(frozen=True, slots=True)
class NormalisedColumn:
    #: The text the parsers read (a cell in the convention rewritten into the default one).
    text: pl.Series
    #: Cells not written in the declared convention: errors, with :attr:`reason`.
    refused: pl.Series
    reason: str | None = None
    #: Divide the parsed numbers by this (``percent="fraction"``: 100 where a ``%`` was).
    divide_by_100: pl.Series | None = None


def _number_pattern(decimal: str, thousands: str) -> str:
    """A number in the convention, spaces around it allowed; a blank cell fits (it is empty)."""
    d, t = re.escape(decimal), re.escape(thousands)
    fraction = rf"(?:{d}\d*)?"
    if not thousands:
        return rf"^\s*(?:[+-]?(?:\d+{fraction}|{d}\d+))?\s*$"
    grouped = rf"\d{{1,3}}(?:{t}\d{{3}})+{fraction}"
    return rf"^\s*(?:[+-]?(?:{grouped}|\d+{fraction}|{d}\d+))?\s*$"


def number_example(decimal: str, thousands: str) -> str:
    return f"1{thousands}234{decimal}50"


def normalise_numbers(text: pl.Series, conventions: FileConventions) -> NormalisedColumn:
    """``text`` rewritten from the declared convention into the parsers' (``.`` decimal point,
    no separators). Cells that do not follow it are refused.

    ``text`` must be stripped (:func:`~winiadmin.cleaning.coerce.normalise_text`) when currency
    symbols or percent signs are declared; otherwise spaces around a cell are left for the
    parser to strip, which saves a pass over the column (the parse budget of
    ``bench/conventions.py``)."""
    decimal = conventions.decimal_separator or "."
    thousands = conventions.thousands_separator or ""
    if thousands == decimal:
        msg = _("The thousands separator cannot be the decimal separator.")
        raise ValueError(msg)
    out = text
    percent_cells = None
    if conventions.currency_symbols:
        symbols = "|".join(
            re.escape(s) for s in sorted(conventions.currency_symbols, key=len)[::-1]
        )
        out = out.str.replace(rf"^(?:{symbols})\s*|\s*(?:{symbols})$", "")
    if conventions.percent is not None:
        percent_cells = out.str.ends_with("%")
        out = out.str.strip_suffix("%").str.strip_chars_end()
    if decimal == "." and not thousands:
        # Only symbols and signs declared: what is left is read by the parsers as always.
        return NormalisedColumn(out, pl.Series(text.name, [False] * len(text)), None, percent_cells)
    if thousands:
        fits = out.str.contains(_number_pattern(decimal, thousands))
    else:
        # A decimal comma alone: a cell with a dot is in another convention (12.50); any other
        # text is refused by the parser once the comma is a point. A literal search is cheaper.
        fits = ~out.str.contains(".", literal=True)
    if thousands:
        out = out.str.replace_all(thousands, "", literal=True)
    if decimal != ".":
        out = out.str.replace(decimal, ".", literal=True)
    refused = (text.is_not_null() & ~fits).fill_null(False).alias(text.name)
    reason = _(
        "Not a number written as the file's convention says (%(convention)s, e.g. %(example)s)"
    ) % {
        "convention": conventions.describe_numbers(),
        "example": number_example(decimal, thousands),
    }
    return NormalisedColumn(out.set(refused, None), refused, reason, percent_cells)


def normalise_dates(text: pl.Series, formats: tuple[str, ...], *, with_time: bool) -> pl.Series:
    """Cells in one of ``formats`` rewritten as ISO (the first format that reads a cell wins);
    the others are left as they are, for the parsers (ISO, their own formats) to read or
    refuse. A ``%Y`` year must have four digits."""
    attempts: list[pl.Series] = []
    for fmt in formats:
        if with_time:
            parsed = text.str.to_datetime(fmt, time_unit="us", strict=False)
        else:
            parsed = text.str.to_date(fmt, strict=False)
        if "%Y" in fmt:
            parsed = parsed.set(parsed.dt.year() < 1000, None)
        attempts.append(parsed)
    if not attempts:
        return text
    found = pl.select(pl.coalesce(attempts)).to_series()
    iso = found.dt.strftime("%Y-%m-%dT%H:%M:%S%.f" if with_time else "%Y-%m-%d")
    return pl.select(pl.coalesce([iso, text])).to_series().alias(text.name)


__all__ = [
    "DECLARATIONS",
    "FileConventions",
    "NormalisedColumn",
    "PercentMode",
    "normalise_dates",
    "normalise_numbers",
]
