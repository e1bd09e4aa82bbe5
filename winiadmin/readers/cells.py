"""Cells that cannot be imported as they are: bytes that are not UTF-8, NUL characters.

Both are reported per cell (row, column, the value with the bytes escaped) like any other bad
value, so that "skip invalid rows" can leave those rows out and import the rest, instead of
refusing the whole file or, worse, decoding it into characters the user never typed.

- Invalid UTF-8 bytes were marked by the decoder (:data:`~winiadmin.readers.encoding.BAD_BYTE_MARK`
  before ``\\xe9``); the mark is removed here and the cell keeps the escaped text.
- A NUL character is valid text but PostgreSQL cannot store it in a text column; the cell keeps
  ``\\x00`` written out, so that the value shown (and the rejected-rows file) is readable.
"""

import re
from dataclasses import replace

import polars as pl
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from winiadmin.problems import Problem, ProblemKind, Severity
from winiadmin.readers.base import RawTable
from winiadmin.readers.encoding import BAD_BYTE_MARK

NUL = "\x00"
BAD_BYTES_MESSAGE = _("This value has bytes that are not valid UTF-8 text")
NUL_MESSAGE = _(
    "This value holds a NUL character (\\x00), which a database cannot store as text; "
    "remove it from the file"
)


#: A marked byte (the mark and two hex digits), as Python and polars (Rust) regexes read it.
_MARKED = f"{BAD_BYTE_MARK}([0-9a-f]{{2}})"


def is_bad_bytes_message(message: str) -> bool:
    """Whether a problem's ``message`` names bytes that are not UTF-8, in English or in the
    active language (a report's messages are in the language of the user who checked it)."""
    with translation.override("en"):
        english = str(BAD_BYTES_MESSAGE)
    return message.startswith((english, str(BAD_BYTES_MESSAGE)))


def displayed(text: str) -> str:
    """A cell as it is shown and kept: bad bytes and NULs written out (``\\xe9``, ``\\x00``)."""
    return re.sub(_MARKED, r"\\x\1", text).replace(NUL, "\\x00")


def check_cells(table: RawTable) -> RawTable:
    """The table with its unstorable cells reported as row problems and written out.

    Only text columns holding a mark or a NUL are rewritten; a clean table costs one scan.
    """
    text = [name for name, dtype in table.frame.schema.items() if dtype == pl.String]
    names = [displayed(name) for name in table.frame.columns]
    dirty_names = names != table.frame.columns
    if not text or not table.frame.height:
        return _renamed(table, names) if dirty_names else table
    flags = table.frame.select(pl.col(text).str.contains_any([BAD_BYTE_MARK, NUL]).any()).row(0)
    dirty = [name for name, flag in zip(text, flags, strict=True) if flag]
    if not dirty:
        return _renamed(table, names) if dirty_names else table
    found: list[tuple[int, int, Problem]] = []
    frame = table.frame
    rows = table.row_numbers
    for name in dirty:
        column = frame.get_column(name)
        hits = column.str.contains_any([BAD_BYTE_MARK, NUL]).fill_null(value=False)
        shown_name = displayed(name)
        for row, value in zip(rows.filter(hits), column.filter(hits), strict=True):
            message = BAD_BYTES_MESSAGE if BAD_BYTE_MARK in value else NUL_MESSAGE
            problem = Problem(
                ProblemKind.INVALID_VALUE,
                Severity.ERROR,
                f"{message}.",
                row=int(row),
                column=shown_name,
                value=displayed(value),
            )
            found.append((int(row), frame.columns.index(name), problem))
    written_out = pl.col(dirty).str.replace_all(_MARKED, "\\x${1}")
    frame = frame.with_columns(written_out.str.replace_all(NUL, "\\x00", literal=True))
    problems = [problem for _row, _column, problem in sorted(found, key=lambda f: f[:2])]
    # In file order with the reader's own (ragged rows): one list a person reads top down.
    merged = sorted((*table.problems, *problems), key=lambda p: p.row or 0)
    return replace(_renamed(replace(table, frame=frame), names), problems=tuple(merged))


def _renamed(table: RawTable, names: list[str]) -> RawTable:
    frame = table.frame.clone()
    frame.columns = names
    headers = tuple(displayed(h) for h in table.headers) if table.headers else ()
    return replace(table, frame=frame, headers=headers)
