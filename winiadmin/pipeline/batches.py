"""Where a run's rows come from: a source of batches, one for a file read whole, many for a big one.

:mod:`winiadmin.pipeline.run` cleans, transforms and loads every batch the same way, in one
transaction; this module only says how the batches are read.

- :func:`whole_file`: one batch, the whole file (or frame) read at once.
- :func:`streamed_file`: a large CSV/TSV of a frame-native importer, ``STREAM_BATCH_ROWS`` rows
  at a time (:mod:`winiadmin.readers.batched`), so memory depends on the batch, not on the file.
  Batches may be kept from cutting a group of rows (:mod:`.stream_groups`); the run checks each
  batch's unique keys against the earlier ones (:class:`~.frame_conflicts.KeyHistory`, a Bloom
  filter: :mod:`.key_filter`), and natural keys resolve to parents an earlier batch created,
  since its rows are in the database (uncommitted) when a later batch runs.

What only the whole file can give is given up when streaming: the result keeps the first batch's
cleaned rows (for the preview), not all of them, and the cleaning class runs per batch (its
duplicate removal sees one batch; repeats across batches are caught by the key check above).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import polars as pl
from django.utils.translation import gettext as _

from winiadmin.cleaning.stage import default_row_numbers
from winiadmin.exceptions import FileReadError, WiniadminError
from winiadmin.pipeline.read_ahead import read_ahead
from winiadmin.pipeline.sheets import SheetTables
from winiadmin.pipeline.stream_groups import grouped_batches
from winiadmin.progress import Progress
from winiadmin.readers import RawTable, ReadOptions, Source, read_table
from winiadmin.readers.batched import read_batches
from winiadmin.readers.encoding import encoding_label
from winiadmin.results import Stage

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from winiadmin.progress import ProgressCallback
    from winiadmin.readers.batched import BatchPlan

logger = logging.getLogger("winiadmin")

#: Where the rows come from: a file (path, bytes, binary file), a frame already read, or a
#: callable returning one (so that reading is timed and its errors reported like any other).
ReadSource = Source | pl.DataFrame | RawTable | Callable[[], pl.DataFrame | RawTable]

#: The file header that feeds a column (matched as cleaning matches it) among the file's
#: headers; ``None`` when none does (cleaning reports it).
HeaderOf = Callable[[tuple[str, ...]], str | None]


@dataclass(frozen=True, slots=True)
class BatchSource[T: (RawTable, SheetTables)]:
    """The batches of one file, read as the run asks for them (reading each is timed there)."""

    #: A table per batch (a workbook of several sheets, ``sheets``: one batch of tables).
    tables: Iterator[T]
    #: More than one batch may come: the file's total is not known before its end, so stages
    #: report rows done so far (no total), and a batch's unique keys are checked against the
    #: earlier batches'. A file read whole reports each stage's start with its rows instead.
    streamed: bool = False
    #: How the file was read beyond what its tables say (``ImportResult.source_info``).
    info: Mapping[str, str] = field(default_factory=dict)


def whole_file(
    source: ReadSource,
    options: ReadOptions,
    *,
    file_name: str | None,
    importer: str,
    progress: ProgressCallback,
) -> BatchSource[RawTable]:
    """One batch: the whole of ``source``, read when the run asks for it (``FileReadError`` when
    it cannot be read; ``importer``: the name its own reading code's failures are logged with).
    """

    def tables() -> Iterator[RawTable]:
        progress(Progress(Stage.READ, 0, None))
        yield _read_whole(source, options, file_name, importer)

    return BatchSource(tables())


def streamed_file(
    plan: BatchPlan,
    batch_rows: int,
    progress: ProgressCallback,
    *,
    group_header: HeaderOf | None = None,
) -> BatchSource[RawTable]:
    """``batch_rows`` rows at a time; ``group_header``: the header of ``stream_group_by``, whose
    runs of equal values stay in one batch (``None``: cut anywhere)."""
    return BatchSource(
        _counted(_batches(plan, batch_rows, group_header), progress),
        streamed=True,
        info={"streamed": str(batch_rows)},
    )


def _batches(
    plan: BatchPlan,
    batch_rows: int,
    group_header: HeaderOf | None,
) -> Iterator[RawTable]:
    batches = read_ahead(read_batches(plan, batch_rows))
    if group_header is None:
        return batches
    # Every batch has the file's header: match it to the group column once.
    header = cache(group_header)
    return grouped_batches(batches, lambda table: header(tuple(table.frame.columns)))


def _counted(tables: Iterator[RawTable], progress: ProgressCallback) -> Iterator[RawTable]:
    """Each batch once read, after telling ``progress`` the rows read so far."""
    read = 0
    for table in tables:
        read += table.frame.height
        progress(Progress(Stage.READ, read, None, "rows"))
        yield table


def _read_whole(
    source: ReadSource, options: ReadOptions, file_name: str | None, importer: str
) -> RawTable:
    if callable(source) and not isinstance(source, pl.DataFrame | RawTable):
        source = _call_reader(source, importer)
    if isinstance(source, RawTable):
        return source
    if isinstance(source, pl.DataFrame):
        return RawTable(source, default_row_numbers(source.height), format="dataframe")
    return read_table(source, options, name=file_name)


def _call_reader(
    read: Callable[[], pl.DataFrame | RawTable], importer: str
) -> pl.DataFrame | RawTable:
    """An importer's own reading code (``handle_import``): its failures are read errors."""
    try:
        return read()
    except FileReadError as exc:
        cause = exc.__cause__
        if isinstance(cause, OSError) and cause.filename:
            msg = _("The data could not be read: %(error)s: %(file)s") % {
                "error": cause.strerror or cause,
                "file": cause.filename,
            }
            raise FileReadError(msg) from cause
        raise
    except WiniadminError:
        raise
    except Exception as exc:
        logger.exception("The data could not be read (%s)", importer)
        if isinstance(exc, OSError) and exc.filename:
            msg = _("The data could not be read: %(error)s: %(file)s") % {
                "error": exc.strerror or exc,
                "file": exc.filename,
            }
        else:
            msg = _("The data could not be read: %(error)s: %(file)s") % {
                "error": type(exc).__name__,
                "file": exc,
            }
        raise FileReadError(msg) from exc


def describe_source(table: RawTable, options: ReadOptions) -> dict[str, str]:
    """How the file was read, in words: ``{"encoding": "Windows-1252 (no UTF-8 found)", …}``."""
    info = {"format": table.format}
    if table.encoding:
        info["encoding"] = encoding_label(table.encoding, chosen=options.encoding is not None)
    for key in ("delimiter", "sheet"):
        value = getattr(table, key, None)
        if value:
            info[key] = repr(value) if key == "delimiter" else str(value)
    if table.header_row is not None:
        how = "detected" if table.header_detected else "chosen"
        info["header row"] = f"{table.header_row} ({how})"
    return info
