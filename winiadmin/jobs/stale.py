"""Dead jobs: working (validating, running), but their process is gone or frozen.

A job is dead when

- on PostgreSQL, nobody holds its advisory lock (``winiadmin.jobs.liveness``) and its heartbeat is
  a few seconds old (``LOCK_GRACE_SECONDS``: a claim writes one, and the run takes its lock within
  moments): the worker's connection closed, so its process is gone;
- on any database, its heartbeat is older than ``STALE_AFTER_SECONDS``: the process stopped
  writing (killed on SQLite, or frozen while still holding its lock).

The import runs in one transaction, so a dead process wrote nothing. The job is marked failed with
the reason (and may be retried by a person), or, while ``WINIADMIN["MAX_ATTEMPTS"]`` allows, queued
again for a worker. Workers look on their own (:func:`sweep_dead_jobs`: at the start of each task,
from each running job's monitor, from the watch task), and so does every view of a job's page.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from winiadmin.conf import get_config
from winiadmin.jobs.dispatch import close_task_record, runs_in_background, send_job
from winiadmin.jobs.ended import finished
from winiadmin.jobs.live_progress import read_live
from winiadmin.jobs.liveness import has_liveness_locks, job_lock_is_free
from winiadmin.models import ImportJob

if TYPE_CHECKING:
    from uuid import UUID

logger = logging.getLogger("winiadmin")

Status = ImportJob.Status
_WORKING = [Status.VALIDATING, Status.RUNNING]
#: The step a working job was running, which a retry queues again.
_STEP_OF = {Status.VALIDATING: ImportJob.Step.VALIDATE, Status.RUNNING: ImportJob.Step.EXECUTE}
#: How old a heartbeat must be before a free lock means death: between its claim (which writes a
#: heartbeat) and its monitor taking the lock, a live job's lock is free for a moment.
LOCK_GRACE_SECONDS = 2.0


def stale_reason(job: ImportJob, *, connection_closed: bool = False) -> str:
    seen = job.heartbeat or job.updated_at
    when = date_format(timezone.localtime(seen), "DATETIME_FORMAT") if seen else _("never")
    words = {"when": when, "worker": job.worker}
    if connection_closed and job.worker:
        text = _("The worker stopped (last seen %(when)s on %(worker)s); nothing was written.")
    elif connection_closed:
        text = _("The worker stopped (last seen %(when)s); nothing was written.")
    elif job.worker:
        text = _(
            "The worker stopped responding (last seen %(when)s on %(worker)s); nothing was written."
        )
    else:
        text = _("The worker stopped responding (last seen %(when)s); nothing was written.")
    return text % words + " " + _("Retry the import.")


def sweep_dead_jobs(*, job: ImportJob | None = None, exclude: UUID | str | None = None) -> int:
    """Fail (or queue again) every dead working job, or just ``job``; returns how many.

    ``exclude``: the id of a job whose lock this thread's connection holds (a monitor's own job).
    """
    now = timezone.now()
    stale_limit = now - timedelta(seconds=get_config().STALE_AFTER_SECONDS)
    locks = has_liveness_locks()
    limit = max(now - timedelta(seconds=LOCK_GRACE_SECONDS), stale_limit) if locks else stale_limit
    jobs = ImportJob.objects.filter(_seen_before(limit), status__in=_WORKING)
    if job is not None:
        jobs = jobs.filter(pk=job.pk)
    if exclude is not None:
        jobs = jobs.exclude(pk=exclude)
    swept = 0
    for candidate in jobs:
        seen = candidate.heartbeat or candidate.updated_at
        frozen = seen < stale_limit
        if not frozen and not (locks and job_lock_is_free(candidate.pk)):
            continue  # its worker's connection is alive: only an old heartbeat would tell
        if frozen and _published_since(candidate, stale_limit):
            continue  # SQLite: the load holds the write lock, but its monitor still publishes
        if _bury(candidate, stale_reason(candidate, connection_closed=not frozen)):
            swept += 1
    if job is not None and swept:
        job.refresh_from_db()
    return swept


def _published_since(job: ImportJob, limit: datetime) -> bool:
    """Whether the job's monitor published progress (a file, no database lock needed) lately."""
    live = read_live(job.pk)
    return live is not None and live.status == job.status and live.written_at >= limit


def reap_stale_jobs(job: ImportJob | None = None) -> int:
    """Fail (or queue again) every dead working job, or just ``job`` (its page is being viewed)."""
    return sweep_dead_jobs(job=job)


def _seen_before(limit: datetime) -> Q:
    return Q(heartbeat__lt=limit) | Q(heartbeat__isnull=True, updated_at__lt=limit)


def _bury(dead: ImportJob, reason: str) -> bool:
    """Fail the dead job or queue it again; conditional on the heartbeat read, so a worker that
    just wrote one is alive after all and keeps its job.

    A row locked by its worker is skipped: the worker is committing (``winiadmin.jobs.fence``
    locks the row just before its commit), so it is not dead and its rows may be about to land.
    On SQLite a frozen writer holds the whole database: nothing can be marked until it goes.
    """
    again = _may_run_again(dead)
    try:
        with transaction.atomic():
            same = ImportJob.objects.select_for_update(skip_locked=True).filter(
                pk=dead.pk, status=dead.status, heartbeat=dead.heartbeat
            )
            if not same.exists() or not same.update(**_buried_fields(dead, reason, again=again)):
                return False
            if again:  # the worker must see the QUEUED row
                transaction.on_commit(lambda: send_job(dead.pk))
    except OperationalError:  # SQLite: the database stayed locked for its whole timeout
        logger.warning("Dead job %s not marked: database locked", dead.pk)
        return False
    close_task_record(dead, reason)
    if again:
        logger.warning(
            "Job %s: %s Run again (attempt %d of %d).",
            dead.pk, reason, _runs_made(dead) + 1, get_config().MAX_ATTEMPTS,
        )  # fmt: skip
        return True
    logger.warning("Job %s: %s", dead.pk, reason)
    dead.refresh_from_db()
    finished(dead)
    return True


def _buried_fields(dead: ImportJob, reason: str, *, again: bool) -> dict[str, object]:
    now = timezone.now()
    if again:
        return {
            "status": Status.QUEUED, "queued_step": _STEP_OF[Status(dead.status)],
            "cancel_requested": False, "stage": "", "rows_done": 0, "rows_total": None,
            "error": "", "updated_at": now,
        }  # fmt: skip
    return {"status": Status.FAILED, "error": reason, "finished_at": now, "updated_at": now}


def _may_run_again(dead: ImportJob) -> bool:
    """The retry policy: a background job not cancelled, below ``MAX_ATTEMPTS`` worker runs."""
    return (
        runs_in_background(dead)
        and not dead.cancel_requested
        and _runs_made(dead) < get_config().MAX_ATTEMPTS
    )


def _runs_made(dead: ImportJob) -> int:
    # A working job ran at least once, even if no worker's claim counted it (a run in a request,
    # a job from before the count).
    return max(dead.attempts_made, 1)
