"""An export's XLSX written directly, a chunk of rows at a time, its XML built by polars.

An ``.xlsx`` is a zip of small XML parts and the sheet's XML. The small parts are constants; the
sheet is streamed into its zip entry (deflated at a low level) as each chunk comes: every cell of
a chunk becomes its ``<c>`` element through polars string expressions, a column at a time, and
the chunk's ``<row>`` elements are joined into one string. The cells are those xlsxwriter wrote
before (and :func:`winiadmin.spreadsheets.xlsx_bytes` still writes): text as inline strings
(typed strings, never a formula), numbers and booleans typed, empty cells omitted, a bold header
row frozen in place. Text is escaped as xlsxwriter escapes it: ``& < >`` as entities, the
control characters XML 1.0 forbids as ``_xHHHH_`` (and a literal ``_xHHHH_`` as
``_x005F_xHHHH_``), which every reader decodes back.

Limits are refusals that name the cell, never silent truncation: a sheet holds 1,048,576 rows
(the header and 1,048,575 data rows), a cell 32,767 characters (UTF-16 units); a number must be
finite.
"""

from __future__ import annotations

import zipfile
from typing import IO, TYPE_CHECKING

import polars as pl
from django.utils.translation import gettext as _

from winiadmin.exceptions import WiniadminError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

#: Rows a sheet holds, the header's included.
MAX_ROWS = 1_048_576
#: Characters (UTF-16 units) a cell holds.
MAX_CELL_CHARS = 32_767
#: zlib's level for the sheet: 1 is several times faster than the default 6 for a file a few
#: percent larger.
COMPRESSLEVEL = 1
#: Rows whose XML is built at once.
_SLICE = 5_000

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _XML + f'<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    _XML + f'<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_OFFICE_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_OFFICE_RELS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Two cell formats: 0 the default, 1 bold (the header).
_STYLES = (
    _XML + f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_END = "</sheetData></worksheet>"

# Characters XML 1.0 forbids (tab and newline are allowed), and the two non-characters.
_CONTROL = [chr(c) for c in (*range(0x09), *range(0x0B, 0x20))] + ["\ufffe", "\uffff"]
_NEEDS_ESCAPE = r"[\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]|_x[0-9a-fA-F]{4}_"
_ASTRAL = r"[\x{10000}-\x{10FFFF}]"


def column_letter(index: int) -> str:
    """``A`` for 0, ``Z`` for 25, ``AA`` for 26."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def escape_text(column: pl.Series) -> pl.Series:
    """Text as XML character data, as xlsxwriter writes it (see the module's docstring)."""
    if column.str.contains(_NEEDS_ESCAPE).any():
        column = column.str.replace_all(r"(_x[0-9a-fA-F]{4}_)", "_x005F$1")
        for char in _CONTROL:
            column = column.str.replace_all(char, f"_x{ord(char):04X}_", literal=True)
    if column.str.contains(r"[&<>]").any():
        column = (
            column.str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True)
        )
    return column


def _escape_one(text: str) -> str:
    escaped = escape_text(pl.Series([text], dtype=pl.String()))[0]
    return str(escaped)


class SheetWriter:
    """One sheet named ``name`` with a bold ``header`` row, then each frame's rows (columns in
    the header's order: text, integers, floats, booleans), written to ``path``."""

    def __init__(self, path: Path, name: str, header: Sequence[str]) -> None:
        self._header = list(header)
        self._letters = [column_letter(i) for i in range(len(header))]
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL)
        try:
            self._zip.writestr("[Content_Types].xml", _CONTENT_TYPES)
            self._zip.writestr("_rels/.rels", _ROOT_RELS)
            self._zip.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
            self._zip.writestr("xl/workbook.xml", _workbook(name))
            self._zip.writestr("xl/styles.xml", _STYLES)
            # Its size is unknown until the end: zip64 sizes, so that it may pass 4 GiB.
            self._sheet: IO[bytes] = self._zip.open(
                "xl/worksheets/sheet1.xml", "w", force_zip64=True
            )
            self._sheet.write(self._sheet_start().encode())
        except BaseException:
            self._zip.close()
            raise
        self._rows = 1

    def _sheet_start(self) -> str:
        widths = "".join(
            f'<col min="{i}" max="{i}" width="{max(12, min(40, len(name) + 4))}" customWidth="1"/>'
            for i, name in enumerate(self._header, start=1)
        )
        header = "".join(
            f'<c r="{letter}1" s="1" t="inlineStr"><is><t xml:space="preserve">'
            f"{_escape_one(name)}</t></is></c>"
            for letter, name in zip(self._letters, self._header, strict=True)
        )
        return (
            _XML + f'<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols>'
            f'<sheetData><row r="1">{header}</row>'
        )

    def write(self, frame: pl.DataFrame) -> None:
        if frame.is_empty():
            return
        if self._rows + frame.height > MAX_ROWS:
            raise WiniadminError(too_many_rows(self._rows - 1 + frame.height))
        # Slices of a few thousand rows: the XML of a slice, not of the chunk, in memory.
        for offset in range(0, frame.height, _SLICE):
            self._write_rows(frame.slice(offset, _SLICE), self._rows + 1 + offset)
        self._rows += frame.height

    def _write_rows(self, frame: pl.DataFrame, first: int) -> None:
        number = pl.Series("r", range(first, first + frame.height), dtype=pl.Int64).cast(
            pl.String()
        )
        cells = [
            self._cells(frame.get_column(name), letter, number, first)
            for name, letter in zip(frame.columns, self._letters, strict=True)
        ]
        xml = pl.DataFrame([number, *cells]).select(
            pl.concat_str(
                [
                    pl.lit('<row r="'),
                    pl.col("r"),
                    pl.lit('">'),
                    *(pl.col(c.name) for c in cells),
                    pl.lit("</row>"),
                ],
                ignore_nulls=True,
            )
            .str.join("")
            .cast(pl.Binary)
        )
        self._sheet.write(xml.item())

    def _cells(self, column: pl.Series, letter: str, number: pl.Series, first: int) -> pl.Series:
        """Each row's ``<c>`` of this column (null where the cell is empty)."""
        name = f"c{letter}"
        start = pl.lit(f'<c r="{letter}')
        dtype = column.dtype
        if dtype == pl.String:
            self._check_length(column, letter, first)
            text = escape_text(column)
            parts = [
                start,
                pl.col("r"),
                pl.lit('" t="inlineStr"><is><t xml:space="preserve">'),
                pl.col("v"),
                pl.lit("</t></is></c>"),
            ]
            value = pl.when(pl.col("v") != "").then(pl.concat_str(parts))
            return pl.DataFrame([number, text.alias("v")]).select(value.alias(name)).to_series()
        if dtype == pl.Boolean:
            text = column.cast(pl.UInt8).cast(pl.String())
            kind = '" t="b"><v>'
        else:
            if dtype.is_float():
                self._check_finite(column, letter, first)
            text = column.cast(pl.String())
            kind = '"><v>'
        parts = [start, pl.col("r"), pl.lit(kind), pl.col("v"), pl.lit("</v></c>")]
        return (
            pl.DataFrame([number, text.alias("v")])
            .select(pl.concat_str(parts).alias(name))
            .to_series()
        )

    def _check_length(self, column: pl.Series, letter: str, first: int) -> None:
        chars = column.str.len_chars()
        if not (chars > MAX_CELL_CHARS // 2).any():  # cannot pass the limit, even in UTF-16
            return
        utf16 = chars + column.str.count_matches(_ASTRAL)
        over = (utf16 > MAX_CELL_CHARS).arg_true()
        if over.len():
            index = int(over[0])
            msg = _(
                "Row %(row)s, column %(column)s (%(header)s): %(length)s characters, more than "
                "the %(limit)s a spreadsheet cell holds. Export to CSV, JSON or Parquet instead, "
                "or shorten the value."
            ) % {
                "row": first + index,
                "column": letter,
                "header": self._header[self._letters.index(letter)],
                "length": int(utf16[index]),
                "limit": f"{MAX_CELL_CHARS:,}",
            }
            raise WiniadminError(msg)

    def _check_finite(self, column: pl.Series, letter: str, first: int) -> None:
        bad = (column.is_nan() | column.is_infinite()).fill_null(value=False).arg_true()
        if bad.len():
            index = int(bad[0])
            msg = _(
                "Row %(row)s, column %(column)s (%(header)s): %(value)s is not a number a "
                "spreadsheet holds. Export to CSV, JSON or Parquet instead."
            ) % {
                "row": first + index,
                "column": letter,
                "header": self._header[self._letters.index(letter)],
                "value": column[index],
            }
            raise WiniadminError(msg)

    def close(self) -> None:
        try:
            self._sheet.write(_SHEET_END.encode())
            self._sheet.close()
        finally:
            self._zip.close()


def too_many_rows(rows: int) -> str:
    """The refusal of ``rows`` data rows, more than a sheet holds."""
    return _(
        "%(rows)s rows are more than a spreadsheet sheet holds (%(limit)s, the header's row "
        "included). Export to CSV, JSON or Parquet, or fewer rows (filter the list)."
    ) % {"rows": f"{rows:,}", "limit": f"{MAX_ROWS:,}"}


def _workbook(name: str) -> str:
    sheet = _escape_one(name[:31]).replace('"', "&quot;")
    return (
        _XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE_RELS}">'
        f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
