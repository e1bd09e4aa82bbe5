"""Background runs: queue a job's dry run or real run for a ``django.tasks`` worker; cancel; retry.

A queued job is claimed by one conditional UPDATE (``status=QUEUED`` → ``VALIDATING``/``RUNNING``),
so when a task is delivered twice, or two workers pick up the same job, exactly one of them runs
it and the other does nothing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from winiadmin.jobs.dispatch import runs_in_background, schedule_watch, send_job
from winiadmin.jobs.monitor import worker_name
from winiadmin.jobs.runner import (
    CANCELLED_MESSAGE,
    EXECUTE_FROM,
    VALIDATE_FROM,
    JobStateError,
    check_confirmable,
    execute_job,
    finished,
    run_execution,
    run_validation,
    validate_job,
)
from winiadmin.jobs.stale import sweep_dead_jobs
from winiadmin.jobs.states import state_message
from winiadmin.models import ImportJob

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from winiadmin.permissions import User

logger = logging.getLogger("winiadmin")

Status = ImportJob.Status
Step = ImportJob.Step

#: The status a worker moves a queued job to, per step.
_RUNNING_STATUS = {Step.VALIDATE: Status.VALIDATING, Step.EXECUTE: Status.RUNNING}


def enqueue_validation(job: ImportJob) -> None:
    """Queue the dry run (from any state a dry run may start from)."""
    _enqueue(job, VALIDATE_FROM, Step.VALIDATE)


def enqueue_execution(job: ImportJob, *, skip_invalid: bool, create_missing: bool = False) -> None:
    """Queue the real run of a checked job (once: a second confirm finds it queued)."""
    check_confirmable(job, skip_invalid=skip_invalid, create_missing=create_missing)
    _enqueue(
        job,
        EXECUTE_FROM,
        Step.EXECUTE,
        skip_invalid=skip_invalid,
        create_missing=create_missing,
    )


def _enqueue(job: ImportJob, allowed: Collection[Status], step: Step, **fields: object) -> None:
    values = {
        "status": Status.QUEUED,
        "queued_step": step,
        "cancel_requested": False,
        "notified": False,
        "stage": "",
        "rows_done": 0,
        "rows_total": None,
        "error": "",
        "attempts_made": 0,  # a person queued it: MAX_ATTEMPTS counts from here
        "updated_at": timezone.now(),
        **fields,
    }
    if not ImportJob.objects.filter(pk=job.pk, status__in=allowed).update(**values):
        job.refresh_from_db()
        raise JobStateError(state_message(job, step))
    # The worker must see the QUEUED row: enqueue once the caller's transaction (if any) commits.
    transaction.on_commit(lambda: send_job(job.pk))
    job.refresh_from_db()


def run_queued(job_id: str) -> str:
    """What a worker does with a job id: claim it, run its queued step; returns what happened.

    First it looks for jobs whose worker died (a worker just started finds its predecessor's),
    and once it has claimed the job it queues a watch task that other workers run meanwhile.
    """
    _never_fatal(sweep_dead_jobs, "Looking for dead jobs")
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    step = Step(job.queued_step) if job.queued_step else Step.VALIDATE
    now = timezone.now()
    started = {"started_at": now} if step == Step.EXECUTE else {}
    claimed = ImportJob.objects.filter(pk=job.pk, status=Status.QUEUED, queued_step=step).update(
        status=_RUNNING_STATUS[step],
        worker=worker_name(),
        heartbeat=now,
        updated_at=now,
        cancel_requested=False,
        attempts_made=F("attempts_made") + 1,
        **started,
    )
    if not claimed:  # cancelled while queued, or another worker has it
        return "not claimed"
    job.refresh_from_db()
    _never_fatal(
        lambda: schedule_watch(job.pk, job.attempts_made), "Queueing the watch of a running job"
    )
    try:
        if step == Step.VALIDATE:
            run_validation(job)
        else:
            run_execution(job, job.user)
    except JobStateError as exc:  # the upload vanished, or cancelled: the job says so
        return str(exc)
    return str(job.status)


def _never_fatal(action: Callable[[], object], what: str) -> None:
    """Run a side duty of a worker; its failure is logged, and the job's run goes on."""
    try:
        action()
    except Exception:
        logger.exception("%s failed", what)


def cancel_job(job: ImportJob) -> bool:
    """Cancel a queued job at once, or ask its worker to stop; ``False`` if it is not active.

    A running job ends CANCELLED when its worker next looks (within ``PROGRESS_INTERVAL``): the
    import's transaction is rolled back, so a cancelled run writes nothing.
    """
    now = timezone.now()
    if ImportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.CANCELLED, error=CANCELLED_MESSAGE, finished_at=now, updated_at=now
    ):
        job.refresh_from_db()
        finished(job)
        return True
    asked = ImportJob.objects.filter(
        pk=job.pk, status__in=[Status.VALIDATING, Status.RUNNING]
    ).update(cancel_requested=True)
    job.refresh_from_db()
    return bool(asked)


def retry_job(job: ImportJob) -> None:
    """Queue a failed job again: its real run if that is what failed, else its dry run.

    A job below ``BACKGROUND_THRESHOLD`` is checked again right here (then confirmed as usual).
    """
    if job.status != Status.FAILED:
        raise JobStateError(state_message(job, "retry"))
    if not runs_in_background(job):
        validate_job(job)
        return
    step = Step(job.queued_step) if job.queued_step else Step.VALIDATE  # the step that failed
    _enqueue(job, {Status.FAILED}, step)


def start_validation(job: ImportJob) -> None:
    """The dry run: queued for a worker when the upload is big enough, else run right here."""
    if runs_in_background(job):
        enqueue_validation(job)
    else:
        validate_job(job)


def start_execution(
    job: ImportJob, *, skip_invalid: bool, user: User | None, create_missing: bool = False
) -> None:
    """The real run: queued for a worker when the upload is big enough, else run right here."""
    if runs_in_background(job):
        enqueue_execution(job, skip_invalid=skip_invalid, create_missing=create_missing)
    else:
        execute_job(job, skip_invalid=skip_invalid, user=user, create_missing=create_missing)
