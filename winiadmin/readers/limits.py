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
from django.utils.translation import gettext as _

from winiadmin.conf import get_config
from winiadmin.exceptions import FileReadError

#: Members smaller than this when unpacked are never judged by their ratio (tiny XML files
#: compress extremely well and are harmless).
RATIO_FLOOR = 10 * 1024 * 1024


def check_file_size(size: int, limit: int) -> None:
    if size > limit:
        largest = filesizeformat(limit)
        msg = _("The file is %(size)s; the largest accepted is %(limit)s.") % {
            "size": filesizeformat(size),
            "limit": largest,
        }
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
            msg = _("The table has %(count)s columns; the most accepted is %(limit)s.") % {
                "count": count,
                "limit": self.columns,
            }
            raise FileReadError(msg)

    def check_rows(self, count: int, columns: int = 1) -> None:
        """``count``: rows under the header (or at least that many), ``columns`` wide."""
        if count > self.rows:
            msg = _("The table has more than %(limit)s rows; split it into smaller files.") % {
                "limit": self.rows
            }
            raise FileReadError(msg)
        if count * columns > self.cells:
            msg = _(
                "The table has %(count)s rows of %(columns)s columns, more than %(limit)s cells; "
                "split it into smaller files, or leave out the columns the import does not need."
            ) % {"count": count, "columns": columns, "limit": self.cells}
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
                msg = _(
                    "Row %(row)s, column %(column)r: the value is %(length)s characters long; "
                    "the longest accepted is %(limit)s."
                ) % {"row": row, "column": name, "length": length, "limit": self.cell_length}
                raise FileReadError(msg)

    def check_workbook(self, data: bytes) -> None:
        """A zipped workbook's unpacked size and compression, from its central directory."""
        try:
            members = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, ValueError):
            return  # damaged: the Excel reader says so
        total = sum(member.file_size for member in members)
        if total > self.decompressed_size:
            msg = _(
                "This workbook unpacks to %(size)s; the most accepted is %(limit)s. It may be a "
                "zip bomb, or simply too large: split it into smaller files."
            ) % {"size": filesizeformat(total), "limit": filesizeformat(self.decompressed_size)}
            raise FileReadError(msg)
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > RATIO_FLOOR and ratio > self.compression_ratio:
                msg = _(
                    "This workbook's part %(part)r is compressed %(ratio).0f times; "
                    "the most accepted is %(limit)s. It looks like a zip bomb."
                ) % {"part": member.filename, "ratio": ratio, "limit": self.compression_ratio}
                raise FileReadError(msg)
