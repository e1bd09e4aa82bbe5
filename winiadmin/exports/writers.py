"""One writer per format: a file on disk written chunk by chunk, never held whole.

Each writer takes the frames of :mod:`winiadmin.exports.cells` as they come and appends them:
CSV and NDJSON as polars writes them, JSON as one array (the chunks' records joined), XLSX
through the one XLSX writer of :mod:`winiadmin.spreadsheets` in constant-memory mode, Parquet as
one file per chunk merged by polars' streaming engine at the end. CSV text cells go through the
one formula guard (:func:`winiadmin.spreadsheets.neutralise_column`); XLSX is written directly,
its XML built a chunk at a time by polars (:mod:`winiadmin.exports.xlsx`), text cells typed
strings, never formulas.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

import polars as pl
from django.utils.translation import gettext as _

from winiadmin.exceptions import WiniadminError
from winiadmin.exports.cells import cell_schema
from winiadmin.exports.xlsx import MAX_ROWS, SheetWriter, too_many_rows
from winiadmin.spreadsheets import neutralise_column

if TYPE_CHECKING:
    from collections.abc import Sequence

    from winiadmin.exports.columns import ExportColumn

FORMATS = ("csv", "xlsx", "json", "ndjson", "parquet")
#: Decimals with more digits lose precision as a spreadsheet number: written as text.
_SPREADSHEET_DIGITS = 15


class ExportWriter(Protocol):
    def write(self, frame: pl.DataFrame) -> None: ...
    def close(self) -> None: ...


class CsvWriter:
    def __init__(self, path: Path, columns: Sequence[ExportColumn]) -> None:
        self._file: BinaryIO = path.open("wb")
        self._columns = columns
        self._header = True

    def write(self, frame: pl.DataFrame) -> None:
        guarded = frame.with_columns(
            neutralise_column(frame.get_column(name))
            for name, dtype in frame.schema.items()
            if dtype == pl.String
        )
        guarded.write_csv(self._file, include_header=self._header)
        self._header = False

    def close(self) -> None:
        if self._header:
            pl.DataFrame(schema=[c.header for c in self._columns]).write_csv(self._file)
        self._file.close()


class NdjsonWriter:
    def __init__(self, path: Path, columns: Sequence[ExportColumn]) -> None:
        del columns
        self._file: BinaryIO = path.open("wb")

    def write(self, frame: pl.DataFrame) -> None:
        frame.write_ndjson(self._file)

    def close(self) -> None:
        self._file.close()


class JsonWriter:
    """A JSON array of records: each chunk's NDJSON lines, joined by commas."""

    def __init__(self, path: Path, columns: Sequence[ExportColumn]) -> None:
        del columns
        self._file: BinaryIO = path.open("wb")
        self._file.write(b"[")
        self._first = True

    def write(self, frame: pl.DataFrame) -> None:
        if frame.is_empty():
            return
        lines = frame.write_ndjson().rstrip("\n").replace("\n", ",\n")
        self._file.write((lines if self._first else ",\n" + lines).encode())
        self._first = False

    def close(self) -> None:
        self._file.write(b"]\n")
        self._file.close()


class XlsxWriter:
    def __init__(self, path: Path, columns: Sequence[ExportColumn]) -> None:
        self._rows = SheetWriter(path, "Data", [c.header for c in columns])
        # Decimals a spreadsheet number holds exactly are numbers there; the rest stay text.
        self._numbers = [
            c.header for c in columns if c.kind == "decimal" and c.digits <= _SPREADSHEET_DIGITS
        ]

    def write(self, frame: pl.DataFrame) -> None:
        self._rows.write(frame.with_columns(pl.col(self._numbers).cast(pl.Float64)))

    def close(self) -> None:
        self._rows.close()


class ParquetWriter:
    """Each chunk a Parquet file in a scratch folder; at the end, polars' streaming engine
    merges them into one file (row groups as they come, never the whole table in memory)."""

    def __init__(self, path: Path, columns: Sequence[ExportColumn]) -> None:
        self._path = path
        self._columns = columns
        self._scratch = Path(tempfile.mkdtemp(prefix="winiadmin-export-"))
        self._parts: list[Path] = []

    def write(self, frame: pl.DataFrame) -> None:
        part = self._scratch / f"{len(self._parts):08d}.parquet"
        frame.write_parquet(part)
        self._parts.append(part)

    def close(self) -> None:
        try:
            if self._parts:
                pl.scan_parquet(self._parts).sink_parquet(self._path)
            else:
                pl.DataFrame(schema=cell_schema(self._columns)).write_parquet(self._path)
        finally:
            shutil.rmtree(self._scratch, ignore_errors=True)


_WRITERS: dict[str, type[CsvWriter | NdjsonWriter | JsonWriter | XlsxWriter | ParquetWriter]] = {
    "csv": CsvWriter,
    "xlsx": XlsxWriter,
    "json": JsonWriter,
    "ndjson": NdjsonWriter,
    "parquet": ParquetWriter,
}


def open_writer(fmt: str, path: Path, columns: Sequence[ExportColumn]) -> ExportWriter:
    """The writer of ``fmt`` (one of :data:`FORMATS`) over a new file at ``path``."""
    writer = _WRITERS.get(fmt)
    if writer is None:
        msg = _("Cannot export to %(format)r (formats: %(formats)s).") % {
            "format": fmt,
            "formats": ", ".join(FORMATS),
        }
        raise WiniadminError(msg)
    return writer(path, columns)


def check_rows(fmt: str, rows: int) -> None:
    """Refuse, before any work, ``rows`` the format cannot hold (XLSX: one sheet's rows)."""
    if fmt == "xlsx" and rows + 1 > MAX_ROWS:
        raise WiniadminError(too_many_rows(rows))


def format_of(path: Path) -> str:
    """The format a file name asks for, by its extension."""
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in _WRITERS:
        msg = _("Cannot tell the format of %(name)r: name it .%(formats)s.") % {
            "name": path.name,
            "formats": ", .".join(FORMATS),
        }
        raise WiniadminError(msg)
    return fmt
