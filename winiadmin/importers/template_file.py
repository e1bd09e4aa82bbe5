"""Import templates: an empty file per importer with the expected headers and an example row.

Everything is derived from the importer's cleaning class (column names as the file must spell
them, dtypes, the columns that may not be empty) and the importer's optional ``example_row``.

* CSV: the header and one example row (a CSV has nowhere else to put the types).
* XLSX: sheet "Data" (first, so it is the one read) with the header and the example row, each
  header cell carrying a comment with its type; sheet "Help" lists every column with its type,
  whether it is required and the example.

Both import as they are; replace the example row with real rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from winiadmin.cleaning.coerce import as_dtype
from winiadmin.cleaning.tracking import rename_map_of
from winiadmin.exceptions import WiniadminError
from winiadmin.spreadsheets import Sheet, csv_text, xlsx_bytes

if TYPE_CHECKING:
    from winiutils.core.data.dataframe.cleaning import CleaningDF

    from winiadmin.importers.base import Importer

FORMATS = ("csv", "xlsx")
_EXAMPLE_DAY = dt.datetime(2024, 1, 31, 13, 45)


@dataclass(frozen=True, slots=True)
class TemplateColumn:
    #: The header as the file must spell it.
    header: str
    dtype: pl.DataType
    #: In words: "whole number", "date (YYYY-MM-DD)"…
    kind: str
    required: bool
    example: object

    @property
    def note(self) -> str:
        words = {"kind": self.kind, "example": _as_text(self.example)}
        if self.required:
            return _("%(kind)s, required; e.g. %(example)s") % words
        return _("%(kind)s, optional; e.g. %(example)s") % words


def template_columns(
    importer: type[Importer], cleaning: type[CleaningDF] | None = None
) -> list[TemplateColumn]:
    """The columns a file for ``importer`` needs, in the cleaning class's order (``cleaning``:
    a workbook sheet's class instead of the importer's)."""
    cleaning = cleaning or importer.cleaning_df_cls
    if cleaning is None:
        if importer.sheets:
            msg = _("%(importer)s reads a workbook: its template is an Excel file.") % {
                "importer": importer.get_name()
            }
        else:
            msg = _("%(importer)s declares no cleaning_df_cls, so it has no template.") % {
                "importer": importer.get_name()
            }
        raise WiniadminError(msg)
    headers = rename_map_of(cleaning)
    required = set(cleaning.get_no_null_cols())
    date_format = (getattr(cleaning, "DATE_FORMATS", None) or ("%Y-%m-%d",))[0]
    examples = dict(importer.example_row)
    columns = []
    for name, declared in cleaning.get_col_dtype_map().items():
        dtype = as_dtype(declared)
        header = headers.get(name, name)
        kind, default = _describe(dtype, date_format)
        example = examples.get(name, examples.get(header, default))
        columns.append(TemplateColumn(header, dtype, kind, name in required, example))
    return columns


def template_csv(importer: type[Importer]) -> str:
    columns = template_columns(importer)
    return csv_text([c.header for c in columns], [[_as_text(c.example) for c in columns]])


def template_xlsx(importer: type[Importer]) -> bytes:
    if importer.sheets:  # a workbook with a sheet per model: a sheet per declared sheet
        return _workbook_template(importer)
    columns = template_columns(importer)
    help_rows: list[list[object]] = [
        [c.header, c.kind, _yes_no(c.required), _as_text(c.example)] for c in columns
    ]
    header = [_("column"), _("type"), _("required"), _("example")]
    help_sheet = Sheet(_("Help"), header, help_rows)
    return xlsx_bytes([_data_sheet(_("Data"), columns), help_sheet])


def _yes_no(required: bool) -> str:
    return _("yes") if required else _("no")


def _workbook_template(importer: type[Importer]) -> bytes:
    sheets = []
    help_rows: list[list[object]] = []
    for declared in importer.sheets:
        columns = template_columns(importer, declared.cleaning_df_cls)
        sheets.append(_data_sheet(declared.name, columns))
        help_rows += [
            [declared.name, c.header, c.kind, _yes_no(c.required), _as_text(c.example)]
            for c in columns
        ]
    header = [_("sheet"), _("column"), _("type"), _("required"), _("example")]
    return xlsx_bytes([*sheets, Sheet(_("Help"), header, help_rows)])


def _data_sheet(name: str, columns: list[TemplateColumn]) -> Sheet:
    return Sheet(
        name,
        [c.header for c in columns],
        [[c.example for c in columns]],
        notes={c.header: c.note for c in columns},
        text_columns=frozenset(c.header for c in columns if c.dtype == pl.String),
    )


def template_file_name(importer: type[Importer], fmt: str) -> str:
    return get_valid_filename(f"{importer.get_name()}-template.{fmt}")


def _describe(dtype: pl.DataType, date_format: str) -> tuple[str, object]:
    """The dtype in words and a default example value of it."""
    human_date = date_format.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
    rules: list[tuple[bool, str, object]] = [
        (dtype.is_integer(), _("whole number"), 1),
        (dtype.is_float(), _("number"), 1.5),
        (dtype.is_decimal(), _("decimal number"), "12.50"),
        (dtype == pl.Boolean, _("yes/no (true/false)"), True),
        # Dates as text in the declared format: a date cell would read back as ISO only.
        (
            dtype == pl.Date,
            _("date (%(format)s)") % {"format": human_date},
            _EXAMPLE_DAY.date().strftime(date_format),
        ),
        (dtype == pl.Datetime, _("date and time (YYYY-MM-DD HH:MM:SS)"), _EXAMPLE_DAY),
        (dtype == pl.Time, _("time of day (HH:MM:SS)"), _EXAMPLE_DAY.time()),
        (dtype == pl.String, _("text"), "text"),
    ]
    for applies, kind, example in rules:
        if applies:
            return kind, example
    return str(dtype), None


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
