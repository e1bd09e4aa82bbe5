"""Stale jobs: running, but their process stopped writing a heartbeat (killed, machine lost).

The import runs in one transaction, so a process that died wrote nothing: the job is only marked
failed, with the reason, and may be retried (``winiadmin.jobs.background.retry_job``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from winiadmin.conf import get_config
from winiadmin.jobs.runner import finished
from winiadmin.models import ImportJob

logger = logging.getLogger("winiadmin")
Status = ImportJob.Status
_WORKING = [Status.VALIDATING, Status.RUNNING]


def stale_reason(job: ImportJob) -> str:
    seen = job.heartbeat or job.updated_at
    when = date_format(timezone.localtime(seen), "DATETIME_FORMAT") if seen else "never"
    where = f" on {job.worker}" if job.worker else ""
    return (
        f"The worker stopped responding (last seen {when}{where}); nothing was written. "
        "Retry the import."
    )


def reap_stale_jobs(job: ImportJob | None = None) -> int:
    """Mark failed every working job (or just ``job``) whose heartbeat is too old."""
    limit = timezone.now() - timedelta(seconds=get_config().STALE_AFTER_SECONDS)
    old = Q(heartbeat__lt=limit) | Q(heartbeat__isnull=True, updated_at__lt=limit)
    jobs = ImportJob.objects.filter(old, status__in=_WORKING)
    if job is not None:
        jobs = jobs.filter(pk=job.pk)
    reaped = 0
    for stale in jobs:
        if _mark_failed(stale):
            stale.refresh_from_db()
            finished(stale)
            reaped += 1
    if job is not None and reaped:
        job.refresh_from_db()
    return reaped


def _mark_failed(stale: ImportJob) -> bool:
    """Conditional on the heartbeat read: a worker that just wrote one is alive after all.

    A row locked by its worker is skipped: the worker is committing (``winiadmin.jobs.fence``
    locks the row just before its commit), so it is not dead and its rows may be about to land.
    On SQLite a frozen writer holds the whole database: nothing can be marked until it goes.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            rows = ImportJob.objects.select_for_update(skip_locked=True).filter(
                pk=stale.pk, status=stale.status, heartbeat=stale.heartbeat
            )
            if not rows.exists():
                return False
            return bool(
                rows.update(
                    status=Status.FAILED, error=stale_reason(stale), finished_at=now, updated_at=now
                )
            )
    except OperationalError:  # SQLite: the database stayed locked for its whole timeout
        logger.warning("Stale job %s not marked failed: database locked", stale.pk)
        return False
