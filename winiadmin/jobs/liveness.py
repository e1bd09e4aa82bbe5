"""Is a working job's process still there? PostgreSQL session advisory locks.

The thread that keeps a job's heartbeat (:class:`winiadmin.jobs.monitor.JobMonitor`) holds a
session-level advisory lock on a key made from the job id, on its own connection, for as long as
the job works. PostgreSQL releases a session's locks the moment its connection ends: the process
was killed, ran out of memory, its machine vanished (once the server notices the dead socket).
So another session that *can* take the lock knows that the worker is gone, without waiting for its
heartbeat to grow old. A frozen worker (SIGSTOP, a VM stall) keeps its connection and its lock:
only its old heartbeat tells (``STALE_AFTER_SECONDS``).

Other databases have no such lock: there the heartbeat alone decides.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import connections, router

from winiadmin.models import ImportJob

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

#: Prefix of the hashed key: the lock space is shared with every other user of the database.
_NAMESPACE = b"winiadmin.importjob:"


def job_lock_key(job_id: UUID | str) -> int:
    """The advisory lock's key of a job: 64 bits of a hash of its id (a signed ``bigint``)."""
    digest = hashlib.blake2b(_NAMESPACE + UUID(str(job_id)).bytes, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _connection() -> BaseDatabaseWrapper:
    return connections[router.db_for_write(ImportJob)]


def has_liveness_locks() -> bool:
    """Whether the jobs' database has session advisory locks (PostgreSQL)."""
    return _connection().vendor == "postgresql"


def hold_job_lock(job_id: UUID | str) -> bool:
    """Take the job's lock on this thread's connection until it closes; ``False`` if taken.

    Never waits: a lock held by someone else (a sweeper testing it for a moment) is tried again
    on the next beat.
    """
    with _connection().cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [job_lock_key(job_id)])
        row = cursor.fetchone()
    return bool(row and row[0])


def release_job_lock(job_id: UUID | str) -> None:
    """Let go of the job's lock held by this thread's connection.

    Closing the connection releases it too, but the server does so a moment after the client has
    gone; an explicit unlock is done when it returns.
    """
    with _connection().cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [job_lock_key(job_id)])


def job_lock_is_free(job_id: UUID | str) -> bool:
    """Whether no session holds the job's lock (its worker's connection is gone).

    Takes the lock and lets it go at once. Only for a job whose lock this thread's connection does
    not hold itself: advisory locks are re-entrant within a session.
    """
    key = job_lock_key(job_id)
    with _connection().cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        row = cursor.fetchone()
        free = bool(row and row[0])
        if free:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    return free
