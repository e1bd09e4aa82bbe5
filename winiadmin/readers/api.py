"""``read_table``: a supported file to a :class:`RawTable`, via the reader its format needs."""

import csv
from dataclasses import replace

import fastexcel
import polars as pl
from django.utils.translation import gettext as _

from winiadmin.exceptions import FileReadError
from winiadmin.readers.base import RawTable, Reader, ReadOptions
from winiadmin.readers.cells import check_cells
from winiadmin.readers.delimited import read_csv, read_tsv
from winiadmin.readers.detect import detect_format
from winiadmin.readers.excel import read_excel
from winiadmin.readers.grid import nfc_table
from winiadmin.readers.jsonfile import read_json, read_ndjson
from winiadmin.readers.parquet import read_parquet
from winiadmin.readers.source import Source, load_source

#: Format name -> reader. Projects may add their own and choose it with ``ReadOptions.format``.
READERS: dict[str, Reader] = {
    "csv": read_csv,
    "tsv": read_tsv,
    "excel": read_excel,
    "json": read_json,
    "ndjson": read_ndjson,
    "parquet": read_parquet,
}

# What the readers' libraries raise on bad input; anything else is a bug and stays loud.
_LIBRARY_ERRORS = (
    pl.exceptions.PolarsError,
    pl.exceptions.PanicException,
    fastexcel.FastExcelError,
    UnicodeError,
    ValueError,
    csv.Error,
)


def read_table(
    source: Source, options: ReadOptions | None = None, *, name: str | None = None
) -> RawTable:
    """Read a table file; ``name`` is the original file name when ``source`` has none.

    Raises ``FileReadError`` with a message fit for the person who uploaded the file.
    """
    options = options or ReadOptions()
    limits = options.get_limits()
    options = replace(options, limits=limits)  # the readers see the same limits
    data, source_name = load_source(source, limits.file_size)
    if not data or data.isspace():
        raise FileReadError(_("The file is empty."))
    fmt = options.format or detect_format(data, name or source_name)
    reader = READERS.get(fmt)
    if reader is None:
        msg = _("Unknown file format %(format)r; the formats that can be read: %(formats)s.") % {
            "format": fmt,
            "formats": ", ".join(READERS),
        }
        raise FileReadError(msg)
    try:
        table = reader(data, options)
    except FileReadError:
        raise
    except _LIBRARY_ERRORS as exc:
        # A case the reader did not foresee: still a plain message, the details in __cause__.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        msg = _("This file could not be read as %(format)s: %(reason)s") % {
            "format": fmt,
            "reason": reason,
        }
        raise FileReadError(msg) from exc
    # The readers check rows and columns early; these hold for any reader, a project's too.
    limits.check_columns(table.frame.width)
    limits.check_rows(table.frame.height, table.frame.width)
    limits.check_cells(table.frame, table.row_numbers)
    return check_cells(nfc_table(table))
