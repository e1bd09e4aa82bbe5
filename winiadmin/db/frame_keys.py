"""The primary keys of rows a frame load inserts, where the backend lets us know them cheaply.

``COPY`` and ``executemany`` return nothing, so the keys come from elsewhere:

- keys the frame gives itself (a UUID column) are simply kept;
- PostgreSQL: the keys are drawn from the column's sequence first (``nextval`` over
  ``generate_series``, one query per chunk) and inserted explicitly;
- SQLite: a writer holds the database lock for the whole transaction and an auto-increment key
  grows by one per row, so the chunk's keys end at ``last_insert_rowid()``.

Elsewhere the keys are not collected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl
from django.db import connections

if TYPE_CHECKING:
    from django.db.models import Field, Model


def collection_mode(model: type[Model], using: str, *, given: bool) -> str:
    """How the keys of ``model``'s inserted rows can be known: given, reserve, rowid or none."""
    auto = getattr(model._meta.pk, "db_returning", False)
    vendor = connections[using].vendor
    if given:
        return "given"
    if auto and vendor == "postgresql":
        return "reserve"
    if auto and vendor == "sqlite":
        return "rowid"
    return "none"


class KeyCollector:
    def __init__(
        self, model: type[Model], fields: list[Field[Any, Any]], using: str, *, enabled: bool
    ) -> None:
        self.model = model
        self.using = using
        self.pk = model._meta.pk
        self.keys: list[object] = []
        self.count = 0
        given = any(f is self.pk for f in fields)
        self.mode = collection_mode(model, using, given=given) if enabled else "none"

    def prepare(
        self, fields: list[Field[Any, Any]], chunk: pl.DataFrame
    ) -> tuple[list[Field[Any, Any]], pl.DataFrame]:
        """On PostgreSQL, put reserved keys in front of the chunk."""
        if self.mode != "reserve" or self.pk is None:
            return fields, chunk
        reserved = self._reserve(chunk.height)
        self.keys += reserved
        column = pl.Series(self.pk.column, reserved, dtype=pl.Int64)
        return [self.pk, *fields], chunk.insert_column(0, column)

    def inserted(self, chunk: pl.DataFrame) -> None:
        """Record the keys of a chunk just written."""
        if self.mode == "given" and self.pk is not None:
            self.keys += chunk.get_column(self.pk.column or self.pk.attname).to_list()
        elif self.mode == "rowid":
            with connections[self.using].cursor() as cursor:
                cursor.execute("SELECT last_insert_rowid()")
                last = int(cursor.fetchone()[0])
            self.keys += list(range(last - chunk.height + 1, last + 1))

    def _reserve(self, n: int) -> list[int]:
        connection = connections[self.using]
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), self.pk.column, n],
            )
            return [int(row[0]) for row in cursor.fetchall()]
