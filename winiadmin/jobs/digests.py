"""The row digests behind :mod:`winiadmin.jobs.fingerprint`, one function per algorithm.

Each reads the rows of ``model`` with the given (sorted, distinct) keys: every concrete field,
inherited ones included, and returns how many exist and one SHA-256. They differ in where the
rows are turned into text:

- ``python-repr`` (the first one, kept for jobs fingerprinted with it): through Django's
  ``values_list`` (every value converted to its Python type), ``repr`` of each row in Python;
- ``sqlite-rows/2``: the same query on a raw cursor, values as SQLite stores them (no Django or
  sqlite3 converters), each row serialized by ``marshal`` (format version 2: fixed, exact, no
  object references; floats as their 8 bytes, not formatted) in Python, rows in key order;
- ``postgresql-rows/2``: in the database: the row's text form (``row::text``) aggregated in key
  order and hashed there (``sha256(string_agg(…))``) per query; Python hashes the queries'
  counts and digests. Nothing but a count and a digest per 50,000 rows leaves the server.

A digest depends on the algorithm's constants (what goes in one query, :mod:`.keys`): changing
them means a new algorithm name, with the old one kept.
"""

from __future__ import annotations

import hashlib
import marshal
from itertools import repeat
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connections
from django.db.models import F

from winiadmin.jobs.keys import SortedRuns, key_chunks, key_segments, keys_per_query

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.models import Model

    from winiadmin.jobs.keys import KeySegment

#: Rows fetched from the cursor at a time (SQLite).
FETCH_SIZE = 10_000
#: ``marshal`` format 2: floats in binary, and (unlike 3 and later) no back-references, whose
#: presence depends on objects' reference counts rather than on their values.
MARSHAL_VERSION = 2
#: ``inner`` selects the rows (:func:`_select`), ``order`` is its primary key's alias.
SQLITE_ROWS = "SELECT {outer} FROM ({inner}) t ORDER BY t.{order}"
POSTGRESQL_DIGEST = (
    "SELECT count(*), encode(sha256(convert_to("
    "string_agg(t::text, E'\\n' ORDER BY t.{order}), 'UTF8')), 'hex') FROM ({inner}) t"
)


class Digest(NamedTuple):
    rows: int
    digest: str


#: Sorted, distinct keys: a list, or a streamed job's runs of integer keys.
type Keys = list[Any] | SortedRuns
type DigestFn = Callable[[type["Model"], Keys, str], Digest]


def python_repr(model: type[Model], keys: Keys, db: str) -> Digest:
    """Through Django: ``values_list`` per chunk of keys, ``repr`` of each converted row."""
    fields = [field.attname for field in model._meta.concrete_fields]
    digest = hashlib.sha256()
    count = 0
    for chunk in key_chunks(model, keys, db):
        queryset = model._base_manager.db_manager(db).filter(pk__in=chunk)
        rows = {row[0]: row for row in queryset.values_list("pk", *fields)}
        for key in chunk:  # key order, whatever order the database answered in
            row = rows.get(key)
            if row is not None:
                count += 1
                digest.update(repr(row[1:]).encode())
                digest.update(b"\n")
    return Digest(count, digest.hexdigest())


def sqlite_rows(model: type[Model], keys: Keys, db: str) -> Digest:
    """The stored values on a raw cursor, each row ``marshal``-ed in Python, in key order."""
    digest = hashlib.sha256()
    count = 0
    connection = connections[db]
    with connection.cursor() as cursor:
        raw = connection.connection  # sqlite3.Connection
        text_factory = raw.text_factory
        raw.text_factory = bytes  # text as stored (UTF-8): no decoding, and just as exact
        try:
            for segment in key_segments(keys, keys_per_query(db)):
                inner, params, columns, order = _select(model, segment, db)
                # Unary + is SQLite's no-op, but it hides the column's declared type, so the
                # sqlite3 converters Django registers (date, datetime, bool) leave the stored
                # value alone.
                outer = ", ".join(f"+t.{column}" for column in columns)
                cursor.execute(SQLITE_ROWS.format(outer=outer, inner=inner, order=order), params)
                while rows := cursor.fetchmany(FETCH_SIZE):
                    count += len(rows)
                    digest.update(b"".join(map(marshal.dumps, rows, repeat(MARSHAL_VERSION))))
        finally:
            raw.text_factory = text_factory
    return Digest(count, digest.hexdigest())


def postgresql_rows(model: type[Model], keys: Keys, db: str) -> Digest:
    """Per query, the count and a SHA-256 of the rows' text in key order, computed by the server;
    the digest is a SHA-256 of those."""
    digest = hashlib.sha256()
    count = 0
    with connections[db].cursor() as cursor:
        for segment in key_segments(keys, keys_per_query(db)):
            inner, params, _columns, order = _select(model, segment, db)
            cursor.execute(POSTGRESQL_DIGEST.format(order=order, inner=inner), params)
            found, part = cursor.fetchone()
            count += found
            digest.update(f"{found} {part or ''}\n".encode())
    return Digest(count, digest.hexdigest())


def _select(
    model: type[Model], segment: KeySegment, db: str
) -> tuple[str, tuple[Any, ...], list[str], str]:
    """SQL and parameters of ``SELECT <each concrete field> AS c0, c1, …`` for the rows of the
    segment (parents' tables joined for multi-table inheritance), its column names, and the
    primary key's column (to order by)."""
    fields = model._meta.concrete_fields
    aliases = {f"c{i}": F(field.attname) for i, field in enumerate(fields)}
    order = next(f"c{i}" for i, field in enumerate(fields) if field is model._meta.pk)
    queryset = (
        model._base_manager.db_manager(db).filter(segment.condition()).order_by().values(**aliases)
    )
    sql, params = queryset.query.get_compiler(using=db).as_sql()
    return sql, tuple(params), list(aliases), order


ALGORITHMS: dict[str, DigestFn] = {
    "python-repr": python_repr,
    "sqlite-rows/2": sqlite_rows,
    "postgresql-rows/2": postgresql_rows,
}
#: The algorithm fingerprints are taken with, per database vendor (others: ``python-repr``).
CURRENT = {"sqlite": "sqlite-rows/2", "postgresql": "postgresql-rows/2"}
#: Fingerprints stored without an algorithm name were taken with this one.
LEGACY = "python-repr"


def available(algorithm: str, db: str) -> bool:
    """Whether this database can compute ``algorithm`` (a vendor's own needs that vendor)."""
    vendor = connections[db].vendor
    return algorithm == LEGACY or CURRENT.get(vendor) == algorithm
