"""Column mapping: which file header feeds which column the importer expects.

:func:`match_file_columns` pairs each file header with an expected column, trying in order:

1. a mapping the caller chose (the wizard's selects, ``--column_map``), headers by exact or
   normalised name;
2. exact names;
3. normalised names: case, accents, spaces, underscores, hyphens and dots do not matter
   (``" Prix Unitaire "`` = ``prix_unitaire``, ``Catégorie`` = ``categorie``), then the column's
   other names, as sure as its own (a model field's verbose name, ``names``), normalised too;
4. the importer's declared aliases (``column_aliases``), normalised the same way;
5. close spellings (``prce`` → ``price``): a similarity ratio of at least :data:`CLOSE_CUTOFF`,
   and only when the pair is each other's single best match, so nothing ambiguous is guessed.

Every pairing says how it was made, so the wizard and the command can show it. The result renames
the raw frame's columns before the clean stage; headers the caller chose to ignore are dropped.
"""

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher, get_close_matches
from enum import StrEnum

import polars as pl
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from winiadmin.cleaning.columns import IGNORED_COLUMNS
from winiadmin.exceptions import WiniadminError

#: How alike two normalised names must be (difflib ratio) to count as a close spelling.
CLOSE_CUTOFF = 0.8

#: Aliases per expected column: ``{"price": ["prix", "unit price"]}``.
ColumnAliases = Mapping[str, Sequence[str]]


class MappingError(WiniadminError):
    """A chosen mapping that cannot apply: an unknown column, one column fed twice…"""


class MatchReason(StrEnum):
    CHOSEN = "chosen"
    EXACT = "exact"
    NORMALISED = "normalised"
    #: One of the column's other names (a model field's verbose name), normalised.
    OTHER_NAME = "other_name"
    ALIAS = "alias"
    CLOSE = "close"
    #: Chosen to be left out of the import.
    IGNORED = "ignored"
    #: Nothing matched: the column is reported as unexpected and ignored.
    UNMATCHED = "unmatched"

    @property
    def label(self) -> str:
        return str(REASON_LABELS[self])


REASON_LABELS = {
    MatchReason.CHOSEN: _("chosen"),
    MatchReason.EXACT: _("same name"),
    MatchReason.NORMALISED: _("same name apart from case, accents or spacing"),
    MatchReason.OTHER_NAME: _("the field's verbose name"),
    MatchReason.ALIAS: _("a declared alias"),
    MatchReason.CLOSE: _("close spelling"),
    MatchReason.IGNORED: _("ignored"),
    MatchReason.UNMATCHED: _("no match"),
}


def normalised(name: str) -> str:
    """Case, accents and runs of spaces, underscores, hyphens or dots do not matter."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\s_\-.]+", "_", plain).strip("_")


def headers_fingerprint(headers: Iterable[str]) -> str:
    """The same for any file with the same headers, whatever their order, case or accents."""
    joined = "\x1f".join(sorted(normalised(h) for h in headers))
    return hashlib.sha256(joined.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """A caller's choice: file header → expected column, or ``None`` to ignore the column."""

    columns: Mapping[str, str | None] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> "ColumnMapping":
        """``{"File header": "column", "Notes": null}`` (an empty string also ignores)."""
        return cls({str(k): (str(v) if v else None) for k, v in data.items()})

    @classmethod
    def from_pairs(cls, pairs: Iterable[str]) -> "ColumnMapping":
        """``["File header=column", "Notes="]`` as the command line takes them."""
        columns: dict[str, str | None] = {}
        for pair in pairs:
            header, sep, target = pair.partition("=")
            if not sep or not header.strip():
                msg = gettext("Expected 'File header=column', not %(pair)r.") % {"pair": pair}
                raise MappingError(msg)
            columns[header.strip()] = target.strip() or None
        return cls(columns)

    def as_json(self) -> dict[str, str | None]:
        return dict(self.columns)


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    header: str
    #: The expected column this header feeds; ``None`` when ignored or unmatched.
    target: str | None
    reason: MatchReason
    #: Close spellings: the similarity ratio (0 to 1).
    score: float | None = None


@dataclass(frozen=True, slots=True)
class MatchedColumns:
    #: One per file header, in the file's order.
    columns: tuple[ColumnMatch, ...]
    #: The expected columns, as the file must spell them, in the cleaning class's order.
    expected: tuple[str, ...]
    #: Expected columns a file may leave out (the cleaning class's ``get_optional_cols``).
    optional: tuple[str, ...] = ()

    @property
    def unmatched(self) -> tuple[str, ...]:
        """Required expected columns no file header feeds."""
        fed = {c.target for c in self.columns}
        return tuple(n for n in self.expected if n not in fed and n not in self.optional)

    @property
    def guessed(self) -> tuple[ColumnMatch, ...]:
        """Matches made automatically by anything looser than the exact name."""
        loose = {
            MatchReason.NORMALISED,
            MatchReason.OTHER_NAME,
            MatchReason.ALIAS,
            MatchReason.CLOSE,
        }
        return tuple(c for c in self.columns if c.reason in loose)

    @property
    def needs_review(self) -> bool:
        """Someone should look: a column was matched by alias or spelling, or an expected column
        is unmatched while a file column is spare (and the header row looks right: something
        matched; otherwise the wrong sheet or header row is the likelier cause)."""
        if any(c.reason in {MatchReason.ALIAS, MatchReason.CLOSE} for c in self.columns):
            return True
        spare = any(
            c.reason is MatchReason.UNMATCHED and normalised(c.header) not in _IGNORED_KEYS
            for c in self.columns
        )
        matched = any(c.target is not None for c in self.columns)
        return bool(self.unmatched) and spare and matched

    @property
    def fingerprint(self) -> str:
        return headers_fingerprint(c.header for c in self.columns)

    def closest_headers(self, target: str, n: int = 3) -> list[str]:
        """The file headers not used yet that look most like ``target`` (for messages)."""
        free = {normalised(c.header): c.header for c in self.columns if c.target is None}
        keys = get_close_matches(normalised(target), list(free), n=n, cutoff=0.4)
        return [free[key] for key in keys]

    def headers_by_column(self, file_names: Mapping[str, str]) -> dict[str, str]:
        """Cleaned column → the file header it came from, given the cleaning class's rename map
        (standard name → the expected column's name): what a problem shows the user."""
        header_of = {c.target: c.header for c in self.columns if c.target is not None}
        return {
            name: header_of[expected]
            for name, expected in file_names.items()
            if expected in header_of
        }

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Rename matched columns to the expected names; drop the ignored ones."""
        ignored = [c.header for c in self.columns if c.reason is MatchReason.IGNORED]
        renames = {c.header: c.target for c in self.columns if c.target and c.target != c.header}
        return frame.drop(ignored).rename(renames)


class _Matcher:
    """Headers and expected columns still free, claimed tier by tier."""

    def __init__(self, headers: Sequence[str], expected: Sequence[str]) -> None:
        self.free_headers = list(dict.fromkeys(headers))
        self.free_targets = list(expected)
        self.found: dict[str, ColumnMatch] = {}

    def claim(
        self, header: str, target: str | None, reason: MatchReason, score: float | None = None
    ) -> None:
        self.found[header] = ColumnMatch(header, target, reason, score)
        self.free_headers.remove(header)
        if target is not None:
            self.free_targets.remove(target)

    def by_key(self, key_of_target: Mapping[str, Iterable[str]], reason: MatchReason) -> None:
        """Pair headers whose normalised name equals one of a target's keys."""
        owners: dict[str, str] = {}
        for target in self.free_targets:
            for key in key_of_target.get(target, ()):
                owners.setdefault(normalised(key), target)
        for header in list(self.free_headers):
            owner = owners.get(normalised(header))
            if owner is not None and owner in self.free_targets:
                self.claim(header, owner, reason)

    def close(self, cutoff: float) -> None:
        """Pair only headers and targets that are each other's one best match above ``cutoff``."""
        headers = [h for h in self.free_headers if normalised(h) not in _IGNORED_KEYS]
        scores = {
            (h, t): SequenceMatcher(None, normalised(h), normalised(t)).ratio()
            for h in headers
            for t in self.free_targets
        }
        for header in headers:
            ranked = sorted(((s, t) for (h, t), s in scores.items() if h == header), reverse=True)
            if not ranked or ranked[0][0] < cutoff:
                continue
            best, target = ranked[0]
            if len(ranked) > 1 and ranked[1][0] == best:
                continue  # as close to two columns: not guessed
            rivals = [s for (h, t), s in scores.items() if t == target and h != header]
            if any(s >= best for s in rivals):
                continue  # another header is as close to this column
            self.claim(header, target, MatchReason.CLOSE, round(best, 2))


_IGNORED_KEYS = {normalised(name) for name in IGNORED_COLUMNS}


def _apply_chosen(matcher: _Matcher, chosen: ColumnMapping, expected: Sequence[str]) -> None:
    by_key = {normalised(h): h for h in reversed(matcher.free_headers)}
    for wanted, target in chosen.columns.items():
        header = wanted if wanted in matcher.free_headers else by_key.get(normalised(wanted))
        if header is None or header not in matcher.free_headers:
            msg = gettext(
                "The column mapping names %(header)r, which is not a column of the file."
            ) % {"header": wanted}
            raise MappingError(msg)
        if target is not None and target not in expected:
            msg = gettext(
                "The column mapping sends %(header)r to %(target)r, which the importer does not "
                "expect (expected: %(expected)s)."
            ) % {"header": wanted, "target": target, "expected": ", ".join(expected)}
            raise MappingError(msg)
        if target is not None and target not in matcher.free_targets:
            msg = gettext("The column mapping feeds %(target)r from more than one file column.") % {
                "target": target
            }
            raise MappingError(msg)
        reason = MatchReason.IGNORED if target is None else MatchReason.CHOSEN
        matcher.claim(header, target, reason)


def match_file_columns(  # noqa: PLR0913 - the headers, what is expected of them, and how
    headers: Sequence[str],
    expected: Sequence[str],
    aliases: ColumnAliases | None = None,
    chosen: ColumnMapping | None = None,
    *,
    cutoff: float = CLOSE_CUTOFF,
    optional: Sequence[str] = (),
    names: ColumnAliases | None = None,
) -> MatchedColumns:
    """Pair every file header with an expected column (see the module docstring); the
    ``optional`` ones may stay unmatched; ``names``: other names of a column as sure as its own
    (matched without asking, unlike ``aliases``)."""
    matcher = _Matcher(headers, expected)
    if chosen is not None:
        _apply_chosen(matcher, chosen, expected)
    for header in list(matcher.free_headers):
        if header in matcher.free_targets:
            matcher.claim(header, header, MatchReason.EXACT)
    matcher.by_key({t: [t] for t in expected}, MatchReason.NORMALISED)
    matcher.by_key({t: list((names or {}).get(t, ())) for t in expected}, MatchReason.OTHER_NAME)
    matcher.by_key({t: list((aliases or {}).get(t, ())) for t in expected}, MatchReason.ALIAS)
    matcher.close(cutoff)
    columns = tuple(
        matcher.found.get(h) or ColumnMatch(h, None, MatchReason.UNMATCHED)
        for h in dict.fromkeys(headers)
    )
    return MatchedColumns(columns, tuple(expected), tuple(optional))


def duplicated_headers(
    headers: Sequence[str],
    expected: Sequence[str],
    aliases: ColumnAliases | None = None,
    chosen: ColumnMapping | None = None,
    *,
    names: Sequence[str] | None = None,
) -> dict[str, list[int]]:
    """Expected columns that two file headers or more would feed: target → their indexes.

    ``headers`` are the header cells as typed (two may be equal), ``names`` the frame's unique
    names for them (``name``, ``name_2``). Headers equal by name, or by the matching's normalised
    name or alias (``Name`` and ``name ``), count; a header the chosen mapping names, or a target
    it feeds, does not: then a person decided which column is meant. Nothing is ever guessed.
    """
    chosen_columns = dict(chosen.columns) if chosen is not None else {}
    chosen_keys = {normalised(h) for h in chosen_columns}
    chosen_targets = {t for t in chosen_columns.values() if t is not None}
    owners: dict[str, str] = {}
    for target in expected:
        owners.setdefault(normalised(target), target)
    for target in expected:
        for alias in (aliases or {}).get(target, ()):
            owners.setdefault(normalised(alias), target)
    groups: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        name = names[index] if names is not None else header
        if name in chosen_columns or normalised(name) in chosen_keys:
            continue
        owner = owners.get(normalised(header))
        if owner is not None and owner not in chosen_targets:
            groups.setdefault(owner, []).append(index)
    return {target: indexes for target, indexes in groups.items() if len(indexes) > 1}


def duplicate_message(target: str, headers: Sequence[str], letters: Sequence[str]) -> str:
    """ "The header 'name' appears in columns B and E; rename one of them (…)." """
    if len(set(headers)) == 1:
        where = gettext("%(first)s and %(last)s") % {
            "first": ", ".join(letters[:-1]),
            "last": letters[-1],
        }
        return gettext(
            "The header %(header)r appears in columns %(columns)s; rename one of them (or "
            "choose in the column mapping which one feeds %(target)r)."
        ) % {"header": headers[0], "columns": where, "target": target}
    listed = [
        gettext("%(header)r (column %(letter)s)") % {"header": header, "letter": letter}
        for header, letter in zip(headers, letters, strict=True)
    ]
    if len(listed) == 2:
        return gettext(
            "The headers %(first)s and %(second)s both match the column %(target)r; rename one "
            "of them (or choose in the column mapping which one feeds %(target)r)."
        ) % {"first": listed[0], "second": listed[1], "target": target}
    return gettext(
        "The headers %(first)s and %(last)s all match the column %(target)r; rename all but "
        "one of them (or choose in the column mapping which one feeds %(target)r)."
    ) % {"first": ", ".join(listed[:-1]), "last": listed[-1], "target": target}


def sample_values(frame: pl.DataFrame, n: int = 3) -> dict[str, list[str]]:
    """The first ``n`` non-blank values of each column, as text (for the mapping step)."""
    samples: dict[str, list[str]] = {}
    for name in frame.columns:
        texts = (str(v) for v in frame.get_column(name).drop_nulls().head(50))
        samples[name] = [t for t in texts if t.strip()][:n]
    return samples
