"""Background runs: queue a job's dry run or real run for a ``django.tasks`` worker; cancel; retry.

A queued job is claimed by one conditional UPDATE (``status=QUEUED`` → ``VALIDATING``/``RUNNING``),
so when a task is delivered twice, or two workers pick up the same job, exactly one of them runs
it and the other does nothing. The claim gives the job a new attempt token; the run writes and
commits only while the job still carries it (``winiadmin.jobs.fence``).
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from winiadmin.jobs import cancel_flag
from winiadmin.jobs.dispatch import runs_in_background, schedule_watch, send_job
from winiadmin.jobs.ended import finished
from winiadmin.jobs.fence import new_attempt
from winiadmin.jobs.monitor import worker_name
from winiadmin.jobs.runner import (
    CANCELLED_MESSAGE,
    EXECUTE_FROM,
    VALIDATE_FROM,
    JobStateError,
    check_confirmable,
    execute_job,
    run_execution,
    run_validation,
    validate_job,
)
from winiadmin.jobs.stale import sweep_dead_jobs
from winiadmin.jobs.states import state_message
from winiadmin.jobs.vacuum import vacuum_after_check
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
        attempt=new_attempt(),
        db_pid=None,
        **started,
    )
    if not claimed:  # cancelled while queued, or another worker has it
        return "not claimed"
    job.refresh_from_db()
    _never_fatal(
        lambda: schedule_watch(job.pk, job.attempts_made), "Queueing the watch of a running job"
    )
    # The problems and messages in the uploader's language, as the wizard would have written them.
    language = translation.override(job.language) if job.language else nullcontext()
    try:
        with language:
            if step == Step.VALIDATE:
                result = run_validation(job)
                # PostgreSQL: the check's rolled-back rows freed before the confirm reads past
                # them (winiadmin.jobs.vacuum); the job is already VALIDATED, the preview shown.
                _never_fatal(lambda: vacuum_after_check(result), "Vacuuming after the check")
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


class CancelOutcome(StrEnum):
    """What a cancel did; true when the import was (or will be) cancelled."""

    CANCELLED = "cancelled"  # it was queued: cancelled at once
    CANCELLING = "cancelling"  # running: it stops and rolls back, before it commits at the latest
    TOO_LATE = "too late"  # running, but already committing: it will not be cancelled
    NOT_RUNNING = "not running"  # finished already (or never started)

    def __bool__(self) -> bool:
        return self in {CancelOutcome.CANCELLED, CancelOutcome.CANCELLING}


_WORKING = (Status.VALIDATING, Status.RUNNING)


def cancel_job(job: ImportJob) -> CancelOutcome:
    """Cancel a queued job at once, or make its running attempt stop and roll back.

    A running attempt's cancel is recorded first as its outcome file (``cancel_flag``), which needs
    no database lock, so the answer comes at once even while an SQLite worker holds the write lock;
    the worker sees it within ``PROGRESS_INTERVAL`` and, at the latest, just before it commits, and
    ends the job CANCELLED with everything rolled back. On PostgreSQL the flag is also stored in
    the job's row and the worker's running statement is cancelled (``pg_cancel_backend``), so a
    long load stops within about a second.
    """
    job.refresh_from_db()  # a read: never waits for a writer
    if job.status == Status.QUEUED:
        now = timezone.now()
        if ImportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
            status=Status.CANCELLED, error=CANCELLED_MESSAGE, finished_at=now, updated_at=now
        ):
            job.refresh_from_db()
            finished(job)
            return CancelOutcome.CANCELLED
        job.refresh_from_db()  # claimed meanwhile: cancel the running attempt
    if job.status not in _WORKING or job.attempt is None:
        return CancelOutcome.NOT_RUNNING
    if cancel_flag.decide(job.pk, job.attempt, "cancel") != "cancel":
        return CancelOutcome.TOO_LATE
    if connection.vendor == "postgresql":
        _cancel_in_postgres(job)
    job.cancel_requested = True
    return CancelOutcome.CANCELLING


def _cancel_in_postgres(job: ImportJob) -> None:
    """The flag in the row too, then stop the attempt's running statement (if it still runs)."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:  # a worker frozen mid-commit holds the row
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            ImportJob.objects.filter(pk=job.pk, attempt=job.attempt, status__in=_WORKING).update(
                cancel_requested=True
            )
        # One statement, guarded: only this attempt's backend, only while the job still runs.
        table = ImportJob._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pg_cancel_backend(db_pid) FROM {connection.ops.quote_name(table)} "  # noqa: S608 - our own table name
                "WHERE id = %s AND attempt = %s AND status IN (%s, %s) AND db_pid IS NOT NULL",
                [job.pk, job.attempt, *_WORKING],
            )
    except DatabaseError:  # no permission to signal, say: the worker still sees the flag
        logger.warning("Could not stop the running statement of job %s", job.pk, exc_info=True)


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
