"""Stale jobs: running, but their process stopped writing a heartbeat (killed, machine lost).

The import runs in one transaction, so a process that died wrote nothing: the job is only marked
failed, with the reason, and may be retried (``winiadmin.jobs.background.retry_job``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from winiadmin.conf import get_config
from winiadmin.jobs.live_progress import read_live
from winiadmin.jobs.runner import finished
from winiadmin.models import ImportJob

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


def _published_since(job: ImportJob, limit: datetime) -> bool:
    """Whether the job's monitor published progress (a file, no database lock needed) lately."""
    live = read_live(job.pk)
    return live is not None and live.status == job.status and live.written_at >= limit


def reap_stale_jobs(job: ImportJob | None = None) -> int:
    """Mark failed every working job (or just ``job``) whose heartbeat is too old."""
    limit = timezone.now() - timedelta(seconds=get_config().STALE_AFTER_SECONDS)
    old = Q(heartbeat__lt=limit) | Q(heartbeat__isnull=True, updated_at__lt=limit)
    jobs = ImportJob.objects.filter(old, status__in=_WORKING)
    if job is not None:
        jobs = jobs.filter(pk=job.pk)
    reaped = 0
    for stale in jobs:
        if _published_since(stale, limit):
            continue  # SQLite: the load holds the write lock, but its monitor still publishes
        # Conditional on the heartbeat read: a worker that just wrote one is alive after all.
        now = timezone.now()
        if ImportJob.objects.filter(
            pk=stale.pk, status=stale.status, heartbeat=stale.heartbeat
        ).update(status=Status.FAILED, error=stale_reason(stale), finished_at=now, updated_at=now):
            stale.refresh_from_db()
            finished(stale)
            reaped += 1
    if job is not None and reaped:
        job.refresh_from_db()
    return reaped
