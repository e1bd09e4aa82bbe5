"""The watch task's work: look for dead jobs while one job works, then come back later.

``run_queued`` queues it (deferred by ``SWEEP_INTERVAL``) when it claims a job. An idle worker,
or one started after a crash, runs it; it queues itself again as long as that run of the job (its
``attempts_made``) is working, so at most one watch per working job waits in the queue, and none
once every job has ended.
"""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError

from winiadmin.jobs.dispatch import schedule_watch
from winiadmin.jobs.stale import sweep_dead_jobs
from winiadmin.models import ImportJob

logger = logging.getLogger("winiadmin")

_WORKING = [ImportJob.Status.VALIDATING, ImportJob.Status.RUNNING]
#: Tries to queue the next watch: SQLite refuses every other writer while an import loads.
_SCHEDULE_TRIES = 5


def watch(job_id: str, attempt: int) -> str:
    """Keep watching while run ``attempt`` of the job works; sweep dead jobs; say what it did."""
    # The next watch is queued first: a sweep that fails must not end the watch. A run of the job
    # queued again after its worker died has a watch of its own.
    working = ImportJob.objects.filter(
        pk=job_id, status__in=_WORKING, attempts_made=attempt
    ).exists()
    if working:
        _schedule_again(job_id, attempt)
    swept = sweep_dead_jobs()
    return f"swept {swept}; {'watching' if working else 'done'}"


def _schedule_again(job_id: str, attempt: int) -> None:
    for tried in range(1, _SCHEDULE_TRIES + 1):
        try:
            schedule_watch(job_id, attempt)
        except DatabaseError:
            if tried == _SCHEDULE_TRIES:
                raise
            logger.warning("The next watch of job %s not queued yet", job_id, exc_info=True)
            time.sleep(1)
        else:
            return
