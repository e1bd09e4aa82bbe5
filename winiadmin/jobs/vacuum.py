"""After a big check on PostgreSQL, the worker vacuums the tables the dry run wrote to.

A check is a real run rolled back: on PostgreSQL every row it inserted (or updated) stays in the
table and its indexes as a dead tuple until autovacuum comes by. The confirm's real run, and the
one-cell re-checks of the preview, then read past them in every unique-key and upsert lookup.
``VACUUM (ANALYZE)`` of those tables right after the check frees them (and gives the planner the
tables' real sizes) while the user reads the preview.

Only a worker does it (``winiadmin.jobs.background``), never a web request; only on PostgreSQL;
only when the check wrote at least :data:`VACUUM_AFTER_ROWS` rows; only tables the database user
may vacuum (their owner, a member of the owner's role, or a superuser: others are skipped with a
logged warning). VACUUM runs outside any transaction on the run's connection (autocommit), so it
is skipped when the caller holds one open. It changes no row: the confirm imports the same rows
with or without it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import connections, router

if TYPE_CHECKING:
    from django.db.models import Model

    from winiadmin.results import ImportResult

logger = logging.getLogger("winiadmin")

#: Rows a check must have written (created, updated or unlinked, all models together) for the
#: worker to vacuum the tables it wrote to. Below it the dead tuples cost little, and autovacuum
#: frees them soon enough.
VACUUM_AFTER_ROWS = 100_000

_MAY_VACUUM = """
SELECT c.oid::regclass::text
FROM pg_class c
WHERE c.oid = ANY(%s::regclass[])
  AND (pg_has_role(current_user, c.relowner, 'MEMBER')
       OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user))
"""


def rows_written(result: ImportResult) -> int:
    """Rows the (dry) run wrote, all models together."""
    return sum(c.count + c.updated + c.removed for c in result.created)


def _models(result: ImportResult) -> list[type[Model]]:
    models = []
    for count in result.created:
        try:
            models.append(apps.get_model(count.label))
        except (LookupError, ValueError):
            logger.warning("Not vacuuming %s after the check: no such model", count.label)
    return models


def vacuum_after_check(result: ImportResult) -> list[str]:
    """``VACUUM (ANALYZE)`` every table a dry run of at least :data:`VACUUM_AFTER_ROWS` rows
    wrote to, on PostgreSQL; returns the tables vacuumed (none elsewhere, or below it)."""
    if not result.dry_run or rows_written(result) < VACUUM_AFTER_ROWS:
        return []
    by_alias: dict[str, list[str]] = {}
    for model in _models(result):
        by_alias.setdefault(router.db_for_write(model), []).append(model._meta.db_table)
    done: list[str] = []
    for alias, tables in by_alias.items():
        done += _vacuum(alias, tables)
    return done


def _vacuum(alias: str, tables: list[str]) -> list[str]:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return []
    if connection.in_atomic_block:  # VACUUM cannot run inside a transaction
        logger.warning("Not vacuuming %s after the check: inside a transaction", ", ".join(tables))
        return []
    quoted = [connection.ops.quote_name(table) for table in dict.fromkeys(tables)]
    with connection.cursor() as cursor:
        cursor.execute(_MAY_VACUUM, [quoted])
        allowed = {row[0] for row in cursor.fetchall()}
        done = []
        for table, name in zip(quoted, dict.fromkeys(tables), strict=True):
            if table not in allowed and name not in allowed:
                logger.warning(
                    "Not vacuuming %s after the check: the database user may not vacuum it "
                    "(autovacuum will free the check's dead rows later)",
                    name,
                )
                continue
            cursor.execute(f"VACUUM (ANALYZE) {table}")
            done.append(name)
    return done
