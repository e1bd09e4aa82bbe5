"""How the preview says the file was read: ``CSV, UTF-8, separated by semicolons, column names
found in row 3`` instead of the report's keys (``format csv, delimiter ';', header row 3 …``)."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.utils.functional import Promise

FORMATS: dict[str, Promise] = {
    "csv": gettext_lazy("CSV"),
    "tsv": gettext_lazy("TSV"),
    "excel": gettext_lazy("Excel workbook"),
    "json": gettext_lazy("JSON"),
    "ndjson": gettext_lazy("NDJSON"),
    "parquet": gettext_lazy("Parquet"),
}

DELIMITERS: dict[str, Promise] = {
    ",": gettext_lazy("separated by commas"),
    ";": gettext_lazy("separated by semicolons"),
    "\t": gettext_lazy("separated by tabs"),
    "|": gettext_lazy("separated by vertical bars"),
    " ": gettext_lazy("separated by spaces"),
}

_HEADER_ROW = re.compile(r"^(\d+) \((detected|chosen)\)$")
#: The order the phrase names things in (PostgreSQL's jsonb keeps no key order of its own).
_ORDER = ("format", "encoding", "delimiter", "sheet", "header row")


def source_in_words(source: Mapping[str, object]) -> str:
    """The report's ``source`` (see ``pipeline.batches.describe_source``) as one readable phrase."""
    parts: list[str] = []
    rank = {key: i for i, key in enumerate(_ORDER)}
    for key, value in sorted(source.items(), key=lambda item: rank.get(item[0], len(rank))):
        text = str(value)
        if key == "format":
            parts.append(str(FORMATS.get(text, text)))
        elif key == "encoding":
            parts.append(text)
        elif key == "delimiter":
            parts.append(_delimiter(text))
        elif key == "sheet":
            parts.append(_("sheet “%(sheet)s”") % {"sheet": text})
        elif key == "header row":
            parts.append(_header_row(text))
        else:  # a key a later version adds: still shown
            parts.append(f"{key} {text}")
    return ", ".join(parts)


def _delimiter(stored: str) -> str:
    try:  # stored as its repr, so that a tab reads '\t'
        delimiter = ast.literal_eval(stored)
    except (ValueError, SyntaxError):
        delimiter = stored
    words = DELIMITERS.get(str(delimiter))
    return str(words) if words else _("separated by “%(d)s”") % {"d": delimiter}


def _header_row(stored: str) -> str:
    match = _HEADER_ROW.match(stored)
    if match is None:
        return _("column names in row %(row)s") % {"row": stored}
    row, how = match.groups()
    if how == "detected":
        return _("column names found in row %(row)s") % {"row": row}
    return _("column names in row %(row)s, as chosen") % {"row": row}
