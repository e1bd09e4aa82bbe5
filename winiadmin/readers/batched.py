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

import codecs
import csv
import io
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from django.utils.translation import gettext as _

from winiadmin.exceptions import FileReadError
from winiadmin.readers.base import RawTable, ReadOptions
from winiadmin.readers.cells import check_cells
from winiadmin.readers.delimited import (
    choose_delimiter,
    head_sample,
    ragged_problem,
    read_csv,
    read_tsv,
)
from winiadmin.readers.detect import detect_format
from winiadmin.readers.encoding import decode_text, has_multibyte_utf8
from winiadmin.readers.grid import cell_text, nfc_table, row_numbers, unique_names

READERS_BY_FORMAT = {"csv": read_csv, "tsv": read_tsv}

if TYPE_CHECKING:
    from collections.abc import Iterator

    from winiadmin.readers.limits import ReadLimits

#: Bytes scanned at a time when looking for blank lines.
_BLOCK = 1 << 20

#: Hidden columns of a parsed block: each record's number of values, and the values past the
#: header's width (joined by a unit separator), so that ragged rows are reported, not padded.
_LENGTHS = "\x00values"
_EXTRA = "\x00extra"

#: Bytes of the file parsed at a time (about 50,000 rows of 80 bytes): a batch holds its own
#: rows and at most one block more, whatever the size of the file.
BLOCK_BYTES = 4 << 20


@dataclass(frozen=True, slots=True)
class BatchPlan:
    path: Path
    format: str
    delimiter: str
    limits: ReadLimits
    #: The whole file is valid UTF-8; else blocks with bad bytes are decoded with those bytes
    #: marked (reported per cell, as the whole-file reader does).
    valid_utf8: bool = True


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
    if len(delimiter) != 1 or not delimiter.isascii():
        return None
    scan = _scan(path)
    # No UTF-8 at all: the whole-file reader decodes it as a single-byte encoding.
    text_ok = scan.valid_utf8 or scan.multibyte
    streamable = (
        text_ok
        and not scan.blank_line
        and _header_first(head, replace(options, format=fmt, delimiter=delimiter))
    )
    if not streamable:
        return None
    return BatchPlan(path, fmt, delimiter, limits, valid_utf8=scan.valid_utf8)


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
    typed: tuple[str, ...] = ()
    width = 0  # the header's number of values
    next_row = 1  # the file row of the batch's first record
    limits = plan.limits
    try:
        for batch in _grids(plan, batch_rows, block_bytes):
            grid, numbers = batch, row_numbers(next_row, batch.height)
            next_row += batch.height
            if names is None:  # the first record is the header
                header = [cell_text(c) for c in grid.drop(_LENGTHS, _EXTRA).row(0)]
                width = int(grid.get_column(_LENGTHS)[0]) if grid.height else 0
                names = unique_names(header[:width])
                typed = tuple(t or "" for t in header[:width])
                limits.check_columns(len(names))
                grid, numbers = grid.slice(1), numbers.slice(1)
            limits.check_rows(next_row - 2, len(names))  # the header not counted
            table = _table(grid, numbers, names, plan, typed=typed)
            limits.check_cells(table.frame, table.row_numbers)
            yield check_cells(nfc_table(table))
    except pl.exceptions.PolarsError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        msg = _("This file could not be read as %(format)s: %(reason)s") % {
            "format": plan.format,
            "reason": reason,
        }
        raise FileReadError(msg) from exc


def _grids(plan: BatchPlan, batch_rows: int, block_bytes: int) -> Iterator[pl.DataFrame]:
    """The file's records as text, ``batch_rows`` at a time, the header record first.

    Not polars' streaming scan: its ``collect_batches`` reads ahead of a slow consumer without
    bound (a whole 3M-row file, 360 MB, while the first batches were being loaded). Here the
    file is parsed one block of whole records at a time, only when a batch needs it.
    """
    schema: pl.Schema | None = None
    held: pl.DataFrame | None = None
    for raw in record_blocks(plan.path, block_bytes):
        block = raw if plan.valid_utf8 else _marked(raw)
        parsed = _parse_block(block, plan.delimiter, schema)
        # The first record (the header) sets the width.
        schema = schema or parsed.drop(_LENGTHS, _EXTRA).schema
        held = parsed if held is None else pl.concat([held, parsed], rechunk=False)
        while held.height >= batch_rows:
            yield held.slice(0, batch_rows)
            held = held.slice(batch_rows)
    if held is not None and held.height:
        yield held


def _marked(block: bytes) -> bytes:
    """A block as UTF-8, its invalid bytes (if any) marked as :func:`decode_text` marks them."""
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return decode_text(block, "utf-8")[0].encode("utf-8")
    return block


def _parse_block(block: bytes, delimiter: str, schema: pl.Schema | None) -> pl.DataFrame:
    """Records as text, with each record's number of values (``_LENGTHS``) and the values past
    the header's width (``_EXTRA``), for :func:`_table` to report rows that do not fit."""
    names = list(schema) if schema is not None else None
    try:
        if schema is None:
            parsed = pl.read_csv(
                block,
                has_header=False,
                separator=delimiter,
                infer_schema=False,
                truncate_ragged_lines=False,
            )
        else:
            parsed = pl.read_csv(
                block,
                has_header=False,
                separator=delimiter,
                schema=schema,
                missing_columns="insert",
                truncate_ragged_lines=False,
            )
    except (pl.exceptions.ComputeError, pl.exceptions.SchemaError):
        # A record longer than the header: the csv module reads the block, record by record.
        return _parse_records(_block_records(block, delimiter), names)
    last = parsed.get_column(parsed.columns[-1])
    if last.null_count() and not _all_as_wide(block, delimiter, parsed.width):
        # A short record (or an empty last value in a block with quotes): only a scan tells.
        return _parse_records(_block_records(block, delimiter), names)
    lengths = pl.lit(parsed.width, dtype=pl.Int64).alias(_LENGTHS)
    return parsed.with_columns(lengths, pl.lit(None, dtype=pl.String).alias(_EXTRA))


def _all_as_wide(block: bytes, delimiter: str, width: int) -> bool:
    """Whether every line of a block without quotes has ``width`` values (a cheap count)."""
    if b'"' in block:
        return False
    separator = delimiter.encode()
    lines = block.removesuffix(b"\n").split(b"\n")
    return all(line.count(separator) == width - 1 for line in lines)


def _block_records(block: bytes, delimiter: str) -> list[list[str]]:
    text = block.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        msg = _(
            'The file could not be read as delimited text: %(error)s. Check its double quotes (").'
        ) % {"error": exc}
        raise FileReadError(msg) from exc


def _parse_records(records: list[list[str]], names: list[str] | None) -> pl.DataFrame:
    """Records padded or cut to the header's width (``names``: the first block's columns)."""
    if names is None:  # the header's own block: the first record sets the width
        names = [f"column_{i + 1}" for i in range(len(records[0]) if records else 0)]
    width = len(names)
    cells = [(record + [None] * (width - len(record)))[:width] for record in records]
    frame = pl.DataFrame(cells, schema=dict.fromkeys(names, pl.String), orient="row")
    lengths = pl.Series(_LENGTHS, [len(record) for record in records], dtype=pl.Int64)
    extra = pl.Series(
        _EXTRA,
        [None if len(r) <= width else "\x1f".join(r[width:]) for r in records],
        dtype=pl.String,
    )
    return frame.with_columns(lengths, extra)


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


def _table(
    grid: pl.DataFrame,
    numbers: pl.Series,
    names: list[str],
    plan: BatchPlan,
    *,
    typed: tuple[str, ...],
) -> RawTable:
    """As :func:`~winiadmin.readers.grid.table_from_grid`: "" is empty, empty rows are dropped;
    rows with fewer or more values than the header (``names``, one per value) are row problems,
    as the whole file's."""
    width = len(names)
    lengths, extra = grid.get_column(_LENGTHS), grid.get_column(_EXTRA)
    grid = grid.drop(_LENGTHS, _EXTRA)
    grid = grid.with_columns(pl.when(pl.all() != "").then(pl.all()))
    keep = grid.select(~pl.all_horizontal(pl.all().is_null())).to_series()
    frame = grid.filter(keep)
    frame.columns = names
    table = RawTable(
        frame,
        numbers.filter(keep),
        plan.format,
        encoding="utf-8",
        delimiter=plan.delimiter,
        headers=typed,
    )
    wrong = keep & (lengths != width)
    if not wrong.any():
        return table
    problems = []
    for row, size, more in zip(
        numbers.filter(wrong), lengths.filter(wrong), extra.filter(wrong), strict=True
    ):
        values = (more or "").split("\x1f")
        # Extra values that are all empty (a trailing delimiter) lose nothing: as read whole.
        if size < width or any(values):
            problems.append(ragged_problem(table, int(row), int(size), width, values))
    return replace(table, problems=tuple(problems)) if problems else table


def _format(head: bytes, name: str) -> str | None:
    try:
        return detect_format(head, name)
    except FileReadError:
        return None


def _plain_utf8(head: bytes, options: ReadOptions) -> bool:
    """UTF-8 asked for or detected (a BOM is fine: polars drops it), with ``\\n`` line ends.

    Whether the whole file is valid UTF-8 is :func:`_scan`'s to say.
    """
    if options.encoding not in (None, "utf-8", "utf8", "ascii"):
        return False
    stripped = head.replace(b"\r\n", b"")
    return b"\r" not in stripped and not head.startswith((b"\n", b"\r"))


@dataclass(frozen=True, slots=True)
class _FileScan:
    #: A line is empty (outside quotes or not: either way, read the file whole).
    blank_line: bool
    valid_utf8: bool
    #: A valid multi-byte UTF-8 sequence appears (looked for only when some bytes are invalid).
    multibyte: bool


def _scan(path: Path) -> _FileScan:
    """One pass over the file: blank lines, UTF-8 validity, and multi-byte UTF-8 sequences."""
    previous = b"\n"
    decoder = codecs.getincrementaldecoder("utf-8")()
    valid, multibyte = True, False
    with path.open("rb") as file:
        while block := file.read(_BLOCK):
            joined = previous[-1:] + block.replace(b"\r", b"")
            if b"\n\n" in joined:
                return _FileScan(blank_line=True, valid_utf8=False, multibyte=False)
            previous = joined
            if valid:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    valid = False
                else:
                    multibyte = multibyte or not block.isascii()
            if not valid and not multibyte:
                multibyte = has_multibyte_utf8(block)
    return _FileScan(blank_line=False, valid_utf8=valid, multibyte=multibyte)
