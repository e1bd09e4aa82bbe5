"""Parquet files, read as they are: a machine wrote them, so their dtypes are kept.

Row numbers are 2, 3, … like every other format (row 1 being the column names).
"""

import io

import polars as pl
from django.utils.translation import gettext as _

from winiadmin.exceptions import FileReadError
from winiadmin.readers.base import RawTable, ReadOptions
from winiadmin.readers.grid import row_numbers, unique_names

PARQUET_MAGIC = b"PAR1"


def read_parquet(data: bytes, options: ReadOptions) -> RawTable:
    limits = options.get_limits()
    try:
        # Columns and rows from the file's metadata, before the data is decoded.
        columns = len(pl.read_parquet_schema(io.BytesIO(data)))
        limits.check_columns(columns)
        rows = pl.scan_parquet(io.BytesIO(data)).select(pl.len()).collect().item()
        limits.check_rows(rows, columns)
        frame = pl.read_parquet(io.BytesIO(data))
    except (pl.exceptions.PolarsError, OSError) as exc:
        msg = _("This Parquet file could not be read: it is damaged or incomplete.")
        raise FileReadError(msg) from exc
    # Only a blank name needs fixing: polars refuses duplicates when writing.
    frame.columns = unique_names(frame.columns)
    return RawTable(frame, row_numbers(2, frame.height), "parquet")
