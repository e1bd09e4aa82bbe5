"""Dead exports: running, but their worker's process is gone.

An export writes nothing to the user's tables, so a dead one is simply marked failed with the
reason (a person starts it again; its scratch file died with the process). It is dead when

- on PostgreSQL, nobody holds its advisory lock (the worker takes it right after the claim, on
  the connection the export reads through; ``winiadmin.jobs.liveness``) and its last progress is a
  few seconds old (``LOCK_GRACE_SECONDS``): the worker's connection closed;
- on SQLite (no such locks), its progress is older than ``STALE_AFTER_SECONDS``: an export writes
  its progress after every chunk of rows, so a silent one has stopped.

Looked for when a worker starts an export, when a job's page is viewed, and by the cleanup of
expired exports. The worker's own final writes are conditional on the job still running: a job
marked dead keeps its reason, and a file stored after all is deleted.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format

from winiadmin.conf import get_config
from winiadmin.jobs.liveness import has_liveness_locks, job_lock_is_free
from winiadmin.jobs.stale import LOCK_GRACE_SECONDS
from winiadmin.models import ExportJob

if TYPE_CHECKING:
    from datetime import datetime

Status = ExportJob.Status


def sweep_dead_exports(*, job: ExportJob | None = None) -> int:
    """Mark every dead running export failed (or just ``job``); returns how many."""
    now = timezone.now()
    locks = has_liveness_locks()
    seconds = LOCK_GRACE_SECONDS if locks else get_config().STALE_AFTER_SECONDS
    running = ExportJob.objects.filter(
        status=Status.RUNNING, updated_at__lt=now - timedelta(seconds=seconds)
    )
    if job is not None:
        running = running.filter(pk=job.pk)
    swept = 0
    for candidate in running:
        if locks and not job_lock_is_free(candidate.pk):
            continue  # its worker's connection is alive
        swept += ExportJob.objects.filter(
            pk=candidate.pk, status=Status.RUNNING, updated_at=candidate.updated_at
        ).update(
            status=Status.FAILED,
            error=dead_reason(candidate.updated_at, connection_closed=locks),
            finished_at=now,
            updated_at=now,
        )
    if job is not None and swept:
        job.refresh_from_db()
    return swept


def dead_reason(seen: datetime, *, connection_closed: bool) -> str:
    when = date_format(timezone.localtime(seen), "DATETIME_FORMAT")
    how = (
        "its connection to the database closed"
        if connection_closed
        else f"it wrote no progress for {get_config().STALE_AFTER_SECONDS} seconds"
    )
    return (
        f"The worker running this export stopped ({how}; last seen {when}). "
        "Nothing was changed; start the export again."
    )
