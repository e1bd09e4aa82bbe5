"""A queryset exported: rows read in chunks, each written as it comes.

Memory stays flat with the number of rows: ``QuerySet.iterator(chunk_size=…)`` reads through a
server-side cursor on PostgreSQL (and fetches in chunks elsewhere), each chunk becomes one
polars frame of cells and goes straight to the format's writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import batched
from typing import TYPE_CHECKING

import polars as pl

from winiadmin.exports.cells import cells_frame
from winiadmin.exports.database_csv import database_csv
from winiadmin.exports.links import with_links
from winiadmin.exports.writers import check_rows, open_writer
from winiadmin.progress import Progress, ignore_progress
from winiadmin.results import Stage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from django.db.models import Model, QuerySet

    from winiadmin.exports.columns import ExportColumns
    from winiadmin.exports.database_csv import DatabaseCsv
    from winiadmin.progress import ProgressCallback

CHUNK_SIZE = 20_000


class ExportCancelled(Exception):
    """The export was cancelled between two chunks; its file is incomplete."""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    fmt: str
    chunk_size: int = CHUNK_SIZE
    #: Called with the rows written so far (a ``Progress`` of stage "read": reading the rows).
    progress: ProgressCallback = ignore_progress
    #: Asked between chunks; ``True`` stops the export (:class:`ExportCancelled`).
    cancelled: Callable[[], bool] | None = None


def export_queryset(
    queryset: QuerySet[Model], columns: ExportColumns, path: Path, options: ExportOptions
) -> int:
    """Write ``queryset``'s rows as ``columns`` to ``path``; the number of rows written."""
    total = queryset.count()
    check_rows(options.fmt, total)
    label = columns.model._meta.label
    options.progress(Progress(Stage.READ, 0, total, label))
    if options.fmt == "csv":
        by_database = database_csv(queryset, columns.columns)
        if by_database is not None:
            return _database_csv(by_database, columns, path, options, total)
    if options.fmt == "xlsx":
        by_database = database_csv(queryset, columns.columns, frames=True)
        if by_database is not None:
            return _write_frames(
                by_database.frames(options.chunk_size), columns, path, options, total
            )
    return _orm_rows(queryset, columns, path, options, total)


def _database_csv(
    by_database: DatabaseCsv,
    columns: ExportColumns,
    path: Path,
    options: ExportOptions,
    total: int,
) -> int:
    """CSV written by the database (:mod:`winiadmin.exports.database_csv`): the same file."""
    label = columns.model._meta.label

    def every_chunk(done: int) -> None:
        if options.cancelled is not None and options.cancelled():
            raise ExportCancelled
        options.progress(Progress(Stage.READ, done, max(total, done), label))

    if options.cancelled is not None and options.cancelled():
        raise ExportCancelled
    with path.open("wb") as out:
        pl.DataFrame(schema=columns.headers).write_csv(out)
        done = by_database.write(out, options.chunk_size, every_chunk)
    options.progress(Progress(Stage.READ, done, max(total, done), label))
    return done


def _orm_rows(
    queryset: QuerySet[Model],
    columns: ExportColumns,
    path: Path,
    options: ExportOptions,
    total: int,
) -> int:
    """The rows through the ORM (``values_list``), a chunk at a time, as cells."""
    many = [c for c in columns.columns if c.separator]
    paths = [c.path for c in columns.columns if not c.separator] + (["pk"] if many else [])
    rows = queryset.values_list(*paths).iterator(chunk_size=options.chunk_size)
    frames = (
        cells_frame(with_links(chunk, columns) if many else chunk, columns.columns)
        for chunk in batched(rows, options.chunk_size)
    )
    return _write_frames(frames, columns, path, options, total)


def _write_frames(
    frames: Iterator[pl.DataFrame],
    columns: ExportColumns,
    path: Path,
    options: ExportOptions,
    total: int,
) -> int:
    """Each chunk's frame of cells to the format's writer (XLSX's cells from the database, as
    its CSV's; else the ORM's rows, ``values_list``)."""
    label = columns.model._meta.label
    writer = open_writer(options.fmt, path, columns.columns)
    done = 0
    try:
        for frame in frames:
            if options.cancelled is not None and options.cancelled():
                raise ExportCancelled
            writer.write(frame)
            done += frame.height
            options.progress(Progress(Stage.READ, done, max(total, done), label))
    finally:
        writer.close()
    return done
