"""The ``django.tasks`` tasks a worker runs for background jobs (see docs/background.md).

Their argument is the job id (text; the watch also takes the run's attempt number): everything
else is read from the job, so a task can be delivered to any worker on any machine that shares
the database and the upload storage.
"""

from django.conf import settings
from django.tasks import task

from winiadmin.conf import get_config
from winiadmin.jobs.background import run_queued
from winiadmin.jobs.exports import run_export_job
from winiadmin.jobs.watch import watch
from winiadmin.webhooks.send import deliver


@task
def run_job(job_id: str) -> str:
    """Claim the job and run its queued step (dry run or import); returns the job's new status."""
    return run_queued(job_id)


@task
def watch_job(job_id: str, attempt: int) -> str:
    """While that run of the job works, look for dead jobs every ``SWEEP_INTERVAL`` seconds."""
    return watch(job_id, attempt)


@task
def run_export(job_id: str) -> str:
    """Claim the export job and write its file (docs/export.md); returns its new status."""
    return run_export_job(job_id)


@task
def deliver_webhook(delivery_id: str) -> str:
    """One attempt at a webhook delivery (it schedules its own retry); returns its status."""
    return deliver(delivery_id)


def bind_to_task_backend() -> None:
    """Bind the tasks once to the backend that winiadmin enqueues on, as a worker would.

    Some backends learn of a task only when it is bound to them: django-tasks-celery registers it
    with Celery then. A Celery worker imports this module (``autodiscover_tasks``) and knows the
    tasks otherwise only under the alias ``default``; with ``TASK_BACKEND`` another alias it would
    drop the jobs' messages as unregistered tasks.
    """
    alias = get_config().TASK_BACKEND
    if alias not in settings.TASKS:  # a missing alias is E006's
        return
    for bound in (run_job, watch_job, run_export, deliver_webhook):
        if alias != bound.backend:
            bound.using(backend=alias)


bind_to_task_backend()
