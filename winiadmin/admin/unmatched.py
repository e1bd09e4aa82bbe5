"""The preview's "values not found" section: natural keys that matched nothing, per lookup."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from winiadmin.db.lookups import ROWS_PER_VALUE
from winiadmin.import_report import ImportReport, UnmatchedLookup, UnmatchedValue


@dataclass(frozen=True, slots=True)
class ShownValue:
    """A value not found, with ``more``: its rows beyond the ones listed."""

    value: UnmatchedValue
    more: int


@dataclass(frozen=True, slots=True)
class UnmatchedEntry:
    """One lookup's values not found, with the headline the section shows above them."""

    lookup: UnmatchedLookup
    headline: str
    values: tuple[ShownValue, ...]


def unmatched_context(report: ImportReport, *, planned: bool = False) -> dict[str, Any]:
    """``unmatched`` (one entry per lookup, with a headline) and ``create_label`` for the form.
    ``planned``: a check's report (its created values are to be created)."""
    entries = [_entry(u, planned=planned) for u in report.unmatched]
    creatable = [e.lookup for e in entries if e.lookup.can_create and not e.lookup.created]
    parts = [_missing(len(u.values), u) for u in creatable]
    label = _("Create the %(what)s") % {"what": _(" and ").join(parts)} if parts else ""
    all_references = bool(entries) and all(e.lookup.reference for e in entries)
    return {"unmatched": entries, "create_label": label, "all_references": all_references}


def _entry(unmatched: UnmatchedLookup, *, planned: bool) -> UnmatchedEntry:
    n = len(unmatched.values)
    name = unmatched.verbose_name if n == 1 else unmatched.verbose_name_plural
    if unmatched.reference:  # an identifier of another frame of the same import
        headline = ngettext(
            "%(n)d %(name)s not found in this import (by %(by)s)",
            "%(n)d %(name)s not found in this import (by %(by)s)",
            n,
        )
    elif unmatched.created and planned:  # chosen one by one (winiadmin.jobs.create_choices)
        headline = ngettext(
            "%(n)d %(name)s will be created (by %(by)s)",
            "%(n)d %(name)s will be created (by %(by)s)",
            n,
        )
    elif unmatched.created:
        headline = ngettext(
            "%(n)d %(name)s created (by %(by)s)", "%(n)d %(name)s created (by %(by)s)", n
        )
    else:
        headline = ngettext(
            "%(n)d %(name)s not found (by %(by)s)", "%(n)d %(name)s not found (by %(by)s)", n
        )
    values = tuple(
        ShownValue(v, v.count - len(v.rows) if len(v.rows) >= ROWS_PER_VALUE else 0)
        for v in unmatched.values
    )
    headline_text = headline % {"n": n, "name": name, "by": unmatched.by}
    return UnmatchedEntry(unmatched, headline_text, values)


def _missing(n: int, lookup: UnmatchedLookup) -> str:
    name = lookup.verbose_name if n == 1 else lookup.verbose_name_plural
    return ngettext("%(n)d missing %(name)s", "%(n)d missing %(name)s", n) % {"n": n, "name": name}
