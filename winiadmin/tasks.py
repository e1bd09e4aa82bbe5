"""The ``django.tasks`` task a worker runs for a background job (see docs/background.md).

Its only argument is the job id (text): everything else is read from the job, so a task can be
delivered to any worker on any machine that shares the database and the upload storage.
"""

from django.conf import settings
from django.tasks import task

from winiadmin.conf import get_config
from winiadmin.jobs.background import run_queued


@task
def run_job(job_id: str) -> str:
    """Claim the job and run its queued step (dry run or import); returns the job's new status."""
    return run_queued(job_id)


def bind_to_task_backend() -> None:
    """Bind ``run_job`` once to the backend that winiadmin enqueues on, as a worker would.

    Some backends learn of a task only when it is bound to them: django-tasks-celery registers it
    with Celery then. A Celery worker imports this module (``autodiscover_tasks``) and knows
    ``run_job`` otherwise only under the alias ``default``; with ``TASK_BACKEND`` another alias it
    would drop the jobs' messages as unregistered tasks.
    """
    alias = get_config().TASK_BACKEND
    if alias != run_job.backend and alias in settings.TASKS:  # a missing alias is E006's
        run_job.using(backend=alias)


bind_to_task_backend()
