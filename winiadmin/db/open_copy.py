"""A ``COPY … FROM STDIN`` left open across chunks, so PostgreSQL works while Python does.

A ``COPY`` per chunk makes Python wait, at the end of every chunk, until the server has stored
it (the unique index, the foreign-key trigger events): for plain rows that is about half of the
insert's time, during which nothing else happens. Left open, the server stores a chunk while the
importer builds the next one and the loader checks it, on the other core.

Nothing else may run on the connection while a ``COPY`` is open, so the copy registers a Django
execute wrapper: any query through Django on this connection (the next chunk's conflict check,
a lookup, a query in an importer's generator, the foreign-key check) first ends the copy — then
that chunk simply is not overlapped. Queries sent around Django, with the raw DB-API connection,
must not be made while a load is running. One ``COPY`` at a time: opening one ends any other
left open on the connection (the two column sets of a model's rows, another table's writer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


class OpenCopy:
    """One open ``COPY``: :meth:`write` rows, then :meth:`close` (or close with the error)."""

    def __init__(self, connection: Any, sql: str) -> None:
        for wrapper in list(connection.execute_wrappers):
            other = getattr(wrapper, "__self__", None)
            if isinstance(other, OpenCopy):
                other.close()
        self.connection = connection
        self.sql = sql
        self.closed = False
        self._cursor = connection.cursor()
        try:
            with connection.wrap_database_errors:
                self._context = self._cursor.cursor.copy(sql)
                self._copy = self._context.__enter__()
        except BaseException:
            self._cursor.close()
            raise
        connection.execute_wrappers.append(self._close_first)

    def write(self, rows: Iterable[tuple[Any, ...]]) -> None:
        write_row = self._copy.write_row
        with self.connection.wrap_database_errors:
            for row in rows:
                write_row(row)

    def write_data(self, data: bytes) -> None:
        """Send data in the ``COPY``'s format (CSV written by polars, for one)."""
        with self.connection.wrap_database_errors:
            self._copy.write(data)

    def close(self, error: BaseException | None = None) -> None:
        """End the ``COPY``: wait until the server has stored every row, and raise what it
        refused. With ``error`` the ``COPY`` is cancelled instead (the transaction is then
        aborted, to be rolled back by its ``atomic`` block)."""
        if self.closed:
            return
        self.closed = True
        wrappers = self.connection.execute_wrappers
        if self._close_first in wrappers:  # Django's execute_wrapper() pops the last one
            wrappers.remove(self._close_first)
        try:
            with self.connection.wrap_database_errors:
                self._context.__exit__(
                    None if error is None else type(error),
                    error,
                    None if error is None else error.__traceback__,
                )
        finally:
            self._cursor.close()

    def _close_first(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        self.close()
        return execute(sql, params, many, context)
