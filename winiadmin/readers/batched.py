"""Large CSV/TSV files read in batches of rows, so that memory stays flat whatever their size.

:func:`read_table` holds the whole file (its bytes, its text, its frame); for a file of millions
of rows that is gigabytes. :func:`batch_plan` decides from the start of the file whether it can be
read in batches instead, and :func:`read_batches` yields :class:`RawTable` s of about
``batch_rows`` rows each, numbered like :func:`read_table` numbers them (header = row 1). The
file is parsed a block of whole records at a time (:func:`record_blocks`), when a batch needs it,
so a batch holds its own rows and one block, however large the file and however slow the load.

Only what polars' CSV parser reads block by block exactly as the whole-file reader does is
streamed: a file on disk, CSV or TSV, UTF-8 (or ASCII), ``\\n`` or ``\\r\\n`` line ends, no blank
line (the whole-file reader counts blank lines as rows; polars skips them), a header on the
first line and a one-byte delimiter. Anything else is read whole, as before. What a batch cannot
know is documented in docs/loading.md ("Streaming large files").
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

#: Bytes of the file parsed at a time (about 50,000 rows of 80 bytes): a batch holds its own
#: rows and at most one block more, whatever the size of the file.
BLOCK_BYTES = 4 << 20


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


def read_batches(
    plan: BatchPlan, batch_rows: int, *, block_bytes: int = BLOCK_BYTES
) -> Iterator[RawTable]:
    """The file's rows, ``batch_rows`` at a time (the last batch may be shorter)."""
    names: list[str] | None = None
    next_row = 1  # the file row of the batch's first record
    limits = plan.limits
    try:
        for batch in _grids(plan, batch_rows, block_bytes):
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


def _grids(plan: BatchPlan, batch_rows: int, block_bytes: int) -> Iterator[pl.DataFrame]:
    """The file's records as text, ``batch_rows`` at a time, the header record first.

    Not polars' streaming scan: its ``collect_batches`` reads ahead of a slow consumer without
    bound (a whole 3M-row file, 360 MB, while the first batches were being loaded). Here the
    file is parsed one block of whole records at a time, only when a batch needs it.
    """
    schema: pl.Schema | None = None
    held: pl.DataFrame | None = None
    for block in record_blocks(plan.path, block_bytes):
        parsed = _parse_block(block, plan.delimiter, schema)
        schema = schema or parsed.schema  # the first record (the header) sets the width
        held = parsed if held is None else pl.concat([held, parsed], rechunk=False)
        while held.height >= batch_rows:
            yield held.slice(0, batch_rows)
            held = held.slice(batch_rows)
    if held is not None and held.height:
        yield held


def _parse_block(block: bytes, delimiter: str, schema: pl.Schema | None) -> pl.DataFrame:
    """Records as text, as the streaming scan read them: shorter ones padded, longer refused."""
    if schema is None:
        return pl.read_csv(
            block,
            has_header=False,
            separator=delimiter,
            infer_schema=False,
            truncate_ragged_lines=False,
        )
    return pl.read_csv(
        block,
        has_header=False,
        separator=delimiter,
        schema=schema,
        missing_columns="insert",
        truncate_ragged_lines=False,
    )


def record_blocks(path: Path, block_bytes: int) -> Iterator[bytes]:
    """The file's bytes in blocks of about ``block_bytes`` that end where a record ends.

    A record ends at a line end outside double quotes: where the quotes seen so far are even in
    number (an escaped quote, ``""``, counts twice). A record longer than a block makes its
    block longer.
    """
    carry = b""
    with path.open("rb") as file:
        while chunk := file.read(block_bytes):
            data = carry + chunk if carry else chunk
            end = _last_record_end(data)
            carry = data[end:]
            if end:
                yield data[:end]
    if carry:
        yield carry


def _last_record_end(data: bytes) -> int:
    """The offset after the last line end outside quotes, 0 when there is none."""
    quotes = data.count(b'"')
    end = len(data)
    while (line_end := data.rfind(b"\n", 0, end)) >= 0:
        quotes -= data.count(b'"', line_end, end)
        if quotes % 2 == 0:
            return line_end + 1
        end = line_end
    return 0


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
