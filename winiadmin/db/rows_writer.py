"""Rows into one model's table, the fastest way the connection has: the one writer of both paths.

Both load paths end here: the instance path's leaf rows (:mod:`.plain_insert`, values prepared
by :mod:`.prepared_values`) and the frame-native loader's frames (:mod:`.frames`, values
converted by :mod:`.frame_values`). Whoever else inserts many rows (a many-to-many's through
rows) should too. Given a model, the attnames of the columns it fills and, chunk by chunk, the
columns' database-ready values, :class:`RowsWriter` sends them:

- PostgreSQL: ``COPY … FROM STDIN``, left open from chunk to chunk (:mod:`.open_copy`), so that
  the server stores a chunk while Python prepares the next. A polars frame of plain dtypes goes
  as CSV written by polars; other values row by row, each adapted by psycopg as for a query.
- SQLite (and any other backend): ``executemany`` of a one-row ``INSERT``, its fastest path.

The writer runs inside the caller's transaction and opens none. What the database refuses is
raised as Django's error (``IntegrityError``, ``DataError``); on PostgreSQL perhaps only by a
later write or by :meth:`RowsWriter.close`, since the ``COPY`` stays open. Callers wrap it in
``transaction.atomic`` and :func:`~winiadmin.db.common.refused_as_load_error`, which names the
model. Chunking stays with the caller: the instance path chunks its objects before preparing
their values, the frame path slices its frame, and each reports progress per chunk.

Keys (``keys=True``): ``COPY`` and ``executemany`` return nothing, so :meth:`RowsWriter.write`
learns the chunk's primary keys elsewhere, where that is cheap (:func:`key_mode`):

- ``given``: the key is one of the columns: its values;
- ``reserve`` (PostgreSQL, auto-increment key): drawn from the column's sequence first
  (``nextval`` over ``generate_series``, one query per chunk) and inserted explicitly;
- ``rowid`` (SQLite, auto-increment key): a writer holds the database lock for the whole
  transaction and the key grows by one per row, so the chunk's keys end at
  ``last_insert_rowid()``;
- ``none``: elsewhere the keys are not known (``write`` returns an empty list).

Use::

    with RowsWriter(Membership, ["person_id", "group_id"], using=db) as writer:
        for people, groups in chunks:
            writer.write([people, groups])  # lists, tuples, polars Series, or a polars frame

Leaving the ``with`` block waits until the server has stored every row (raising what it
refused), or, on an exception, cancels what is still being sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
from django.db import connections

from winiadmin.db.open_copy import OpenCopy

if TYPE_CHECKING:
    from types import TracebackType

    from django.db.models import Field, Model

#: A chunk's values, column by column in the writer's attnames order: sequences of values ready
#: for the database driver (``get_db_prep_save``'s results), or a polars frame of such columns.
type Columns = pl.DataFrame | Sequence[Sequence[Any]]

type KeyMode = Literal["given", "reserve", "rowid", "none"]

#: The reserved keys' column in a frame, named so that it cannot clash with a field's column.
_RESERVED = "__winiadmin_reserved_pk__"


def key_mode(model: type[Model], using: str, *, given: bool) -> KeyMode:
    """How the keys of ``model``'s inserted rows can be known (see the module docstring);
    ``given``: the rows carry their key."""
    auto = getattr(model._meta.pk, "db_returning", False)
    vendor = connections[using].vendor
    if given:
        return "given"
    if auto and vendor == "postgresql":
        return "reserve"
    if auto and vendor == "sqlite":
        return "rowid"
    return "none"


class RowsWriter:
    """Inserts rows of ``model`` filling the columns of ``attnames``; see the module docstring.

    :meth:`write` a chunk at a time, then :meth:`close` (or leave the ``with`` block).
    """

    def __init__(
        self, model: type[Model], attnames: Sequence[str], *, using: str, keys: bool = False
    ) -> None:
        if not attnames:
            msg = f"{model._meta.label}: a row writer needs at least one column."
            raise ValueError(msg)
        self.model = model
        self.using = using
        self._connection = connections[using]
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        fields = [by_attname[name] for name in attnames]
        pk = model._meta.pk
        given = pk is not None and pk.attname in attnames
        #: How :meth:`write` learns the keys of the rows it inserts.
        self.key_mode: KeyMode = key_mode(model, using, given=given) if keys else "none"
        self._pk_index = list(attnames).index(pk.attname) if self.key_mode == "given" else -1
        if self.key_mode == "reserve":
            fields = [pk, *fields]
        quote = self._connection.ops.quote_name
        self._table = quote(model._meta.db_table)
        self._columns = ", ".join(quote(f.column or f.attname) for f in fields)
        self._width = len(fields)
        self._copy: OpenCopy | None = None

    def write(self, columns: Columns) -> list[object]:
        """Insert one chunk; its primary keys in row order when :attr:`key_mode` is not
        ``none``, else an empty list."""
        rows = columns.height if isinstance(columns, pl.DataFrame) else len(columns[0])
        if not rows:
            return []
        keys = self._reserve(rows) if self.key_mode == "reserve" else []
        if keys:
            columns = _with_first(columns, keys)
        if self._connection.vendor == "postgresql":
            self._copy_rows(columns)
        else:
            self._executemany(columns)
        if self.key_mode == "given":
            return _column(columns, self._pk_index)
        if self.key_mode == "rowid":
            return self._last_rowids(rows)
        return keys

    @property
    def pending(self) -> bool:
        """Whether rows written may still be refused: a ``COPY`` is open (a query on the
        connection ends it, and the server has then judged every row)."""
        return self._copy is not None and not self._copy.closed

    def close(self, error: BaseException | None = None) -> None:
        """Wait until every row written is stored (PostgreSQL: end the open ``COPY``), raising
        what the database refused; with ``error``, cancel what is still open instead."""
        if self._copy is not None:
            copy, self._copy = self._copy, None
            copy.close(error)

    def __enter__(self) -> RowsWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close(exc)

    def _executemany(self, columns: Columns) -> None:
        placeholders = ", ".join(["%s"] * self._width)
        sql = f"INSERT INTO {self._table} ({self._columns}) VALUES ({placeholders})"  # noqa: S608 - quoted names
        with self._connection.cursor() as cursor:
            cursor.executemany(sql, _rows(columns))

    def _copy_rows(self, columns: Columns) -> None:
        # A frame of plain dtypes: polars writes the CSV, much faster than a row at a time.
        # Anything else (Python values, a frame holding objects Django prepared): psycopg adapts
        # each value as it would for a query, without parsing SQL.
        csv = isinstance(columns, pl.DataFrame) and pl.Object not in columns.dtypes
        options = " WITH (FORMAT csv, NULL '\\N')" if csv else ""
        sql = f"COPY {self._table} ({self._columns}) FROM STDIN{options}"
        if self._copy is not None and (self._copy.closed or self._copy.sql != sql):
            self.close()  # ended by a query in between, or another format: a new one
        if self._copy is None:
            self._copy = OpenCopy(self._connection, sql)
        if csv:
            assert isinstance(columns, pl.DataFrame)
            self._copy.write_data(
                columns.write_csv(include_header=False, null_value="\\N").encode()
            )
        else:
            self._copy.write(_rows(columns))

    def _reserve(self, n: int) -> list[object]:
        pk: Field[Any, Any] | None = self.model._meta.pk
        assert pk is not None
        with self._connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [self._table, pk.column, n],
            )
            return [int(row[0]) for row in cursor.fetchall()]

    def _last_rowids(self, n: int) -> list[object]:
        with self._connection.cursor() as cursor:
            cursor.execute("SELECT last_insert_rowid()")
            last = int(cursor.fetchone()[0])
        return list(range(last - n + 1, last + 1))


def _rows(columns: Columns) -> Sequence[tuple[Any, ...]]:
    if isinstance(columns, pl.DataFrame):
        return columns.rows()
    return list(zip(*columns, strict=True))


def _column(columns: Columns, index: int) -> list[object]:
    if isinstance(columns, pl.DataFrame):
        return columns.to_series(index).to_list()
    column = columns[index]
    return column.to_list() if isinstance(column, pl.Series) else list(column)


def _with_first(columns: Columns, keys: list[object]) -> Columns:
    """The chunk with the reserved keys as its first column."""
    if isinstance(columns, pl.DataFrame):
        return pl.DataFrame([pl.Series(_RESERVED, keys, dtype=pl.Int64), *columns.get_columns()])
    return [keys, *columns]
