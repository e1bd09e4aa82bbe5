"""From a grid of cells (all text, one frame row per file row) to a table with a header.

Shared by the CSV/TSV and Excel readers so that both number rows the same way: the grid's
first row is file row ``first_row``; rows with no value at all are dropped, but the rows after
them keep their true numbers.

The header row is the one asked for (``header_row``, a file row number), or else detected: title
and note rows above the table (a report name, "exported on …") are *narrow*, holding fewer
than 60 % of the cells the widest row near the top holds. They are skipped when the first wide
row looks like headers (distinct cells, none a number or a date). Otherwise the header is the
first row holding anything, as before: a table with no title is read exactly as it always was.
"""

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

import polars as pl
from django.utils.translation import gettext as _

from winiadmin.exceptions import FileReadError
from winiadmin.readers.base import RawTable

#: Rows looked at (from the first row holding anything) when detecting the header row.
HEADER_SEARCH_ROWS = 30
#: A row holding fewer cells than this share of the widest row is a title or a note.
WIDE_ROW_SHARE = 0.6
_VALUE_LIKE = re.compile(
    r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?$"  # a number
    r"|^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}([ T].*)?$"  # a date, maybe with a time
)


class GridTable(NamedTuple):
    frame: pl.DataFrame
    #: The file row number of each frame row.
    row_numbers: pl.Series
    #: The file row number the headers were read from.
    header_row: int
    #: The header cells as typed ("" when blank), one per frame column.
    headers: tuple[str, ...] = ()


def unique_names(raw: Sequence[str | None], positions: Sequence[int] | None = None) -> list[str]:
    """Header cells made into usable, unique column names, otherwise kept exactly as typed.

    A blank name becomes ``column_<n>`` (``n``: its 1-based column position, or
    ``positions[i]``); a repeated name gets ``_2``, ``_3``… in order of appearance.
    """
    used: set[str] = set()
    names: list[str] = []
    for index, value in enumerate(raw):
        position = positions[index] if positions is not None else index + 1
        base = value if value is not None and value.strip() else f"column_{position}"
        name, suffix = base, 2
        while name in used:
            name, suffix = f"{base}_{suffix}", suffix + 1
        used.add(name)
        names.append(name)
    return names


def column_letter(position: int) -> str:
    """A 1-based column position as a spreadsheet names it: 1 → A, 27 → AA."""
    letters = ""
    while position > 0:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_letters(table: RawTable, indexes: Sequence[int]) -> list[str]:
    """The letters of frame columns (0-based ``indexes``), as the file's spreadsheet shows them."""
    positions = table.positions or range(1, table.frame.width + 1)
    return [column_letter(positions[i]) if i < len(positions) else str(i + 1) for i in indexes]


def row_numbers(start: int, count: int) -> pl.Series:
    """``count`` consecutive Int64 row numbers from ``start``."""
    return pl.int_range(start, start + count, dtype=pl.Int64, eager=True).alias("row")


def table_from_grid(
    grid: pl.DataFrame,
    *,
    first_row: int = 1,
    positions: Sequence[int] | None = None,
    header_row: int | None = None,
) -> GridTable | None:
    """The frame under the header and its row numbers; ``None`` when the grid has no value.

    ``header_row`` is the file row number holding the headers; ``None`` detects it.
    """
    if grid.width == 0:
        return None
    # "" and a missing value look the same in a spreadsheet: both are an empty cell.
    grid = grid.with_columns(pl.when(pl.all() != "").then(pl.all()))
    widths = grid.select(pl.sum_horizontal(pl.all().is_not_null())).to_series()
    filled = widths > 0
    filled_rows = filled.arg_true()
    if filled_rows.is_empty():
        return None
    if header_row is None:
        header = detect_header(grid, widths, [int(i) for i in filled_rows[:HEADER_SEARCH_ROWS]])
    else:
        header = _chosen_header(header_row - first_row, header_row, widths)
    typed = [cell_text(cell) for cell in grid.row(header)]
    names = unique_names(typed, positions)
    keep = filled.slice(header + 1)
    frame = grid.slice(header + 1).filter(keep)
    frame.columns = names
    numbers = row_numbers(first_row, grid.height).slice(header + 1).filter(keep)
    return GridTable(frame, numbers, first_row + header, tuple(t or "" for t in typed))


def detect_header(grid: pl.DataFrame, widths: pl.Series, candidates: list[int]) -> int:
    """The index of the header row among ``candidates`` (the first filled rows, in order)."""
    widest = max(int(widths[i]) for i in candidates)
    wide = max(1, math.ceil(widest * WIDE_ROW_SHARE))
    # The widest row is wide, so there is one; the narrow rows before it are titles or notes.
    first_wide = next(i for i in candidates if widths[i] >= wide)
    cells = [str(cell) for cell in grid.row(first_wide) if cell is not None]
    looks_like_headers = len(set(cells)) == len(cells) and not any(
        _VALUE_LIKE.match(cell.strip()) for cell in cells
    )
    return first_wide if looks_like_headers else candidates[0]


def _chosen_header(index: int, header_row: int, widths: pl.Series) -> int:
    if index >= widths.len():
        last = widths.len() + header_row - index - 1
        msg = _("Header row %(row)s is outside the table, which has rows up to %(last)s.") % {
            "row": header_row,
            "last": last,
        }
        raise FileReadError(msg)
    if index < 0 or widths[index] == 0:
        msg = _("Header row %(row)s is empty; choose the row that holds the column names.") % {
            "row": header_row
        }
        raise FileReadError(msg)
    return index


def cell_text(cell: object) -> str | None:
    """A grid cell as text (a header name), ``None`` when empty."""
    return None if cell is None else str(cell)


def nfc_table(table: RawTable) -> RawTable:
    """Headers and text cells in Unicode NFC: "é" typed as e + accent equals the single "é".

    Otherwise two values that look the same would be two different keys in the database. Only
    columns holding non-ASCII text are normalised (ASCII is NFC already; normalising costs).
    """
    names = unique_names([unicodedata.normalize("NFC", name) for name in table.frame.columns])
    headers = tuple(unicodedata.normalize("NFC", h) for h in table.headers)
    text = [name for name, dtype in table.frame.schema.items() if dtype == pl.String]
    frame = table.frame.clone()
    if text and frame.height:
        wide = frame.select(
            (pl.col(text).str.len_bytes() != pl.col(text).str.len_chars()).any()
        ).row(0)
        non_ascii = [name for name, has in zip(text, wide, strict=True) if has]
        if non_ascii:
            frame = frame.with_columns(pl.col(non_ascii).str.normalize("NFC"))
    frame.columns = names
    return replace(table, frame=frame, headers=headers)
