"""The checks a database defers to COMMIT, run now, and on PostgreSQL by index.

Django creates PostgreSQL's foreign keys ``DEFERRABLE INITIALLY DEFERRED``: every row written
queues one check per foreign key, and COMMIT runs them all, one query each
(``SELECT 1 FROM ONLY parent WHERE pk = $1 FOR KEY SHARE``). That query is planned from the
parent table's statistics, and they can be far behind a run that creates the parents itself: a
table analyzed while empty (as after a check's rolled-back rows are vacuumed, by the worker or by
autovacuum) with a few hundred rows created since is planned as a sequential scan, and a
million checks then each read every parent row (measured, 1M products and two foreign keys: 28.5
s at COMMIT against 9.5 s by index; docs/performance.md). An index lookup is never much worse for
one key of a unique index, so :func:`check_deferred_now` turns sequential scans off, in this
transaction only, while it sets the constraints ``IMMEDIATE`` (which runs every queued check
now, as COMMIT would) and back to ``DEFERRED``; then restores the setting.

It refuses exactly what COMMIT would refuse, only earlier: inside the transaction, where the
refusal rolls everything back like any other, and before the run's ``before_commit`` hook.
Elsewhere than on PostgreSQL it is Django's ``check_constraints`` of the tables given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db import IntegrityError, connections

from winiadmin.db.common import refused_as_load_error

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.db.models import Model

#: The current value, set off for this transaction only (``is_local``): a ROLLBACK or COMMIT
#: restores it even if the check raises before the explicit restore.
_SEQSCAN_OFF = "SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)"
_SEQSCAN_BACK = "SELECT set_config('enable_seqscan', %s, true)"


def check_deferred_now(using: str, table_names: Sequence[str] | None = None) -> None:
    """Run the checks deferred so far (PostgreSQL: all of them, by index; elsewhere: those of
    ``table_names``); raises the database's ``IntegrityError`` for a row it refuses."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        connection.check_constraints(table_names=table_names)
        return
    with connection.cursor() as cursor:
        cursor.execute(_SEQSCAN_OFF)
        row = cursor.fetchone()
        previous = "on" if row is None else str(row[0])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(_SEQSCAN_BACK, [previous])


def check_before_commit(using: str) -> None:
    """Right before a run commits: PostgreSQL's deferred checks, now and by index
    (:func:`check_deferred_now`); a refusal is a ``LoadError`` naming the model whose row the
    database refused, and its message (the constraint, the key). Elsewhere nothing: SQLite
    checks its deferred foreign keys at COMMIT without a plan to go wrong."""
    if connections[using].vendor != "postgresql":
        return
    try:
        check_deferred_now(using)
    except IntegrityError as exc:
        model = _model_of(exc)
        if model is None:
            raise
        with refused_as_load_error(model):
            raise


def _model_of(exc: IntegrityError) -> type[Model] | None:
    """The model of the table the database names in its refusal (psycopg's diagnostics)."""
    diag = getattr(exc.__cause__, "diag", None)
    table = getattr(diag, "table_name", None)
    if not table:
        return None
    return next((m for m in apps.get_models() if m._meta.db_table == table), None)
