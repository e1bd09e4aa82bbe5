"""What winiadmin hands to the task backend (``TASKS[WINIADMIN["TASK_BACKEND"]]``): a job's run,
the watch that looks for dead workers while it runs, and the closing of a dead task's record.

The tasks themselves live above the jobs, in :mod:`winiadmin.tasks` (their bodies run the jobs):
the app hands them over once it is ready (:func:`provide_tasks`, from ``WiniadminConfig.ready``),
and they are defined only when first sent, because defining a task validates it against its
backend (``settings.TASKS``), which must not happen at import time.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.tasks import task_backends
from django.utils import timezone

from winiadmin.conf import get_config
from winiadmin.models import ExportJob, ImportJob

if TYPE_CHECKING:
    from collections.abc import Callable
    from uuid import UUID

    from django.tasks import Task

logger = logging.getLogger("winiadmin")


class JobTasks(NamedTuple):
    """The tasks a job's runs are sent as: its run, and the watch for dead workers; and the
    run of a background export."""

    run: Task[[str], str]
    watch: Task[[str, int], str]
    export: Task[[str], str]


_provider: list[Callable[[], JobTasks]] = []


def provide_tasks(provider: Callable[[], JobTasks]) -> None:
    """Say where the tasks come from (called once, by the app config)."""
    _provider[:] = [provider]


def job_tasks() -> JobTasks:
    if not _provider:
        msg = "winiadmin's tasks are not provided: is 'winiadmin' in INSTALLED_APPS?"
        raise RuntimeError(msg)
    return _provider[0]()


def runs_in_background(job: ImportJob) -> bool:
    """Whether the job's runs go to a worker: its upload is at least ``BACKGROUND_THRESHOLD``."""
    threshold = get_config().BACKGROUND_THRESHOLD
    return threshold is not None and job.size >= threshold


def send_job(job_id: UUID | str) -> None:
    """Enqueue ``run_job`` for the job and remember the task's id on it."""
    result = job_tasks().run.using(backend=get_config().TASK_BACKEND).enqueue(str(job_id))
    ImportJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def send_export(job_id: UUID | str) -> None:
    """Enqueue ``run_export`` for the export job and remember the task's id on it."""
    result = job_tasks().export.using(backend=get_config().TASK_BACKEND).enqueue(str(job_id))
    ExportJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def schedule_watch(job_id: UUID | str, attempt: int) -> bool:
    """Enqueue ``watch_job`` to run in ``SWEEP_INTERVAL`` seconds, if the backend can defer tasks.

    Any idle worker picks it up, looks for dead jobs, and queues it again while the job's run
    ``attempt`` (its ``attempts_made`` at the claim) works: so a job whose worker dies is found
    even when no other import runs and no page is viewed.
    """
    config = get_config()
    if not task_backends[config.TASK_BACKEND].supports_defer:
        return False
    when = timezone.now() + timedelta(seconds=config.SWEEP_INTERVAL)
    job_tasks().watch.using(backend=config.TASK_BACKEND, run_after=when).enqueue(
        str(job_id), attempt
    )
    return True


class WorkerDied(Exception):
    """What a dead job's task record says it failed with (nothing raised it: its process died)."""


def close_task_record(job: ImportJob, reason: str) -> bool:
    """Mark the job's django-tasks-db task record failed if it still says RUNNING.

    The worker that ran it died, so the record would say RUNNING forever. Only django-tasks-db's
    records can be closed; other backends keep their own (docs/background.md).
    """
    if not job.task_id:
        return False
    try:
        from django_tasks_db.backend import DatabaseBackend  # noqa: PLC0415
        from django_tasks_db.models import DBTaskResult  # noqa: PLC0415
    except ImportError:  # the optional extra is not installed
        return False
    if not isinstance(task_backends[get_config().TASK_BACKEND], DatabaseBackend):
        return False
    closed = DBTaskResult.objects.filter(id=job.task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        return_value=None,
        exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
        traceback=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}: {reason}\n",
    )
    if closed:
        logger.info("Task %s of job %s closed as failed: its worker died", job.task_id, job.pk)
    return bool(closed)
