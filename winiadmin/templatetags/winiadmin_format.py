"""Template filters over :mod:`winiadmin.admin.cell_format`: ``{% load winiadmin_format %}``."""

from django import template

from winiadmin.admin.cell_format import (
    dtype_in_words,
    format_count,
    format_percent,
    format_share,
    format_text_row,
)
from winiadmin.admin.source_words import source_in_words
from winiadmin.import_report import ReadSource, SheetPreview

register = template.Library()


@register.filter
def winiadmin_count(value: object) -> str:
    """``150000`` → ``150,000`` (the locale's separator); anything not a whole number as it is."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "" if value is None else str(value)
    return format_count(value)


@register.filter
def winiadmin_percent(value: object) -> str:
    """``12.5`` → ``12.5%`` (``12,5 %`` in German): a percentage as the locale writes it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    return format_percent(value)


@register.filter
def winiadmin_share(value: object) -> str:
    """``0.125`` → ``12.5%`` (``12,5 %`` in German): a share from 0 to 1 as a percentage."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    return format_share(value)


@register.filter
def winiadmin_sheet_rows(value: object) -> list[list[str]]:
    """A workbook sheet's preview rows in the user's locale (``4.5`` → ``4,5`` in German)."""
    if not isinstance(value, SheetPreview):
        return []
    return [format_text_row(row, value.dtypes) for row in value.rows]


@register.filter
def winiadmin_dtype(value: object) -> str:
    """A polars dtype name in words: ``"Float64"`` → *number*."""
    return dtype_in_words(str(value))


@register.filter
def winiadmin_source(value: object) -> str:
    """How the file was read, in words (the report's ``source``, a ``ReadSource``)."""
    if isinstance(value, ReadSource):
        return source_in_words(value.items)
    return source_in_words(value) if isinstance(value, dict) else ""
