"""Files winiadmin hands back to people: CSV text and .xlsx workbooks, written safely.

Both are meant to be opened in a spreadsheet program *and* imported again as they are, so:

* XLSX cells are written as typed values (``write_string`` for text): a text cell is never a
  formula, whatever it starts with, and ``007`` stays ``007``.
* CSV has no cell types, so a text cell a spreadsheet would run as a formula (``=``, ``@``, a tab,
  a carriage return, or ``+``/``-`` not followed by a plain number) gets a leading ``'``, which
  spreadsheets show as "text". winiadmin's cleaning removes exactly that apostrophe again
  (:func:`winiadmin.cleaning.stage.unquote_formulas`), so the file re-imports unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import xlsxwriter

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import polars as pl

CONTENT_TYPES = {
    "json": "application/json",
    "ndjson": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: A cell starting with one of these is a formula to a spreadsheet program (OWASP's list; a
#: line feed too, since the readers turn a CR inside a quoted value into one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: ASCII digits only (never ``\d``, which is every script's digits in Python and polars but not
#: in the database's regular expressions): the export's guard, run by PostgreSQL, is this rule.
_PLAIN_NUMBER = re.compile(r"^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?$")
#: The plain-number rule as a regular expression PostgreSQL reads the same (the export's guard).
PLAIN_NUMBER_PATTERN = _PLAIN_NUMBER.pattern


def neutralise(cell: object) -> str:
    """Text a spreadsheet shows as typed: a leading ``'`` disarms formulas (``=cmd|…``).

    Signed plain numbers (``-5``, ``+3.2``) are left alone: they are data, not formulas.
    """
    text = "" if cell is None else str(cell)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def neutralise_column(column: pl.Series) -> pl.Series:
    """:func:`neutralise` on a whole text column at once (a streamed export's chunk): the same
    rule, so :func:`unquote_formulas` undoes it alike."""
    starts = column.str.contains(r"^[=+\-@\t\r\n]")
    if not starts.any():  # the usual chunk: nothing to guard, no second pass
        return column
    is_formula = starts & ~column.str.contains(_PLAIN_NUMBER.pattern)
    return column.zip_with(~is_formula.fill_null(value=False), "'" + column)


def unquote_formulas(column: pl.Series) -> pl.Series:
    """Undo :func:`neutralise` on text: ``'=A1`` back to ``=A1`` (only where it would apply)."""
    quote = column.str.starts_with("'")
    if not quote.any():  # the usual file: no cell to look at twice
        return column
    rest = column.str.slice(1)
    quoted = (
        quote & rest.str.contains(r"^[=+\-@\t\r\n]") & ~rest.str.contains(_PLAIN_NUMBER.pattern)
    )
    return column.zip_with(~quoted.fill_null(value=False), rest)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (comma, ``\\r\\n``, quoted as needed) with every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(c) for c in header])
    writer.writerows([neutralise(c) for c in row] for row in rows)
    return out.getvalue()


@dataclass(slots=True)
class Sheet:
    """One worksheet: a header row (bold, frozen), rows, and optional notes on header cells."""

    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]] = ()
    #: Header name → a comment shown on hover over that header cell.
    notes: dict[str, str] = field(default_factory=dict)
    #: Columns (by header name) whose empty cells are formatted as text, so that what people
    #: type there (``007``, ``1-2``) is not turned into a number or a date by the program.
    text_columns: frozenset[str] = frozenset()


def _formats(workbook: Any) -> dict[str, Any]:
    return {
        "bold": workbook.add_format({"bold": True}),
        "text": workbook.add_format({"num_format": "@"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "time": workbook.add_format({"num_format": "hh:mm:ss"}),
    }


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx workbook, sheets in order (the first is the one winiadmin reads by default)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    formats = _formats(workbook)
    for sheet in sheets:
        _write_sheet(workbook.add_worksheet(sheet.name[:31]), sheet, formats)
    workbook.close()
    return buffer.getvalue()


def _write_sheet(ws: Any, sheet: Sheet, formats: dict[str, Any]) -> None:
    _write_header(ws, sheet, formats)
    for r, row in enumerate(sheet.rows, start=1):
        for col, value in enumerate(row):
            _write_cell(ws, r, col, value, formats)


def _write_header(ws: Any, sheet: Sheet, formats: dict[str, Any]) -> None:
    for col, name in enumerate(sheet.header):
        width = max(12, min(40, len(name) + 4))
        text = formats["text"] if name in sheet.text_columns else None
        ws.set_column(col, col, width, text)
        ws.write_string(0, col, name, formats["bold"])
        if name in sheet.notes:
            ws.write_comment(0, col, sheet.notes[name], {"x_scale": 2, "y_scale": 1.5})
    ws.freeze_panes(1, 0)


def _write_cell(ws: Any, row: int, col: int, value: object, formats: dict[str, Any]) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, formats["datetime"])
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, value, formats["date"])
    elif isinstance(value, dt.time):
        ws.write_datetime(row, col, value, formats["time"])
    else:
        ws.write_string(row, col, str(value))
