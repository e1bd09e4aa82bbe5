"""Many-to-many cells: a chunk's links read in one query per field, joined as the importer
reads them (``red|blue``: the related rows' natural key, or primary key, in the order the links
were made, by the importer's separator). A row without links gets an empty cell."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import ManyToManyField

if TYPE_CHECKING:
    from collections.abc import Sequence

    from winiadmin.exports.columns import ExportColumn, ExportColumns


def with_links(
    chunk: Sequence[Sequence[object]], columns: ExportColumns
) -> list[tuple[object, ...]]:
    """``values_list`` rows of the other columns, the primary key last, as rows of every column
    (the many-to-many cells joined in their places)."""
    pks = [row[-1] for row in chunk]
    joined = {c.header: _cells(columns, c, pks) for c in columns.columns if c.separator}
    out: list[tuple[object, ...]] = []
    for row in chunk:
        values = iter(row)
        out.append(
            tuple(
                joined[c.header].get(row[-1]) if c.separator else next(values)
                for c in columns.columns
            )
        )
    return out


def _cells(columns: ExportColumns, column: ExportColumn, pks: list[object]) -> dict[object, str]:
    name, by = column.path.split("__", 1)
    field = columns.model._meta.get_field(name)
    assert isinstance(field, ManyToManyField)
    through = field.remote_field.through
    assert isinstance(through, type)
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    links = (
        through._default_manager.filter(**{f"{source}__in": pks})
        .order_by("pk")
        .values_list(f"{source}_id", f"{target}__{by}")
    )
    values: defaultdict[object, list[str]] = defaultdict(list)
    for pk, value in links.iterator(chunk_size=10_000):
        values[pk].append(str(value))
    return {pk: column.separator.join(texts) for pk, texts in values.items()}
