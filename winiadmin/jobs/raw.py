"""The table as read from a job's upload, before any edit, kept as Parquet by each check.

An edited row is checked again from it (one row read, the row groups around it only), and a
replace is counted over one of its columns, without reading the upload again.
"""

import io

import polars as pl
from django.core.files.base import ContentFile

from winiadmin.readers import RawTable
from winiadmin.storage import raw_name, upload_storage

#: The file row number of each row, beside the file's own columns (a name no header has).
EDIT_ROW = "__winiadmin_row"
#: Rows per row group: one row is read from the group it falls in, not from the whole file.
ROW_GROUP_SIZE = RAW_ROW_GROUP_SIZE = 10_000


def raw_frame(table: RawTable) -> pl.DataFrame:
    """``table`` as it is kept: its columns and its file row numbers (``EDIT_ROW``)."""
    return table.frame.with_columns(table.row_numbers.alias(EDIT_ROW))


def store_raw(job_id: object, table: RawTable) -> None:
    """Keep ``table`` (as read, with its row numbers) for the job's edits, in one piece (a job's
    run keeps it batch by batch: ``raw_frame`` and :mod:`winiadmin.jobs.parquet_parts`)."""
    storage = upload_storage()
    name = raw_name(job_id)
    buffer = io.BytesIO()
    frame = raw_frame(table)
    frame.write_parquet(buffer, row_group_size=ROW_GROUP_SIZE, statistics=True)
    if storage.exists(name):
        storage.delete(name)
    try:
        storage.save(name, ContentFile(buffer.getvalue()))
    except OSError:  # no half-written file is left to be read
        if storage.exists(name):
            storage.delete(name)
        raise


def raw_exists(job_id: object) -> bool:
    return bool(upload_storage().exists(raw_name(job_id)))


def _scan(job_id: object) -> pl.LazyFrame:
    storage = upload_storage()
    name = raw_name(job_id)
    try:
        return pl.scan_parquet(storage.path(name))
    except NotImplementedError:  # a remote storage: read the bytes
        with storage.open(name, "rb") as handle:
            return pl.read_parquet(handle.read()).lazy()


def raw_row(job_id: object, row: int, file_format: str) -> RawTable:
    """File row ``row`` as a table of its own (no row: an empty table)."""
    frame = _scan(job_id).filter(pl.col(EDIT_ROW) == row).collect()
    return RawTable(frame.drop(EDIT_ROW), frame.get_column(EDIT_ROW), format=file_format)


def raw_column(job_id: object, column: str) -> pl.DataFrame:
    """One column of the table as read, with the row numbers (columns: ``EDIT_ROW``, column)."""
    return _scan(job_id).select(EDIT_ROW, column).collect()


def raw_columns(job_id: object) -> list[str]:
    """The file's columns (as the reader named them)."""
    return [c for c in _scan(job_id).collect_schema().names() if c != EDIT_ROW]


def has_row(job_id: object, row: int) -> bool:
    """Whether the table as read has file row ``row``."""
    found = _scan(job_id).select(EDIT_ROW).filter(pl.col(EDIT_ROW) == row).head(1).collect()
    return not found.is_empty()
