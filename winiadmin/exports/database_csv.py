"""CSV written by the database: the export's path to the raw limit on PostgreSQL and SQLite.

The queryset's own SELECT (its filters, joins and order, compiled by Django) with each column
wrapped in SQL that gives the very text of :mod:`winiadmin.exports.cells` — decimals with their
places, ISO dates, ``true``/``false``, hyphenated UUIDs — and, on PostgreSQL, the formula guard
of :func:`winiadmin.spreadsheets.neutralise` (the same rule, ASCII digits, in the database's
regular expression). Then:

* PostgreSQL: ``COPY (that SELECT) TO STDOUT (FORMAT csv)``, its blocks written to the file as
  they come (the parameters bound as literals by psycopg's client-side ``mogrify``, never
  formatted into the text by us);
* SQLite: a plain cursor, ``fetchmany`` a chunk at a time into a polars frame of text, the guard
  on its text columns, ``write_csv``.

Memory stays a block or a chunk. Columns whose text the database cannot write the same way
(floats, date-times, times, durations, JSON, other field types) make :func:`database_csv`
answer ``None``: the export then reads the rows through the ORM (:mod:`winiadmin.exports.stream`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, BinaryIO

import polars as pl
from django.core.exceptions import EmptyResultSet, FieldError
from django.db import NotSupportedError, connections
from django.db.models import Expression, F, TextField

from winiadmin.exports.cells import cell_schema
from winiadmin.spreadsheets import PLAIN_NUMBER_PATTERN, neutralise_column

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import Model, QuerySet
    from django.db.models.sql.compiler import SQLCompiler

    from winiadmin.exports.columns import ExportColumn

#: Field types whose values are text a person typed: guarded against formulas.
TEXT_FIELDS = frozenset(
    {
        "CharField",
        "TextField",
        "EmailField",
        "SlugField",
        "URLField",
        "FilePathField",
        "FileField",
        "ImageField",
    }
)
_INTEGER_FIELDS = frozenset(
    {
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
    }
)
#: A spreadsheet's (and SQLite's REAL's) exact digits: wider decimals are read through the ORM.
_SQLITE_DIGITS = 15
#: Bytes of COPY output gathered before a write.
_BLOCK = 1 << 20

_BOOLEAN = "CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END"
_PG_GUARD = (
    # The first character's code point: = + - @ tab CR LF (a comparison of integers, the
    # regular expression only for the few cells that start so).
    "CASE WHEN ascii({x}) IN (61, 43, 45, 64, 9, 13, 10) AND {x} !~ '"
    + PLAIN_NUMBER_PATTERN
    + "' THEN '''' || {x} ELSE {x} END"
)
_SQLITE_UUID = (
    "substr({x}, 1, 8) || '-' || substr({x}, 9, 4) || '-' || substr({x}, 13, 4) || '-' || "
    "substr({x}, 17, 4) || '-' || substr({x}, 21)"
)


class _Cell(Expression):
    """A column's SQL inside a template (``{x}`` where the column goes; ``%%`` for a ``%``)."""

    def __init__(self, inner: Any, template: str) -> None:
        super().__init__(output_field=TextField())
        self.inner = inner
        self.template = template

    def get_source_expressions(self) -> list[Any]:
        return [self.inner]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.inner,) = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        del extra
        sql, params = compiler.compile(self.inner)
        return self.template.format(x=sql), tuple(params) * self.template.count("{x}")


_TEMPLATES: dict[str, dict[str, str]] = {
    "postgresql": {
        "text": _PG_GUARD,
        "integer": "{x}",
        "boolean": _BOOLEAN,
        "decimal": "{x}",  # numeric(digits, places) prints its places
        "date": "to_char({x}, 'YYYY-MM-DD')",  # the bare column when DateStyle is ISO
        "uuid": "{x}::text",
    },
    "sqlite": {
        "text": "{x}",  # guarded on the frame
        "integer": "{x}",
        "boolean": _BOOLEAN,
        # The stored ISO text (an expression, so that sqlite3's converters leave it alone).
        "date": "CAST({x} AS TEXT)",
        "uuid": _SQLITE_UUID,
    },
}


def _template(column: ExportColumn, vendor: str, *, iso_dates: bool, frames: bool) -> str | None:
    template = _csv_template(column, vendor, iso_dates=iso_dates)
    if template is None or not frames:
        return template
    if column.internal in TEXT_FIELDS:
        return "{x}"  # XLSX: text cells are typed strings, never formulas; no guard
    if vendor == "postgresql" and column.kind != "integer":
        return f"({template})::text"  # text, as COPY prints it (a cursor gives dates, Decimals)
    return template


def _csv_template(column: ExportColumn, vendor: str, *, iso_dates: bool) -> str | None:
    if column.separator:
        return None  # many-to-many cells: joined from the links by the ORM's path
    if column.internal in TEXT_FIELDS:
        kind = "text"
    elif column.kind == "text":
        return None  # another field type read as text (an IP address, bytes, …)
    else:
        kind = column.kind
    if kind == "date" and iso_dates:
        return "{x}"
    if vendor == "sqlite" and kind == "decimal":
        if 0 < column.digits <= _SQLITE_DIGITS:
            # printf writes NULL as 0.00: a NULL stays NULL.
            return f"CASE WHEN {{x}} IS NOT NULL THEN printf('%%.{column.places}f', {{x}}) END"
        return None
    return _TEMPLATES[vendor].get(kind)


class DatabaseCsv:
    """The compiled SELECT of a queryset's cells, and how to stream it into a CSV file."""

    def __init__(
        self, connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any], columns: Any
    ) -> None:
        self.connection = connection
        self.sql = sql
        self.params = tuple(params)
        self.columns: Sequence[ExportColumn] = columns

    def write(self, out: BinaryIO, chunk_size: int, every_chunk: Callable[[int], None]) -> int:
        """Write the rows (no header) to ``out``; ``every_chunk(rows so far)`` is called about
        every ``chunk_size`` rows (progress, and the cancel check: it may raise)."""
        if self.connection.vendor == "postgresql":
            return self._copy(out, chunk_size, every_chunk)
        return self._fetch(out, chunk_size, every_chunk)

    def _copy(self, out: BinaryIO, chunk_size: int, every_chunk: Callable[[int], None]) -> int:
        # psycopg's client-side binding (``mogrify``): the values as quoted literals.
        operations: Any = self.connection.ops  # PostgreSQL's, which has compose_sql
        query = str(operations.compose_sql(self.sql, self.params))
        counter = _CsvRows()
        reported = 0
        # The connection is busy with COPY until its end: the progress and the cancel check
        # (which query the job's row) run in a thread of their own, on that thread's
        # connection, one at a time, waited for (an ExportCancelled comes back here).
        aside = _Aside()
        # psycopg hands COPY's output over a row at a time: gathered into blocks of about a
        # megabyte before they are written and counted.
        buffer = bytearray()
        try:
            with self.connection.cursor() as cursor:
                copy_sql = b"COPY (" + query.encode() + b") TO STDOUT (FORMAT csv)"
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in copy:
                        buffer += row
                        if len(buffer) < _BLOCK:
                            continue
                        out.write(buffer)
                        done = counter.feed(bytes(buffer))
                        buffer.clear()
                        if done - reported >= chunk_size:
                            reported = done
                            aside.run(every_chunk, done)
        finally:
            aside.close()
        out.write(buffer)
        counter.feed(bytes(buffer))
        return counter.rows

    def frames(self, chunk_size: int) -> Iterator[pl.DataFrame]:
        """The rows as frames of cells (:func:`winiadmin.exports.cells.cell_schema`), a chunk
        at a time, through a server-side cursor on PostgreSQL (made with ``frames=True``)."""
        schema = cell_schema(self.columns)
        with self.connection.chunked_cursor() as cursor:
            cursor.execute(self.sql, self.params)
            while rows := cursor.fetchmany(chunk_size):
                yield pl.DataFrame(
                    _typed(name, values, dtype)
                    for (name, dtype), values in zip(
                        schema.items(), zip(*rows, strict=True), strict=True
                    )
                )

    def _fetch(self, out: BinaryIO, chunk_size: int, every_chunk: Callable[[int], None]) -> int:
        schema = {
            c.header: pl.Int64() if c.internal in _INTEGER_FIELDS else pl.String()
            for c in self.columns
        }
        guarded = [c.header for c in self.columns if c.internal in TEXT_FIELDS]
        done = 0
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            while rows := cursor.fetchmany(chunk_size):
                # A column at a time (the rows transposed): half the cost of polars' rows.
                frame = pl.DataFrame(
                    pl.Series(name, values, dtype=dtype)
                    for (name, dtype), values in zip(
                        schema.items(), zip(*rows, strict=True), strict=True
                    )
                )
                if guarded:
                    frame = frame.with_columns(neutralise_column(frame[h]) for h in guarded)
                frame.write_csv(out, include_header=False)
                done += len(rows)
                every_chunk(done)
        return done


def _typed(name: str, values: Sequence[Any], dtype: pl.DataType) -> pl.Series:
    if dtype == pl.Boolean:
        return pl.Series(name, values, dtype=pl.String()) == "true"
    return pl.Series(name, values, dtype=dtype)


def database_csv(
    queryset: QuerySet[Model], columns: Sequence[ExportColumn], *, frames: bool = False
) -> DatabaseCsv | None:
    """The queryset's cells as SQL the database writes as CSV, or ``None`` when a column (or
    the database) needs the ORM's rows. ``frames``: the cells for :meth:`DatabaseCsv.frames`
    (text unguarded, every cell text but integers)."""
    connection = connections[queryset.db]
    if connection.vendor not in {"postgresql", "sqlite"} or _reshaped(queryset):
        return None
    cells: dict[str, _Cell] = {}
    iso_dates = _iso_dates(connection)
    for index, column in enumerate(columns):
        template = _template(column, connection.vendor, iso_dates=iso_dates, frames=frames)
        if template is None:
            return None
        cells[f"winiadmin_cell_{index}"] = _Cell(F(column.path), template)
    try:
        rows = queryset.annotate(**cells).values_list(*cells)
        sql, params = rows.query.get_compiler(queryset.db).as_sql()
    except (EmptyResultSet, FieldError, NotSupportedError, TypeError):
        return None
    return DatabaseCsv(connection, sql, params, columns)


def _reshaped(queryset: QuerySet[Model]) -> bool:
    """Whether selecting the cells alone would change the rows: ``DISTINCT`` or an aggregate
    would apply to the cells (two rows alike would become one), a slice or a union to the
    wrapped query. Such querysets are read through the ORM's path."""
    query = queryset.query
    aggregates = any(getattr(a, "contains_aggregate", False) for a in query.annotations.values())
    return bool(query.distinct or query.is_sliced or query.combinator or aggregates)


def _iso_dates(connection: BaseDatabaseWrapper) -> bool:
    """Whether the database prints a date as ``2026-06-19`` itself (PostgreSQL's DateStyle
    ``ISO``, its default; SQLite stores that text)."""
    if connection.vendor != "postgresql":
        return False  # SQLite's template casts, so that sqlite3's converters stay out
    with connection.cursor() as cursor:
        cursor.execute("SHOW DateStyle")
        (style,) = cursor.fetchone() or ("",)
    return str(style).upper().startswith("ISO")


class _Aside:
    """One thread, started on first use, that runs calls one at a time and hands back their
    result or exception; at the end its database connections are closed."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None

    def run(self, call: Callable[[int], None], value: int) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="winiadmin-export")
        self._pool.submit(call, value).result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.submit(connections.close_all).result()
            self._pool.shutdown()


class _CsvRows:
    """Counts the rows of a CSV stream block by block: a newline ends a row unless it is inside
    quotes (an even number of ``"`` before it; an escaped ``""`` counts two)."""

    def __init__(self) -> None:
        self.rows = 0
        self._quoted = False

    def feed(self, block: bytes) -> int:
        if b'"' not in block:
            if not self._quoted:
                self.rows += block.count(b"\n")
            return self.rows
        parts = block.split(b'"')
        for index, part in enumerate(parts):
            if not self._quoted ^ (index % 2 == 1):
                self.rows += part.count(b"\n")
        self._quoted ^= (len(parts) - 1) % 2 == 1
        return self.rows
