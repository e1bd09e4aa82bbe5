"""The ``django.tasks`` tasks a worker runs for background jobs (see docs/background.md).

Their argument is the job id (text; the watch also takes the run's attempt number): everything
else is read from the job, so a task can be delivered to any worker on any machine that shares
the database and the upload storage.
"""

from django.tasks import task

from winiadmin.jobs.background import run_queued
from winiadmin.jobs.watch import watch


@task
def run_job(job_id: str) -> str:
    """Claim the job and run its queued step (dry run or import); returns the job's new status."""
    return run_queued(job_id)


@task
def watch_job(job_id: str, attempt: int) -> str:
    """While that run of the job works, look for dead jobs every ``SWEEP_INTERVAL`` seconds."""
    return watch(job_id, attempt)
