"""Batches of a streamed file that never cut a group of rows (``Importer.stream_group_by``).

A streamed file is cut every ``STREAM_BATCH_ROWS`` rows, and ``get_frames_by_model`` sees one
batch: an order whose lines straddle a cut would become two orders, or a reference to an
identifier of the batch before (refused). With a group column the rows at the end of a batch
that share the last row's value are held back and read with the next batch, so each run of equal
values is transformed whole. Only consecutive rows form a group: the file must keep each group's
rows together (sorted, or as exported). A group longer than a batch makes that batch longer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from winiadmin.readers import RawTable


def grouped_batches(
    tables: Iterator[RawTable], header_of: Callable[[RawTable], str | None]
) -> Iterator[RawTable]:
    """``tables`` again, each ending at a change of value of the group column.

    ``header_of`` names the file header of the group column (``None``: cut anywhere, e.g. when
    the file lacks the column; cleaning reports that).
    """
    held: RawTable | None = None
    for table in tables:
        batch = table if held is None else _joined(held, table)
        header = header_of(batch)
        if header is None or batch.frame.height == 0:
            held = None
            yield batch
            continue
        start = _last_group_start(batch.frame.get_column(header))
        if start == 0:  # one group so far: keep reading
            held = batch
            continue
        held = _sliced(batch, start, batch.frame.height - start)
        yield _sliced(batch, 0, start)
    if held is not None:
        yield held


def _last_group_start(values: pl.Series) -> int:
    """Index of the first row of the trailing run of rows equal to the last one."""
    last = values[-1]
    same = values.is_null() if last is None else (values == last).fill_null(value=False)
    different = (~same).arg_true()
    return int(different[-1]) + 1 if different.len() else 0


def _sliced(table: RawTable, offset: int, length: int) -> RawTable:
    return replace(
        table,
        frame=table.frame.slice(offset, length),
        row_numbers=table.row_numbers.slice(offset, length),
    )


def _joined(first: RawTable, second: RawTable) -> RawTable:
    return replace(
        second,
        frame=pl.concat([first.frame, second.frame], how="vertical_relaxed"),
        row_numbers=pl.concat([first.row_numbers, second.row_numbers]),
    )
