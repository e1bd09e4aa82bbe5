"""Conventions a column seems to follow, proposed — never applied — when its cells do not parse.

When nothing is declared and some cells of a number or date column do not parse in the default
convention, each candidate convention is tried on the *whole* column (vectorised, the same
normalisation and parser as a declared convention): a candidate that reads every value is
proposed, with examples (``12,50`` → ``12.5``). Candidates that read the column differently
(``1,234``: 1.234 with a decimal comma, 1234 with a thousands comma; ``01/02/2026``: day or
month first) are all offered and the user decides; candidates that read it the same way are
offered once, the simplest. The cells stay errors until a convention is declared or accepted.

Two-digit years are never proposed (``%Y`` needs four digits): only a declared ``%y`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
from django.utils.translation import gettext as _

from winiadmin.cleaning.coerce import CoercedColumn, normalise_text
from winiadmin.cleaning.conventions import FileConventions

if TYPE_CHECKING:
    from collections.abc import Callable

#: (decimal, thousands) pairs tried for a number column, the simplest first.
NUMBER_CANDIDATES = (
    (",", ""),
    (",", "."),
    (".", ","),
    (",", " "),
    (".", " "),
    (",", "\u00a0"),
    (".", "'"),
)
CURRENCY_SYMBOLS = ("€", "$", "£", "¥", "CHF", "EUR", "USD", "GBP")
DATE_SEPARATORS = ("/", ".", "-")
#: How many values a proposal shows as examples.
EXAMPLES = 3
#: Cells each candidate is tried on before the whole column (see :func:`propose`).
SAMPLE = 1000


@dataclass(frozen=True, slots=True)
class ProposedReading:
    """One way to read a column: its conventions, in words, with examples (typed, read as)."""

    conventions: FileConventions
    description: str
    examples: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ConventionProposal:
    """A column whose failing cells would all be read under a convention (or several)."""

    #: The importer's column name (what ``FileConventions.columns`` is keyed by).
    column: str
    #: The file's header, as the user sees it.
    header: str
    readings: tuple[ProposedReading, ...]

    @property
    def ambiguous(self) -> bool:
        return len(self.readings) > 1

    @property
    def message(self) -> str:
        if not self.ambiguous:
            reading = self.readings[0]
            typed, read = reading.examples[0]
            return _(
                "Column %(header)r looks like it uses %(what)s: read %(typed)s as %(read)s?"
            ) % {
                "header": self.header,
                "what": reading.description,
                "typed": typed,
                "read": read,
            }
        ways = "; ".join(
            _("%(what)s (%(typed)s → %(read)s)")
            % {"what": r.description, "typed": r.examples[0][0], "read": r.examples[0][1]}
            for r in self.readings
        )
        return _(
            "Column %(header)r can be read in more than one way: %(ways)s. Choose how the file "
            "writes it."
        ) % {"header": self.header, "ways": ways}


def _present_symbols(text: pl.Series) -> tuple[str, ...]:
    if not text.str.contains(r"[^\d\s.,'+%-]").any():  # one pass: only digits and signs
        return ()
    return tuple(s for s in CURRENCY_SYMBOLS if text.str.contains(s, literal=True).any())


def _number_candidates(text: pl.Series) -> list[FileConventions]:
    symbols = _present_symbols(text) or None
    percents: list[str | None] = [None]
    if text.str.ends_with("%").any():
        percents = ["number", "fraction"]
    # The default separators with only the symbols or the sign stripped, then the others.
    candidates = (
        [
            FileConventions(currency_symbols=symbols, percent=p)  # type: ignore[arg-type]
            for p in percents
        ]
        if symbols or percents != [None]
        else []
    )
    candidates += [
        FileConventions(
            decimal_separator=decimal,
            thousands_separator=thousands,
            currency_symbols=symbols,
            percent=percent,  # type: ignore[arg-type]
        )
        for decimal, thousands in NUMBER_CANDIDATES
        for percent in percents
    ]
    return candidates


def _date_candidates(with_time: bool) -> list[FileConventions]:
    dates = [
        f"%{a}{sep}%{b}{sep}%Y" for sep in DATE_SEPARATORS for a, b in (("d", "m"), ("m", "d"))
    ]
    if not with_time:
        return [FileConventions(date_formats=(fmt,)) for fmt in dates]
    return [
        FileConventions(datetime_formats=(f"{fmt} {clock}",))
        for fmt in dates
        for clock in ("%H:%M", "%H:%M:%S")
    ]


def _date_description(conventions: FileConventions) -> str:
    fmt = (conventions.date_formats or conventions.datetime_formats or ("",))[0]
    if fmt.startswith("%d"):
        return _("day-first dates (%(format)s)") % {"format": fmt}
    return _("month-first dates (%(format)s)") % {"format": fmt}


def propose(
    raw: pl.Series,
    dtype: pl.DataType,
    parse: Callable[[pl.Series, FileConventions], CoercedColumn],
    *,
    column: str,
) -> ConventionProposal | None:
    """The readings of ``raw`` (a column with failing cells under the default) that read every
    value; ``parse`` reads the column in a convention, as the clean stage does."""
    if raw.dtype != pl.String:
        return None
    default = parse(raw, FileConventions())
    # Symbols and signs make a cell fail by default: look for them in the refused cells only.
    refused = normalise_text(raw.filter(default.failed))
    if dtype.is_numeric():
        candidates = _number_candidates(refused)
    elif dtype == pl.Date:
        candidates = _date_candidates(with_time=False)
    elif isinstance(dtype, pl.Datetime):
        candidates = _date_candidates(with_time=True)
    else:
        return None
    # A candidate that fails on a sample fails on the column: try the sample first (the cells
    # the default refused, and the first others), the whole column only for the survivors.
    sample = pl.concat([raw.filter(default.failed).head(SAMPLE), raw.head(SAMPLE)])
    candidates = [c for c in candidates if not parse(sample, c).failed.any()]
    readings: list[tuple[FileConventions, pl.Series]] = []
    for candidate in candidates:
        parsed = parse(raw, candidate)
        if parsed.failed.any():
            continue
        if parsed.values.equals(default.values) and not default.failed.any():
            continue  # reads the column as the default does: nothing to propose
        if any(parsed.values.equals(values) for _c, values in readings):
            continue  # reads the column as a simpler candidate already does
        readings.append((candidate, parsed.values))
    if not readings:
        return None
    # Cells shown as examples: those refused, else those another reading reads differently.
    failing = default.failed | thousands_in_disguise(normalise_text(raw))
    return ConventionProposal(
        column=column,
        header=str(raw.name),
        readings=tuple(
            ProposedReading(
                candidate,
                candidate.describe_numbers()
                if dtype.is_numeric()
                else _date_description(candidate),
                _examples(raw, values, failing),
            )
            for candidate, values in readings
        ),
    )


#: ``1.000`` or ``-12.000``: a whole number written with decimals (read as 1 or -12 in an
#: integer column), or a thousand written with a thousands dot. Both are read without error,
#: so the column is proposed the other reading too and the user decides.
_WHOLE_THOUSANDS = r"^[+-]?\d{1,3}\.000$"


def thousands_in_disguise(text: pl.Series) -> pl.Series:
    """Cells an integer column reads as whole numbers (``1.000`` → 1) that a thousands dot
    would read as thousands (1000)."""
    return text.str.contains(_WHOLE_THOUSANDS).fill_null(False)


def _examples(raw: pl.Series, values: pl.Series, failing: pl.Series) -> tuple[tuple[str, str], ...]:
    """The first few distinct cells of ``failing``, typed and as ``values`` reads them."""
    first = failing.arg_true().head(EXAMPLES * 50)
    frame = pl.DataFrame(
        {
            "typed": raw.gather(first).cast(pl.String),
            "read": values.gather(first).cast(pl.String),
        }
    )
    shown = frame.unique(subset="typed", maintain_order=True).head(EXAMPLES)
    return tuple((str(t), str(r)) for t, r in shown.iter_rows())


__all__ = ["ConventionProposal", "ProposedReading", "propose", "thousands_in_disguise"]
