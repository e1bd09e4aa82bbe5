"""The ``django.tasks`` task a worker runs for a background job (see docs/background.md).

Its only argument is the job id (text): everything else is read from the job, so a task can be
delivered to any worker on any machine that shares the database and the upload storage.
"""

from django.tasks import task

from winiadmin.jobs.background import run_queued


@task
def run_job(job_id: str) -> str:
    """Claim the job and run its queued step (dry run or import); returns the job's new status."""
    return run_queued(job_id)
