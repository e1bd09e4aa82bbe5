"""Conventions a column seems to follow, proposed — never applied — when its cells do not parse.

When nothing is declared and some cells of a number or date column do not parse in the default
convention, each candidate convention is tried on the *whole* column (vectorised, the same
normalisation and parser as a declared convention): a candidate that reads every value is
proposed, with examples (``12,50`` → ``12.5``). Candidates that read the column differently
(``1,234``: 1.234 with a decimal comma, 1234 with a thousands comma; ``01/02/2026``: day or
month first) are all offered and the user decides; candidates that read it the same way are
offered once, the simplest. The cells stay errors until a convention is declared or accepted.

A big file is cleaned in batches (streamed): each batch adds its evidence to the column's
:class:`ColumnEvidence` — the candidates no cell has contradicted yet, which of them read some
value differently, the refused cells counted — and the proposal is decided when the whole file
has been read (:meth:`ConventionEvidence.proposals`), so a day above 12 in the last batch rules
out month-first dates proposed from the first. The evidence is a few counters and examples per
candidate, whatever the file's size; the cells the default reads are tried one of each kind
(a number's shape, a date's value), the refused ones all.

Two-digit years are never proposed (``%Y`` needs four digits): only a declared ``%y`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl
from django.utils.translation import gettext as _

from winiadmin.cleaning.coerce import CoercedColumn, normalise_text
from winiadmin.cleaning.conventions import FileConventions, PercentMode

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
#: Cells each candidate is tried on before the whole batch (see :meth:`ColumnEvidence.add`).
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
    #: Cells of the whole column (every batch) the default refused or would misread.
    cells: int = 0

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


#: A number candidate: (decimal, thousands) — ``None``: the default separators, with only the
#: symbols or the sign stripped — and how a ``%`` is read (``None``: no ``%`` seen yet).
_NumberKey = tuple[tuple[str, str] | None, PercentMode | None]
#: A candidate: a number's, or a date format.
_Key = _NumberKey | str


def _number_keys() -> list[_NumberKey]:
    """The separators tried for a number column, the simplest first (no ``%`` seen yet)."""
    return [(None, None), *((pair, None) for pair in NUMBER_CANDIDATES)]


def _date_formats(with_time: bool) -> list[str]:
    dates = [
        f"%{a}{sep}%{b}{sep}%Y" for sep in DATE_SEPARATORS for a, b in (("d", "m"), ("m", "d"))
    ]
    if not with_time:
        return dates
    return [f"{fmt} {clock}" for fmt in dates for clock in ("%H:%M", "%H:%M:%S")]


def _date_description(conventions: FileConventions) -> str:
    fmt = (conventions.date_formats or conventions.datetime_formats or ("",))[0]
    if fmt.startswith("%d"):
        return _("day-first dates (%(format)s)") % {"format": fmt}
    return _("month-first dates (%(format)s)") % {"format": fmt}


@dataclass(slots=True)
class _Candidate:
    """What the batches so far say of one candidate convention of a column."""

    #: Read some value differently from the default (or the default refused some cell).
    differs: bool = False
    #: The first distinct refused (or disguised) cells, typed and as this candidate reads them.
    examples: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class ColumnEvidence:
    """One column's evidence, accumulated batch by batch: the candidates no value has
    contradicted yet (one contradicting cell, in any batch, rules a candidate out), which of
    them read some value differently from each other, and how many cells the default refused.
    Its size does not grow with the file: a few counters and examples per candidate."""

    column: str
    header: str
    dtype: pl.DataType
    #: Cells the default refused, over every batch so far.
    refused: int = 0
    #: Cells an integer column reads as whole numbers that a thousands dot would read as
    #: thousands (``1.000``), over every batch so far.
    disguised: int = 0
    symbols: tuple[str, ...] = ()
    candidates: dict[_Key, _Candidate] = field(default_factory=dict)
    #: Pairs of candidates (their keys) that read some value differently.
    apart: set[frozenset[_Key]] = field(default_factory=set)

    def __post_init__(self) -> None:
        keys: list[_Key]
        if self.dtype.is_numeric():
            keys = list(_number_keys())
        else:
            keys = list(_date_formats(with_time=self.dtype != pl.Date))
        self.candidates = {key: _Candidate() for key in keys}

    def conventions_of(self, key: _Key) -> FileConventions:
        if isinstance(key, str):  # a date format
            if self.dtype == pl.Date:
                return FileConventions(date_formats=(key,))
            return FileConventions(datetime_formats=(key,))
        pair, percent = key
        symbols = self.symbols or None
        if pair is None:
            return FileConventions(currency_symbols=symbols, percent=percent)
        decimal, thousands = pair
        return FileConventions(
            decimal_separator=decimal,
            thousands_separator=thousands,
            currency_symbols=symbols,
            percent=percent,
        )

    def _percent_seen(self) -> None:
        """The first ``%``: each candidate becomes two (``12%`` read as 12 or as 0.12); on the
        cells before (no ``%``) both read as the one did."""
        if any(isinstance(key, tuple) and key[1] is not None for key in self.candidates):
            return
        renamed: dict[_Key, list[_Key]] = {}
        candidates: dict[_Key, _Candidate] = {}
        for key, state in self.candidates.items():
            assert isinstance(key, tuple)
            renamed[key] = [(key[0], "number"), (key[0], "fraction")]
            for new in renamed[key]:
                candidates[new] = _Candidate(state.differs, list(state.examples))
        apart: set[frozenset[_Key]] = set()
        for pair in self.apart:
            one, other = tuple(pair)
            apart.update(frozenset((x, y)) for x in renamed[one] for y in renamed[other])
        self.apart = apart
        self.candidates = candidates

    def add(self, raw: pl.Series, failed: pl.Series, parse: Callable[..., CoercedColumn]) -> None:
        """One batch of the column: ``failed``, its cells the default refused; ``parse`` reads
        cells in a convention, as the clean stage does."""
        refused = int(failed.sum())
        self.refused += refused
        interesting = failed
        if self.dtype.is_integer():
            disguised = thousands_in_disguise(normalise_text(raw))
            self.disguised += int(disguised.sum())
            interesting = (failed | disguised).fill_null(False)
        if not self.candidates:
            return  # every candidate contradicted: only the counts are kept
        if self.dtype.is_numeric() and refused:
            text = normalise_text(raw.filter(failed))
            self.symbols = tuple(dict.fromkeys((*self.symbols, *_present_symbols(text))))
            if text.str.ends_with("%").any():
                self._percent_seen()
        shown = int(interesting.sum())
        # A candidate that fails on the first cells (the refused ones first) fails on the
        # batch: the cheap test first, so that the cells to try are chosen for the survivors.
        sample = pl.concat([raw.filter(interesting).head(SAMPLE), raw.head(SAMPLE)])
        for key in list(self.candidates):
            if parse(sample, self.conventions_of(key)).failed.any():
                del self.candidates[key]
        if not self.candidates:
            return
        others = raw.filter(~interesting) if shown else raw
        tested = pl.concat([raw.filter(interesting), self._representatives(others)])
        if tested.len():
            self._try(tested, shown, bool(refused), parse)

    def _try(
        self, tested: pl.Series, shown: int, refused: bool, parse: Callable[..., CoercedColumn]
    ) -> None:
        """Each candidate still standing tried on ``tested`` (its first ``shown`` cells refused
        or disguised, the others the default read): out at its first contradicting cell."""
        default = parse(tested, FileConventions()).values
        read: dict[_Key, pl.Series] = {}
        for key in list(self.candidates):
            parsed = parse(tested, self.conventions_of(key))
            if parsed.failed.any():
                del self.candidates[key]
                continue
            state = self.candidates[key]
            read[key] = parsed.values
            state.differs = state.differs or refused or not parsed.values.equals(default)
            if len(state.examples) < EXAMPLES and shown:
                _more_examples(state.examples, tested.head(shown), parsed.values.head(shown))
        keys = list(read)
        for i, key in enumerate(keys):
            for other in keys[i + 1 :]:
                pair = frozenset((key, other))
                if pair not in self.apart and not read[key].equals(read[other]):
                    self.apart.add(pair)
        self.apart = {p for p in self.apart if p <= self.candidates.keys()}

    def _representatives(self, read: pl.Series) -> pl.Series:
        """The cells the default read that could tell a candidate apart, one of each kind.

        Every candidate reads a plain whole number (``1234``) as the default does, and an ISO
        date (each candidate's formats come before ISO, which stays accepted); a candidate with
        a decimal point reads ``12.50`` as the default does too. Of the others, a number is
        tried once per shape (digits as ``9``: whether a convention reads it, and alike, depends
        on where its separators are, not on its digits), a date once per value."""
        if self.dtype.is_numeric():
            plain = read.str.contains(r"^[+-]?\d+(\.\d+)?$").fill_null(True)
            odd = read.filter(~plain)  # 1e5, inf, spaces…: rare, all tried
            commas = any(_decimal_comma(key) for key in self.candidates)
            if not commas:
                return odd
            dotted = read.filter(plain & read.str.contains(".", literal=True).fill_null(False))
            shapes = pl.DataFrame({"raw": dotted, "shape": dotted.str.replace_all(r"\d", "9")})
            kinds = shapes.unique(subset="shape", keep="first", maintain_order=True)
            return pl.concat([odd, kinds.get_column("raw")])
        iso = read.str.contains(r"^\d{4}-\d{2}-\d{2}").fill_null(True)
        return read.filter(~iso).unique(maintain_order=True)

    def proposal(self, column: str) -> ConventionProposal | None:
        """The readings of the whole column, once every batch is added: the candidates nothing
        contradicted, each reading it differently from the simpler ones."""
        if not self.refused and not self.disguised:
            return None
        chosen: list[tuple[_Key, _Candidate]] = []
        for key, state in self.candidates.items():
            if not state.differs or not state.examples:
                continue  # reads the column as the default does: nothing to propose
            if any(frozenset((key, k)) not in self.apart for k, _s in chosen):
                continue  # reads the column as a simpler candidate already does
            chosen.append((key, state))
        if not chosen:
            return None
        return ConventionProposal(
            column=column,
            header=self.header,
            readings=tuple(
                ProposedReading(
                    conventions := self.conventions_of(key),
                    conventions.describe_numbers()
                    if self.dtype.is_numeric()
                    else _date_description(conventions),
                    tuple(state.examples),
                )
                for key, state in chosen
            ),
            cells=self.refused + self.disguised,
        )


def _decimal_comma(key: _Key) -> bool:
    return isinstance(key, tuple) and key[0] is not None and key[0][0] == ","


def _more_examples(examples: list[tuple[str, str]], typed: pl.Series, read: pl.Series) -> None:
    seen = {t for t, _r in examples}
    frame = pl.DataFrame({"typed": typed.cast(pl.String), "read": read.cast(pl.String)})
    for t, r in frame.head(EXAMPLES * 50).iter_rows():
        if len(examples) >= EXAMPLES:
            return
        if t not in seen:
            seen.add(t)
            examples.append((str(t), str(r)))


@dataclass(slots=True)
class ConventionEvidence:
    """Every column's evidence over a file's batches (a streamed file is cleaned batch by
    batch): the proposals are decided once the whole file has been seen, never from part of a
    column (:meth:`proposals`)."""

    columns: dict[str, ColumnEvidence] = field(default_factory=dict)

    def column(self, name: str, header: str, dtype: pl.DataType) -> ColumnEvidence:
        if name not in self.columns:
            self.columns[name] = ColumnEvidence(name, header, dtype)
        return self.columns[name]

    def proposals(self) -> list[ConventionProposal]:
        found = (evidence.proposal(name) for name, evidence in self.columns.items())
        return [p for p in found if p is not None]


#: ``1.000`` or ``-12.000``: a whole number written with decimals (read as 1 or -12 in an
#: integer column), or a thousand written with a thousands dot. Both are read without error,
#: so the column is proposed the other reading too and the user decides.
_WHOLE_THOUSANDS = r"^[+-]?\d{1,3}\.000$"


def thousands_in_disguise(text: pl.Series) -> pl.Series:
    """Cells an integer column reads as whole numbers (``1.000`` → 1) that a thousands dot
    would read as thousands (1000)."""
    return text.str.contains(_WHOLE_THOUSANDS).fill_null(False)


__all__ = [
    "ColumnEvidence",
    "ConventionEvidence",
    "ConventionProposal",
    "ProposedReading",
    "thousands_in_disguise",
]
