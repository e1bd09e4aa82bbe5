"""From a grid of cells (all text, one frame row per file row) to a table with a header.

Shared by the CSV/TSV and Excel readers so that both number rows the same way: the grid's
first row is file row ``first_row``; the header is the first row holding anything; rows with no
value at all are dropped, but the rows after them keep their true numbers.
"""

from collections.abc import Sequence

import polars as pl


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


def row_numbers(start: int, count: int) -> pl.Series:
    """``count`` consecutive Int64 row numbers from ``start``."""
    return pl.int_range(start, start + count, dtype=pl.Int64, eager=True).alias("row")


def table_from_grid(
    grid: pl.DataFrame, *, first_row: int = 1, positions: Sequence[int] | None = None
) -> tuple[pl.DataFrame, pl.Series] | None:
    """The frame under the header and its row numbers; ``None`` when the grid has no value."""
    if grid.width == 0:
        return None
    # "" and a missing value look the same in a spreadsheet: both are an empty cell.
    grid = grid.with_columns(pl.when(pl.all() != "").then(pl.all()))
    filled = grid.select(~pl.all_horizontal(pl.all().is_null())).to_series()
    filled_rows = filled.arg_true()
    if filled_rows.is_empty():
        return None
    header = int(filled_rows[0])
    names = unique_names([_text(cell) for cell in grid.row(header)], positions)
    keep = filled.slice(header + 1)
    frame = grid.slice(header + 1).filter(keep)
    frame.columns = names
    numbers = row_numbers(first_row, grid.height).slice(header + 1).filter(keep)
    return frame, numbers


def _text(cell: object) -> str | None:
    return None if cell is None else str(cell)
