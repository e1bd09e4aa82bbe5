"""Large CSV/TSV files read in batches of rows, so that memory stays flat whatever their size.

:func:`read_table` holds the whole file (its bytes, its text, its frame); for a file of millions
of rows that is gigabytes. :func:`batch_plan` decides from the start of the file whether it can be
read in batches instead, and :func:`read_batches` yields :class:`RawTable` s of about
``batch_rows`` rows each, numbered like :func:`read_table` numbers them (header = row 1).

Only what polars' streaming CSV scan reads exactly as the whole-file reader does is streamed:
a file on disk, CSV or TSV, UTF-8 (or ASCII), ``\\n`` or ``\\r\\n`` line ends, no blank line
(the whole-file reader counts blank lines as rows; the scan skips them), a header on the first
line and a one-byte delimiter. Anything else is read whole, as before. What a batch cannot know
is documented in docs/loading.md ("Streaming large files").
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from winiadmin.exceptions import FileReadError
from winiadmin.readers.base import RawTable, ReadOptions
from winiadmin.readers.delimited import choose_delimiter, head_sample, read_csv, read_tsv
from winiadmin.readers.detect import detect_format
from winiadmin.readers.grid import cell_text, nfc_table, row_numbers, unique_names

READERS_BY_FORMAT = {"csv": read_csv, "tsv": read_tsv}

if TYPE_CHECKING:
    from collections.abc import Iterator

    from winiadmin.readers.limits import ReadLimits

#: Bytes scanned at a time when looking for blank lines.
_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class BatchPlan:
    path: Path
    format: str
    delimiter: str
    limits: ReadLimits


def batch_plan(source: object, options: ReadOptions, *, threshold: int | None) -> BatchPlan | None:
    """How to read ``source`` in batches, or None when it must (or may as well) be read whole."""
    if threshold is None or not isinstance(source, str | os.PathLike):
        return None
    limits = options.get_limits()
    path = Path(source)
    head = _head(path, options, threshold, limits.file_size)
    fmt = None if head is None else options.format or _format(head, path.name)
    if head is None or fmt not in ("csv", "tsv") or not _plain_utf8(head, options):
        return None
    text = head.decode("utf-8", errors="ignore")
    delimiter = options.delimiter or choose_delimiter(
        head_sample(text, options.sniff_bytes), prefer_tab=fmt == "tsv"
    )
    streamable = (
        len(delimiter) == 1
        and delimiter.isascii()
        and not _has_blank_line(path)
        and _header_first(head, replace(options, format=fmt, delimiter=delimiter))
    )
    return BatchPlan(path, fmt, delimiter, limits) if streamable else None


def _head(path: Path, options: ReadOptions, threshold: int, largest: int) -> bytes | None:
    """The first bytes of a file worth streaming, or None (small, too big, a chosen header row).

    A file over the size limit, or one that cannot be opened, goes the whole-file way, which
    refuses it with its usual message.
    """
    if options.header_row not in (None, 1):
        return None
    try:
        size = path.stat().st_size
        if size < threshold or size > largest:
            return None
        with path.open("rb") as file:
            return file.read(options.sniff_bytes)
    except OSError:
        return None


def _header_first(head: bytes, options: ReadOptions) -> bool:
    """Whether the whole-file reader takes the first line as the header (no title rows above).

    Judged on the complete lines of the sample; a sample it cannot read goes the whole-file way,
    which reports the problem with its usual message.
    """
    complete = head[: head.rfind(b"\n") + 1]
    try:
        table = READERS_BY_FORMAT[options.format or "csv"](complete, options)
    except FileReadError:
        return False
    return table.header_row in (None, 1)


def read_batches(plan: BatchPlan, batch_rows: int) -> Iterator[RawTable]:
    """The file's rows, ``batch_rows`` at a time (the last batch may be shorter)."""
    scan = pl.scan_csv(
        plan.path,
        has_header=False,
        separator=plan.delimiter,
        infer_schema=False,
        truncate_ragged_lines=False,
    )
    names: list[str] | None = None
    next_row = 1  # the file row of the batch's first record
    limits = plan.limits
    try:
        for batch in scan.collect_batches(chunk_size=batch_rows):
            grid, numbers = batch, row_numbers(next_row, batch.height)
            next_row += batch.height
            if names is None:  # the first record is the header
                names = unique_names([cell_text(c) for c in grid.row(0)]) if grid.height else []
                limits.check_columns(len(names))
                grid, numbers = grid.slice(1), numbers.slice(1)
            limits.check_rows(next_row - 2)  # records so far, the header not counted
            table = _table(grid, numbers, names, plan)
            limits.check_cells(table.frame, table.row_numbers)
            yield nfc_table(table)
    except pl.exceptions.PolarsError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        msg = f"This file could not be read as {plan.format}: {reason}"
        raise FileReadError(msg) from exc


def _table(grid: pl.DataFrame, numbers: pl.Series, names: list[str], plan: BatchPlan) -> RawTable:
    """As :func:`~winiadmin.readers.grid.table_from_grid`: "" is empty, empty rows are dropped."""
    grid = grid.with_columns(pl.when(pl.all() != "").then(pl.all()))
    keep = grid.select(~pl.all_horizontal(pl.all().is_null())).to_series()
    frame = grid.filter(keep)
    frame.columns = names  # the scan refuses records wider than the first
    return RawTable(
        frame, numbers.filter(keep), plan.format, encoding="utf-8", delimiter=plan.delimiter
    )


def _format(head: bytes, name: str) -> str | None:
    try:
        return detect_format(head, name)
    except FileReadError:
        return None


def _plain_utf8(head: bytes, options: ReadOptions) -> bool:
    """UTF-8 (a BOM is fine: polars drops it), with ``\\n`` line ends."""
    if options.encoding not in (None, "utf-8", "utf8", "ascii"):
        return False
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data":  # not merely a character cut by the sample
            return False
    stripped = head.replace(b"\r\n", b"")
    return b"\r" not in stripped and not head.startswith((b"\n", b"\r"))


def _has_blank_line(path: Path) -> bool:
    """Whether a line is empty (outside quotes or not: either way, read the file whole)."""
    previous = b"\n"
    with path.open("rb") as file:
        while block := file.read(_BLOCK):
            joined = previous[-1:] + block.replace(b"\r", b"")
            if b"\n\n" in joined:
                return True
            previous = joined
    return False
