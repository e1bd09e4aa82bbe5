"""Insert instances whose keys nobody needs back with one prepared statement per model.

``bulk_create`` compiles its INSERT anew for every batch, value by value (``field_as_sql``,
placeholders, expression checks): for plain rows that is most of an import's time. When no row of
the import points at a model's rows and the caller does not want their keys, the loader does what
``bulk_create`` would do with the values (``pre_save``, ``get_db_prep_save``) and sends them with
one statement built once, through the loaders' one writer (:mod:`.rows_writer`):
``executemany`` of a one-row INSERT on SQLite, ``COPY … FROM STDIN`` on PostgreSQL, left open
from chunk to chunk. The values are prepared a column at a time (:mod:`.prepared_values`). No
key is read back, so the instances keep ``pk=None`` for an auto-increment key, as
``bulk_create`` leaves them on backends that cannot return keys.

Models with anything ``bulk_create`` treats specially (database defaults, generated or custom
placeholder fields, ``order_with_respect_to``, multi-column keys) keep going through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connections

from winiadmin.db.prepared_values import ExpressionValueError, column_preparers, prepared_columns
from winiadmin.db.rows_writer import RowsWriter

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.db.models import Field, Model

#: Vendors whose DB-API and Django cursor this module has been checked against.
_VENDORS = ("sqlite", "postgresql")


def plain_insert_possible(model: type[Model], using: str) -> bool:
    """Whether ``model``'s rows can skip ``bulk_create`` (see the module docstring)."""
    meta = model._meta
    if connections[using].vendor not in _VENDORS or meta.order_with_respect_to:
        return False
    if len(meta.pk_fields) != 1:
        return False
    return not any(
        f.generated or f.has_db_default() or hasattr(f, "get_placeholder")
        for f in meta.concrete_fields
    )


class PlainInsert:
    """The INSERT for one model, built once; :meth:`run` sends a chunk of instances, and
    :meth:`finish` waits until the server has stored them all (call it, also on errors)."""

    def __init__(self, model: type[Model], using: str) -> None:
        self.model = model
        self.using = using
        connection = connections[using]
        meta = model._meta
        self._pk = meta.pk
        fields = list(meta.concrete_fields)
        without_pk = [f for f in fields if f is not meta.auto_field]
        # With the key (given, or a Python default such as uuid4) and without (auto-increment).
        self._with_pk = _Group(model, fields, connection, using)
        self._without_pk = _Group(model, without_pk, connection, using)

    def run(self, objs: Sequence[Model]) -> bool:
        """Insert ``objs`` (keys are not read back); False, having sent nothing, when a value is
        an expression (``F()``, ``Now()``, a database default): ``bulk_create`` must compile it."""
        with_pk: list[Model] = []
        without_pk: list[Model] = []
        pk = self._pk
        for obj in objs:
            if obj.pk is None:
                obj.pk = pk.get_pk_value_on_save(obj)  # a Python default (uuid4), as bulk_create
            (without_pk if obj.pk is None else with_pk).append(obj)
        batches = []
        for group, objects in ((self._with_pk, with_pk), (self._without_pk, without_pk)):
            if not objects:
                continue
            try:
                batches.append((group, prepared_columns(objects, group.preparers)))
            except ExpressionValueError:
                return False
        for group, columns in batches:
            group.writer().write(columns)
        for obj in objs:
            obj._state.adding = False
            obj._state.db = self.using
        return True

    @property
    def pending(self) -> bool:
        """Whether rows sent may still be refused (an open ``COPY``; see ``RowsWriter``)."""
        return self._with_pk.pending or self._without_pk.pending

    def finish(self, error: BaseException | None = None) -> None:
        """Wait until every row sent is stored (PostgreSQL: end the open ``COPY``), raising what
        the database refused; with ``error``, cancel what is still open instead."""
        for group in (self._with_pk, self._without_pk):
            group.close(error)


class _Group:
    """The rows of one column set (with or without the key) and their writer, made when first
    needed (a model whose only column is its auto key has none without it)."""

    def __init__(
        self, model: type[Model], fields: list[Field[Any, Any]], connection: Any, using: str
    ) -> None:
        self.model = model
        self.fields = fields
        self.preparers = column_preparers(fields, connection)
        self.using = using
        self._writer: RowsWriter | None = None

    def writer(self) -> RowsWriter:
        if self._writer is None:
            attnames = [f.attname for f in self.fields]
            self._writer = RowsWriter(self.model, attnames, using=self.using)
        return self._writer

    @property
    def pending(self) -> bool:
        return self._writer is not None and self._writer.pending

    def close(self, error: BaseException | None) -> None:
        if self._writer is not None:
            self._writer.close(error)
