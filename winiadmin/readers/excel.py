"""Excel and OpenDocument workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) through fastexcel (calamine).

Every cell comes out as the text a person would type: ``12`` (not ``12.0``), ``12.5``,
``2024-01-31``, ``2024-01-31 13:45:00``, ``13:45:00`` (a time alone), ``true``/``false``.

Row numbers are the worksheet's: blank rows above the header and between data rows are counted
but give no table row. Limitations: calamine does not say whether a date cell shows a time, so
a datetime at exactly midnight is written as a date, and a *text* cell holding exactly
``2024-01-31 00:00:00`` also becomes ``2024-01-31``. Error cells (``#DIV/0!``) are empty.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import fastexcel
import polars as pl
from django.utils.translation import gettext as _

from winiadmin.exceptions import FileReadError
from winiadmin.readers.base import RawTable, ReadOptions
from winiadmin.readers.grid import table_from_grid
from winiadmin.readers.limits import ReadLimits

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Office stores a password-protected .xlsx as an OLE container holding this stream; its
# directory entry names are UTF-16.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_NUMBER_SUFFIX = "\x00number"
# How fastexcel writes a number as text: no exponent, no leading or trailing zeros.
_FASTEXCEL_NUMBER = r"^-?(0|[1-9]\d*)(\.\d*[1-9])?$"
# Excel keeps a time alone as a time on day 0, 1899-12-31.
_TIME_ON_DAY_ZERO = r"^1899-12-31 (\d\d:\d\d:\d\d(\.\d+)?)$"
_MIDNIGHT = r"^(\d{4}-\d\d-\d\d) 00:00:00$"


def read_excel(data: bytes, options: ReadOptions) -> RawTable:
    if data.startswith(CFB_MAGIC) and _ENCRYPTED_STREAM in data:
        msg = _(
            "This workbook is encrypted (password protected); "
            "save it without a password and upload again."
        )
        raise FileReadError(msg)
    limits = options.get_limits()
    if data.startswith(ZIP_MAGIC):  # .xlsx, .ods: never unpack more than the limit allows
        limits.check_workbook(data)
    reader = _open(data)
    sheets = tuple(reader.sheet_names)
    sheet = pick_sheet(options.sheet, sheets)
    grid, positions = _load_grid(reader, sheet, limits)
    table = table_from_grid(grid, positions=positions, header_row=options.header_row)
    if table is None:
        msg = _("The sheet %(sheet)r is empty.") % {"sheet": sheet}
        raise FileReadError(msg)
    return RawTable(
        table.frame,
        table.row_numbers,
        "excel",
        sheet=sheet,
        sheets=sheets,
        header_row=table.header_row,
        header_detected=options.header_row is None,
        headers=table.headers,
        positions=tuple(positions),
    )


def pick_sheet(wanted: str | int | None, sheets: Sequence[str]) -> str:
    """The name of the sheet asked for by name or 0-based index (default: the first one)."""
    if not sheets:
        raise FileReadError(_("The workbook has no sheets."))
    listing = ", ".join(sheets)
    if wanted is None:
        return sheets[0]
    if isinstance(wanted, int):
        if 0 <= wanted < len(sheets):
            return sheets[wanted]
        msg = _(
            "Sheet %(sheet)s not found (sheets count from 0); the workbook has: %(sheets)s."
        ) % {"sheet": wanted, "sheets": listing}
        raise FileReadError(msg)
    if wanted in sheets:
        return wanted
    # Forgive case and stray spaces when only one sheet matches.
    near = [name for name in sheets if name.strip().casefold() == wanted.strip().casefold()]
    if len(near) == 1:
        return near[0]
    msg = _("Sheet %(sheet)r not found; the workbook has: %(sheets)s.") % {
        "sheet": wanted,
        "sheets": listing,
    }
    raise FileReadError(msg)


def _open(data: bytes) -> fastexcel.ExcelReader:
    msg = _(
        "This workbook could not be opened: it is damaged or not really an Excel file. "
        "Open it in Excel and save it again as .xlsx."
    )
    with _library_failures(msg):
        return fastexcel.read_excel(data)


@contextmanager
def _library_failures(message: str) -> Iterator[None]:
    """fastexcel's errors, and calamine's panics on malformed files, as ``FileReadError``.

    A Rust panic arrives as pyo3's ``PanicException``, a ``BaseException``: it would pass every
    ``except Exception`` up to a 500 page.
    """
    try:
        yield
    except fastexcel.FastExcelError as exc:
        raise FileReadError(message) from exc
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise FileReadError(message) from exc


def _load_grid(
    reader: fastexcel.ExcelReader, sheet: str, limits: ReadLimits
) -> tuple[pl.DataFrame, list[int]]:
    """All cells as text, one frame row per worksheet row from row 1, and column positions."""
    damaged = _("The sheet %(sheet)r could not be read: it may be damaged.") % {"sheet": sheet}
    with _library_failures(damaged):
        # The sheet's size, before any cell is converted.
        probe = reader.load_sheet(sheet, header_row=None, skip_rows=0, n_rows=1, dtypes="string")
        limits.check_columns(probe.width)
        limits.check_rows(probe.total_height - 1, probe.width)
        # header_row=None with skip_rows=0 keeps the blank rows above the data, so that frame
        # row i is worksheet row i + 1.
        as_text = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
        # fastexcel's text for a number is rounded (1/3 -> "0.333333333"); the float read of
        # the same cells gives the exact value back.
        as_number = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="float")
        positions = [column.absolute_index + 1 for column in as_text.selected_columns]
        text, numbers = as_text.to_polars(), as_number.to_polars()
    both = pl.concat([text, numbers.rename(lambda name: name + _NUMBER_SUFFIX)], how="horizontal")
    grid = both.select([_cell_text(name) for name in text.columns])
    return grid, positions


def _cell_text(name: str) -> pl.Expr:
    text, number = pl.col(name), pl.col(name + _NUMBER_SUFFIX)
    # fastexcel writes a number with at most 9 decimals: a different value when read back, or
    # binary noise in a long one (123456789.123 -> "123456789.122999996"). A text cell that
    # merely looks like a number ("007", "1.50", a 20-digit code) is not in that form: kept.
    significant = text.str.replace_all(r"[-.]", "").str.strip_chars_start("0").str.len_chars()
    noisy = text.str.contains(".", literal=True) & (significant > 15)
    rounded = (
        number.is_not_null()
        & text.str.contains(_FASTEXCEL_NUMBER)
        & ((text.cast(pl.Float64, strict=False) != number) | noisy)
    )
    dated = text.str.replace(_TIME_ON_DAY_ZERO, "${1}").str.replace(_MIDNIGHT, "${1}")
    # polars writes the shortest text that reads back as the same float.
    return pl.when(rounded).then(number.cast(pl.String)).otherwise(dated).alias(name)
