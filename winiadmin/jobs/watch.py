"""The watch task's work: look for dead jobs while one job works, then come back later.

``run_queued`` queues it (deferred by ``SWEEP_INTERVAL``) when it claims a job. An idle worker,
or one started after a crash, runs it; it queues itself again as long as that job is working, so
at most one watch per working job waits in the queue, and none once every job has ended.
"""

from __future__ import annotations

from winiadmin.jobs.dispatch import schedule_watch
from winiadmin.jobs.stale import sweep_dead_jobs
from winiadmin.models import ImportJob

_WORKING = [ImportJob.Status.VALIDATING, ImportJob.Status.RUNNING]


def watch(job_id: str) -> str:
    """Sweep dead jobs; keep watching while ``job_id`` works. Returns what it did."""
    swept = sweep_dead_jobs()
    working = ImportJob.objects.filter(pk=job_id, status__in=_WORKING).exists()
    if working:
        schedule_watch(job_id)
    return f"swept {swept}; {'watching' if working else 'done'}"
