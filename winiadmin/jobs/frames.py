"""The cleaned frame of a job, kept as Parquet in the upload storage, read back page by page."""

import io
from collections.abc import Iterator

import polars as pl
from django.core.files.base import ContentFile

from winiadmin.storage import preview_name, upload_storage

ROW = "row"
#: Rows per Parquet row group: a page reads the one or two groups it falls in, not the file.
ROW_GROUP_SIZE = 10_000


def cleaned_frame(frame: pl.DataFrame, rows: pl.Series) -> pl.DataFrame:
    """``frame`` as it is stored: its file row numbers first (``ROW``), then its columns."""
    return frame.with_columns(rows.alias(ROW)).select(ROW, *frame.columns)


def store_cleaned_frame(
    job_id: object, frame: pl.DataFrame, rows: pl.Series, *, attempt: object = None
) -> str:
    """Write ``frame`` with its file row numbers; returns the storage name."""
    storage = upload_storage()
    name = preview_name(job_id, attempt)
    if storage.exists(name):
        storage.delete(name)
    buffer = io.BytesIO()
    cleaned_frame(frame, rows).write_parquet(buffer, row_group_size=ROW_GROUP_SIZE)
    try:
        return storage.save(name, ContentFile(buffer.getvalue()))
    except OSError:  # disk full, say: no half-written preview is left to be read
        if storage.exists(name):
            storage.delete(name)
        raise


def read_page(name: str, offset: int, limit: int) -> pl.DataFrame:
    """Rows ``offset`` to ``offset + limit`` of a stored frame (first column: file row)."""
    storage = upload_storage()
    try:
        path = storage.path(name)
    except NotImplementedError:  # a remote storage: read the bytes
        with storage.open(name, "rb") as handle:
            return pl.read_parquet(handle.read()).slice(offset, limit)
    return pl.scan_parquet(path).slice(offset, limit).collect()


def stored_batches(name: str, rows: int | None) -> Iterator[tuple[pl.DataFrame, pl.Series]]:
    """The stored frame ``rows`` rows at a time (``None``: at once): (its columns, its file row
    numbers)."""
    scan = _scan(name)
    total = count_rows(name)
    step = rows or max(total, 1)
    # No row (a file of a header only): one empty batch, as a file read whole gives, so that
    # the run still loads (nothing) in its transaction and decides as it does for any file.
    for offset in range(0, max(total, 1), step):
        part = scan.slice(offset, step).collect()
        yield part.drop(ROW), part.get_column(ROW)


def count_rows(name: str) -> int:
    """The number of rows, from the file's metadata (no row is read)."""
    storage = upload_storage()
    try:
        path = storage.path(name)
    except NotImplementedError:
        with storage.open(name, "rb") as handle:
            return pl.read_parquet(handle.read()).height
    return int(pl.scan_parquet(path).select(pl.len()).collect().item())


def _scan(name: str) -> pl.LazyFrame:
    storage = upload_storage()
    try:
        return pl.scan_parquet(storage.path(name))
    except NotImplementedError:  # a remote storage: read the bytes
        with storage.open(name, "rb") as handle:
            return pl.read_parquet(handle.read()).lazy()


def rows_among(name: str, rows: list[int]) -> pl.DataFrame:
    """The stored rows whose file row number is one of ``rows`` (first column: file row)."""
    return _scan(name).filter(pl.col(ROW).is_in(rows)).collect()


def stored_row_numbers(name: str, rows: list[int]) -> list[int]:
    """Which of ``rows`` the stored frame holds (only its row column is read)."""
    found = _scan(name).select(ROW).filter(pl.col(ROW).is_in(rows)).collect()
    return [int(n) for n in found.get_column(ROW).to_list()]
