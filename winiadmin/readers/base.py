"""The types every reader shares: what the caller asks for, and what a reader returns."""

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from winiadmin.problems import Problem
from winiadmin.readers.limits import ReadLimits


@dataclass(frozen=True, slots=True)
class ReadOptions:
    #: Text encoding; ``None`` detects it (see :func:`winiadmin.readers.detect_encoding`).
    encoding: str | None = None
    #: CSV/TSV field separator; ``None`` sniffs it from the first lines.
    delimiter: str | None = None
    #: Excel sheet name, or its 0-based index; ``None`` reads the first sheet.
    sheet: str | int | None = None
    #: CSV/TSV and workbooks: the row holding the column names, numbered as the spreadsheet
    #: shows it (1 = the first row); ``None`` detects it, skipping title rows above the table.
    header_row: int | None = None
    #: Force a reader ("csv", "tsv", "excel", "json", "ndjson", "parquet"); ``None`` detects it.
    format: str | None = None
    #: How much of the start of the file the sniffers look at.
    sniff_bytes: int = 64 * 1024
    #: Size limits; ``None`` takes them from the ``WINIADMIN`` settings.
    limits: ReadLimits | None = None

    def get_limits(self) -> ReadLimits:
        return self.limits or ReadLimits.from_settings()


@dataclass(frozen=True, slots=True)
class RawTable:
    #: The table. Every column is ``pl.String`` holding the text as typed, except for Parquet
    #: (machine-written, so its native dtypes are kept).
    frame: pl.DataFrame
    #: Int64, one per frame row: the row number a person sees in the file (header = 1).
    row_numbers: pl.Series
    #: "csv" | "tsv" | "excel" | "json" | "ndjson" | "parquet" (or a caller's own reader).
    format: str
    #: Text formats: the encoding used.
    encoding: str | None = None
    delimiter: str | None = None
    #: Excel: the sheet read, and the names of all sheets in the workbook.
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    #: CSV/TSV and workbooks: the file row the column names were read from, and whether it was
    #: detected (``False``: ``ReadOptions.header_row`` chose it).
    header_row: int | None = None
    header_detected: bool = False
    #: Rows the reader found wrong but could still place (too few or too many values, bytes that
    #: are not UTF-8, NUL characters): errors naming their row, which the clean stage leaves out
    #: (and blocks on, unless invalid rows are skipped), like any other bad value.
    problems: tuple[Problem, ...] = ()
    #: The header cells as typed (NFC), one per frame column ("" when blank); the frame's own
    #: names are made unique (``name``, ``name_2``). Empty: the frame's names are the headers.
    headers: tuple[str, ...] = ()
    #: The column letters or numbers a person sees (``A``, ``B``…), one per frame column; empty:
    #: counted from A.
    positions: tuple[int, ...] = ()


#: A reader turns the whole file's bytes into a table; it raises ``FileReadError`` when it can't.
Reader = Callable[[bytes, ReadOptions], RawTable]
