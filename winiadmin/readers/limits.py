"""How big a file may be, and how much it may hold: checked before the expensive work.

The limits come from ``WINIADMIN`` (``MAX_UPLOAD_SIZE``, ``MAX_ROWS``, ``MAX_CELLS``,
``MAX_COLUMNS``, ``MAX_CELL_LENGTH``, ``MAX_DECOMPRESSED_SIZE``, ``MAX_COMPRESSION_RATIO``;
docs/settings.md) unless a caller passes its own in ``ReadOptions.limits``. They refuse what costs
memory or time, not a shape: a wide table (an ERP export of 1,000 columns) is fine as long as its
cells (rows x columns) stay within the budget. Where each is enforced:

- file size: before the file is read into memory (``load_source``);
- workbook unpacked size and compression ratio: from the zip's central directory, before
  calamine opens the workbook (a zip bomb never gets unpacked);
- columns: from the header line (CSV/TSV), the sheet's dimensions (Excel), the keys (JSON),
  the schema (Parquet), before the rows are parsed;
- rows, and cells (rows x columns): polars stops after one row too many for either (CSV/TSV),
  the sheet's dimensions (Excel), the record and key counts (JSON), the Parquet metadata;
- cell length: on the table as read, before cleaning.
"""

import io
import zipfile
from dataclasses import dataclass

import polars as pl
from django.template.defaultfilters import filesizeformat

from winiadmin.conf import get_config
from winiadmin.exceptions import FileReadError

#: Members smaller than this when unpacked are never judged by their ratio (tiny XML files
#: compress extremely well and are harmless).
RATIO_FLOOR = 10 * 1024 * 1024


def check_file_size(size: int, limit: int) -> None:
    if size > limit:
        largest = filesizeformat(limit)
        msg = f"The file is {filesizeformat(size)}; the largest accepted is {largest}."
        raise FileReadError(msg)


@dataclass(frozen=True, slots=True)
class ReadLimits:
    file_size: int
    rows: int
    columns: int
    cell_length: int
    decompressed_size: int
    compression_ratio: int
    #: Rows x columns: what a table costs in memory and time, whatever its shape.
    cells: int = 50_000_000

    @classmethod
    def from_settings(cls) -> "ReadLimits":
        config = get_config()
        return cls(
            file_size=config.MAX_UPLOAD_SIZE,
            rows=config.MAX_ROWS,
            columns=config.MAX_COLUMNS,
            cell_length=config.MAX_CELL_LENGTH,
            decompressed_size=config.MAX_DECOMPRESSED_SIZE,
            compression_ratio=config.MAX_COMPRESSION_RATIO,
            cells=config.MAX_CELLS,
        )

    def check_columns(self, count: int) -> None:
        if count > self.columns:
            msg = f"The table has {count} columns; the most accepted is {self.columns}."
            raise FileReadError(msg)

    def check_rows(self, count: int, columns: int = 1) -> None:
        """``count``: rows under the header (or at least that many), ``columns`` wide."""
        if count > self.rows:
            msg = f"The table has more than {self.rows} rows; split it into smaller files."
            raise FileReadError(msg)
        if count * columns > self.cells:
            msg = (
                f"The table has {count} rows of {columns} columns, more than {self.cells} cells; "
                "split it into smaller files, or leave out the columns the import does not need."
            )
            raise FileReadError(msg)

    def records(self, columns: int) -> int:
        """The most rows a table ``columns`` wide may have (the row and the cell limits)."""
        return min(self.rows, self.cells // max(columns, 1))

    def check_cells(self, frame: pl.DataFrame, row_numbers: pl.Series) -> None:
        """Raise for the first cell (in column order) longer than the limit."""
        text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
        if not text:
            return
        longest = frame.select(pl.col(text).str.len_chars().max()).row(0)
        for name, length in zip(text, longest, strict=True):
            if length is not None and length > self.cell_length:
                index = frame.get_column(name).str.len_chars().arg_max()
                row = row_numbers[index] if index is not None else "?"
                msg = (
                    f"Row {row}, column {name!r}: the value is {length} characters long; "
                    f"the longest accepted is {self.cell_length}."
                )
                raise FileReadError(msg)

    def check_workbook(self, data: bytes) -> None:
        """A zipped workbook's unpacked size and compression, from its central directory."""
        try:
            members = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, ValueError):
            return  # damaged: the Excel reader says so
        total = sum(member.file_size for member in members)
        if total > self.decompressed_size:
            msg = (
                f"This workbook unpacks to {filesizeformat(total)}; the most accepted is "
                f"{filesizeformat(self.decompressed_size)}. It may be a zip bomb, or simply too "
                "large: split it into smaller files."
            )
            raise FileReadError(msg)
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > RATIO_FLOOR and ratio > self.compression_ratio:
                msg = (
                    f"This workbook's part {member.filename!r} is compressed {ratio:.0f} times; "
                    f"the most accepted is {self.compression_ratio}. It looks like a zip bomb."
                )
                raise FileReadError(msg)
