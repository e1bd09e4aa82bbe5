"""Values and column types of the preview, as the user reads them.

The cleaned frame holds polars values (``60.0``, ``Float64``, ``None``); the preview shows them as
the model will store them and in the user's locale (``60.00`` for a ``DecimalField`` with two
decimal places, ``June 19, 2026``), types in words (*number*, *date*) and empty cells as empty.
Formatting goes through Django's ``formats`` so that another language formats it its own way.
Thousands are grouped with the locale's separator in counts of rows and problems (*150,000
rows*) and in numbers with decimals (*1,234,567.50*); whole numbers in cells are often codes,
years or identifiers, so they are grouped only as the admin's own lists group them
(``USE_THOUSAND_SEPARATOR``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db.models import DecimalField, Field, Model
from django.utils import formats
from django.utils.duration import duration_string
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from django.utils.functional import Promise

    from winiadmin.import_report import StoredColumn

#: polars dtype names (``str(dtype)`` up to its first parenthesis) in words.
DTYPE_WORDS: dict[str, Promise] = {
    "String": gettext_lazy("text"),
    "Utf8": gettext_lazy("text"),
    "Categorical": gettext_lazy("text"),
    "Enum": gettext_lazy("text"),
    "Boolean": gettext_lazy("yes/no"),
    "Date": gettext_lazy("date"),
    "Datetime": gettext_lazy("date and time"),
    "Time": gettext_lazy("time"),
    "Duration": gettext_lazy("duration"),
    "Float32": gettext_lazy("number"),
    "Float64": gettext_lazy("number"),
    "Decimal": gettext_lazy("decimal number"),
    "List": gettext_lazy("list"),
    "Array": gettext_lazy("list"),
    "Null": gettext_lazy("empty"),
}
_INTEGERS = {"Int8", "Int16", "Int32", "Int64", "Int128", "UInt8", "UInt16", "UInt32", "UInt64"}


def dtype_in_words(dtype: str, field: Field[object, object] | None = None) -> str:
    """``"Float64"`` → *number*; *decimal number* when the model field behind it is decimal."""
    if isinstance(field, DecimalField):
        return _("decimal number")
    name = dtype.split("(", 1)[0].strip()
    if name in _INTEGERS:
        return _("whole number")
    words = DTYPE_WORDS.get(name)
    return str(words) if words is not None else name.lower()


@dataclass(frozen=True, slots=True)
class ColumnFormat:
    """How one preview column is shown: its name, type in words and decimal places to keep."""

    name: str
    dtype: str
    words: str
    #: From a ``DecimalField`` behind the column; ``None``: as many as the value has.
    decimal_places: int | None = None

    @property
    def numeric(self) -> bool:
        """Numbers line up on the right, as in a spreadsheet."""
        name = self.dtype.split("(", 1)[0].strip()
        return name in _INTEGERS or name in {"Float32", "Float64", "Decimal"}


def model_field(column: str, models: Sequence[type[Model]]) -> Field[object, object] | None:
    """The concrete, non-relational field named ``column`` on the first of ``models`` having one.

    Importers load columns into fields of the same name (the cleaning class's names); a column
    that feeds a foreign key by natural key, or no field at all, is formatted by its dtype.
    """
    for model in models:
        for field in model._meta.concrete_fields:
            if field.name == column and not field.is_relation:
                return field
    return None


def column_formats(
    columns: Iterable[StoredColumn], models: Sequence[type[Model]]
) -> list[ColumnFormat]:
    """The report's columns (name, dtype) with the model field behind each column."""
    formats_: list[ColumnFormat] = []
    for column in columns:
        field = model_field(column.name, models)
        places = field.decimal_places if isinstance(field, DecimalField) else None
        words = dtype_in_words(column.dtype, field)
        formats_.append(ColumnFormat(column.name, column.dtype, words, places))
    return formats_


def format_value(value: object, decimal_places: int | None = None) -> str | None:
    """A cell as the user reads it; ``None`` for an empty cell (the template shows it empty).

    A value with more decimals than the field keeps them all: the preview never rounds what the
    import would refuse or change.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return formats.number_format(value)
    if isinstance(value, float | Decimal):
        return _decimal_text(value, decimal_places)
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return _temporal_text(value)
    return str(value)


def _temporal_text(value: dt.date | dt.time | dt.timedelta) -> str:
    if isinstance(value, dt.datetime):
        shown = localtime(value) if is_aware(value) else value
        return formats.date_format(shown, "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, dt.time):
        return formats.time_format(value, "TIME_FORMAT")
    return duration_string(value)


def _decimal_text(value: float | Decimal, decimal_places: int | None) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(repr(value))
    except InvalidOperation:
        return str(value)
    exponent = number.as_tuple().exponent
    own_places = max(0, -exponent) if isinstance(exponent, int) else 0
    places = own_places if decimal_places is None else max(decimal_places, own_places)
    return formats.number_format(number, decimal_pos=places, force_grouping=True)


def format_text(text: str | None, column: ColumnFormat) -> str | None:
    """A value the report kept as text (the profile's smallest and largest), read back by the
    column's type and shown as the grid shows it; text that does not parse stays as it is."""
    name = column.dtype.split("(", 1)[0].strip()
    parse = _TEXT_PARSERS.get("Int" if name in _INTEGERS else name)
    if text is None or parse is None:
        return text
    try:
        value = parse(text)
    except (ValueError, InvalidOperation, KeyError):
        return text
    return format_value(value, column.decimal_places)


def format_text_row(texts: Sequence[str], dtypes: Sequence[str]) -> list[str]:
    """A row the report kept as text (a workbook sheet's preview), each cell read back by its
    column's dtype and shown as the grid shows it; empty cells empty. Without dtypes (a report
    written before they were kept) the text is shown as it is."""
    shown: list[str] = []
    for index, text in enumerate(texts):
        dtype = dtypes[index] if index < len(dtypes) else ""
        column = ColumnFormat("", dtype, "")
        value = format_text(text, column) if text != "" else ""
        shown.append("" if value is None else value)
    return shown


_TEXT_PARSERS: dict[str, Callable[[str], object]] = {
    "Int": int,
    "Boolean": {"True": True, "False": False, "true": True, "false": False}.__getitem__,
    "Float32": Decimal,
    "Float64": Decimal,
    "Decimal": Decimal,
    "Date": dt.date.fromisoformat,
    "Datetime": dt.datetime.fromisoformat,
}


def format_percent(percent: float) -> str:
    """A percentage in the locale's words: the number as the locale writes it (one decimal
    unless whole) and the sign where the locale puts it — *12.5%* in English, *12,5 %* in
    German and French (the translation of ``%(percent)s%%`` holds the space)."""
    decimals = 0 if float(percent).is_integer() else 1
    number = formats.number_format(round(percent, decimals), decimal_pos=decimals)
    return _("%(percent)s%%") % {"percent": number}


def format_share(share: float) -> str:
    """A share from 0 to 1 as a percentage (:func:`format_percent`): ``0.125`` → *12.5%*."""
    return format_percent(round(share * 100, 1))


def format_count(count: int) -> str:
    """A count of rows, problems, objects: always with the locale's thousands separator."""
    return formats.number_format(count, force_grouping=True)
