"""The preview's "values not found" section: natural keys that matched nothing, per lookup."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from winiadmin.db.lookups import ROWS_PER_VALUE


def unmatched_context(report: dict[str, Any]) -> dict[str, Any]:
    """``unmatched`` (one entry per lookup, with a headline) and ``create_label`` for the form."""
    entries = [_entry(u) for u in report.get("unmatched", [])]
    creatable = [e for e in entries if e["can_create"] and not e["created"]]
    parts = [_missing(len(e["values"]), e) for e in creatable]
    label = _("Create the %(what)s") % {"what": _(" and ").join(parts)} if parts else ""
    all_references = bool(entries) and all(e.get("reference") for e in entries)
    return {"unmatched": entries, "create_label": label, "all_references": all_references}


def _entry(unmatched: dict[str, Any]) -> dict[str, Any]:
    n = len(unmatched["values"])
    name = unmatched["verbose_name"] if n == 1 else unmatched["verbose_name_plural"]
    if unmatched.get("reference"):  # an identifier of another frame of the same import
        headline = ngettext(
            "%(n)d %(name)s not found in this import (by %(by)s)",
            "%(n)d %(name)s not found in this import (by %(by)s)",
            n,
        )
    elif unmatched["created"]:
        headline = ngettext(
            "%(n)d %(name)s created (by %(by)s)", "%(n)d %(name)s created (by %(by)s)", n
        )
    else:
        headline = ngettext(
            "%(n)d %(name)s not found (by %(by)s)", "%(n)d %(name)s not found (by %(by)s)", n
        )
    values = [
        v | {"more": v["count"] - len(v["rows"]) if len(v["rows"]) >= ROWS_PER_VALUE else 0}
        for v in unmatched["values"]
    ]
    headline_text = headline % {"n": n, "name": name, "by": unmatched["by"]}
    return unmatched | {"headline": headline_text, "values": values}


def _missing(n: int, entry: dict[str, Any]) -> str:
    name = entry["verbose_name"] if n == 1 else entry["verbose_name_plural"]
    return ngettext("%(n)d missing %(name)s", "%(n)d missing %(name)s", n) % {"n": n, "name": name}
