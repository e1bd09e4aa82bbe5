"""Create a job from an upload, dry-run it, run it for real: the admin's (and actions') services."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone

from winiadmin.cleaning.mapping import ColumnMapping
from winiadmin.exceptions import WiniadminError
from winiadmin.importers import Importer, get_importer
from winiadmin.jobs.early_preview import EarlyPreview
from winiadmin.jobs.fingerprint import fingerprint_created
from winiadmin.jobs.frames import store_cleaned_frame
from winiadmin.jobs.live_progress import discard as discard_live_progress
from winiadmin.jobs.monitor import ImportCancelled, JobMonitor, worker_name
from winiadmin.jobs.report import build_report
from winiadmin.jobs.states import state_message
from winiadmin.jobs.storage import UploadStorageError, discard_job_files, storage_error_message
from winiadmin.models import ImportJob
from winiadmin.permissions import user_id
from winiadmin.readers import ReadOptions
from winiadmin.results import ImportResult, ImportStatus
from winiadmin.signals import import_finished

if TYPE_CHECKING:
    from collections.abc import Collection

    from django.core.files import File
    from django.core.files.uploadedfile import UploadedFile

    from winiadmin.permissions import User
    from winiadmin.pipeline.run import CleanedCallback


CANCELLED_MESSAGE = "Cancelled; nothing was written."


class JobStateError(WiniadminError):
    """The job is not in a state that allows this step (already running, finished…)."""


class JobCancelled(JobStateError):
    """The run was cancelled while it ran; everything it did was rolled back."""


def create_job(
    *,
    importer: type[Importer],
    upload: UploadedFile[bytes],
    user: User | None,
    options: dict[str, str],
    read_options: dict[str, Any],
    skip_invalid: bool = False,
    target_model: str = "",
) -> ImportJob:
    """Store the upload under a name made from the job id; the user's name is kept as data."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    job = ImportJob(
        importer=importer.get_name(),
        target_model=target_model,
        original_name=(upload.name or "upload")[:255],
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        options=options,
        read_options={k: v for k, v in read_options.items() if v not in (None, "")},
        skip_invalid=skip_invalid,
        user_id=user_id(user),
    )
    try:
        job.file.save(upload.name or "upload", upload, save=False)  # only its suffix is used
    except OSError as exc:  # disk full, permissions: no job, no partial file
        discard_job_files(job.file.storage, job.pk)
        raise UploadStorageError(storage_error_message(exc)) from exc
    job.save()
    return job


#: Where a dry run may start from (again).
VALIDATE_FROM = frozenset({
    ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATED, ImportJob.Status.INVALID,
    ImportJob.Status.FAILED,
})  # fmt: skip
EXECUTE_FROM = frozenset({ImportJob.Status.VALIDATED, ImportJob.Status.INVALID})


def validate_job(job: ImportJob) -> ImportResult:
    """The dry run: every stage, rolled back; stores counts, report and the cleaned frame.

    Raises ``JobCancelled`` when it was cancelled, ``JobStateError`` when it cannot start.
    """
    _claim(job, VALIDATE_FROM, ImportJob.Status.VALIDATING)
    return run_validation(job)


def run_validation(job: ImportJob) -> ImportResult:
    """The dry run of a job already claimed (status VALIDATING)."""
    # The monitor proves the run alive until its final status is saved (winiadmin.jobs.stale).
    with JobMonitor(job.pk, job.status) as monitor:
        early = EarlyPreview(job)  # the cleaned rows are shown while the dry run goes on
        result = _run(job, monitor, dry_run=True, skip_invalid=False, on_cleaned=early)
        job.dry_run_counts = {c.label: c.count for c in result.created}
        job.report = build_report(result)
        job.error = result.error
        job.validated_at = timezone.now()
        job.status = {
            ImportStatus.DRY_RUN: ImportJob.Status.VALIDATED,
            ImportStatus.INVALID: ImportJob.Status.INVALID,
        }.get(result.status, ImportJob.Status.FAILED)
        try:
            job.preview_file = early.stored or store_cleaned_frame(
                job.pk, result.cleaned_frame, result.cleaned_rows
            )
        except OSError as exc:  # a preview nobody can see must not be confirmed blind
            job.preview_file = ""
            job.status = ImportJob.Status.FAILED
            job.error = storage_error_message(exc, what="The preview")
        job.save()
    finished(job)
    return result


def check_confirmable(job: ImportJob, *, skip_invalid: bool, create_missing: bool = False) -> None:
    # Only an invalid job is refused here; any other state is for the claim to judge, so a
    # second confirm of a finished job says what happened to it.
    allowed = job.can_confirm(skip_invalid=skip_invalid, create_missing=create_missing)
    if job.status == ImportJob.Status.INVALID and not allowed:
        msg = "This import cannot run: fix the problems, or choose to skip invalid rows."
        raise JobStateError(msg)


def execute_job(
    job: ImportJob, *, skip_invalid: bool, user: User | None = None, create_missing: bool = False
) -> ImportResult:
    """The real run, once: a second confirm (a refresh, two tabs) finds the job already claimed.

    Raises ``JobCancelled`` when it was cancelled, ``JobStateError`` when it cannot start.
    """
    check_confirmable(job, skip_invalid=skip_invalid, create_missing=create_missing)
    _claim(job, EXECUTE_FROM, ImportJob.Status.RUNNING)
    job.skip_invalid = skip_invalid
    job.create_missing = create_missing
    return run_execution(job, user)


def run_execution(job: ImportJob, user: User | None) -> ImportResult:
    """The real run of a job already claimed (status RUNNING)."""
    job.started_at = timezone.now()
    # The monitor proves the run alive until its final status is saved (winiadmin.jobs.stale).
    with JobMonitor(job.pk, job.status) as monitor:
        result = _run(job, monitor, dry_run=False, skip_invalid=job.skip_invalid, collect_pks=True)
        job.report = build_report(result)
        # Only a committed run created anything: a rolled-back one's keys are gone (or reused).
        created = result.created if result.committed else []
        job.created_counts = {c.label: c.count for c in created}
        job.created_pks = (
            {label: [str(pk) for pk in pks] for label, pks in result.created_pks.items()}
            if result.committed
            else {}
        )
        # What an undo compares against to find rows changed since (winiadmin.jobs.undo).
        job.created_fingerprints = fingerprint_created(job.created_pks)
        job.error = result.error
        job.finished_at = timezone.now()
        job.status = {
            ImportStatus.SUCCEEDED: ImportJob.Status.SUCCEEDED,
            ImportStatus.INVALID: ImportJob.Status.INVALID,
        }.get(result.status, ImportJob.Status.FAILED)
        job.save()
    if result.committed:
        _log(job, user)
    finished(job)
    return result


def finished(job: ImportJob) -> None:
    """The run ended: its live progress file goes; tell the integrations
    (``winiadmin.signals.import_finished``)."""
    discard_live_progress(job.pk)
    import_finished.send(sender=ImportJob, job=job, status=job.status)


def _claim(job: ImportJob, allowed: Collection[ImportJob.Status], new: ImportJob.Status) -> None:
    """Move the job to ``new`` only if nobody else did first (one UPDATE … WHERE status IN)."""
    now = timezone.now()
    fields: dict[str, object] = {
        "worker": worker_name(),
        "heartbeat": now,
        "cancel_requested": False,
        # The previous run's progress (a dry run's "150,000 of 150,000") is not this run's.
        "stage": "",
        "rows_done": 0,
        "rows_total": None,
    }
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status__in=allowed).update(
            status=new, updated_at=now, **fields
        )
    if not claimed:
        job.refresh_from_db()
        raise JobStateError(state_message(job, new))
    job.status = new
    for name, value in fields.items():
        setattr(job, name, value)


def _run(
    job: ImportJob,
    monitor: JobMonitor,
    *,
    dry_run: bool,
    skip_invalid: bool,
    collect_pks: bool = False,
    on_cleaned: CleanedCallback | None = None,
) -> ImportResult:
    """One run of the claimed job, its progress kept by ``monitor`` (already started)."""
    try:
        importer, handle = _prepare(job)
    except WiniadminError as exc:
        # The job is claimed: leave it failed (it may be checked again), not validating/running.
        job.status = ImportJob.Status.FAILED
        job.error = str(exc)
        job.save(update_fields=["status", "error", "updated_at"])
        raise JobStateError(str(exc)) from exc
    try:
        with handle:
            result = importer.run(
                cast("BinaryIO", handle),
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                read_options=ReadOptions(**job.read_options),
                file_name=job.original_name,
                collect_pks=collect_pks,
                create_missing=job.create_missing and not dry_run,
                column_mapping=(
                    None
                    if job.column_mapping is None
                    else ColumnMapping.from_json(job.column_mapping)
                ),
                progress=monitor,
                on_cleaned=on_cleaned,
            )
    except ImportCancelled:
        _cancelled(job, monitor)
        raise JobCancelled(CANCELLED_MESSAGE) from None
    for name, value in monitor.final_fields().items():
        setattr(job, name, value)
    return result


def _cancelled(job: ImportJob, monitor: JobMonitor) -> None:
    """Everything the run did was rolled back; say so on the job."""
    for name, value in monitor.final_fields().items():
        setattr(job, name, value)
    job.status = ImportJob.Status.CANCELLED
    job.error = CANCELLED_MESSAGE
    job.finished_at = timezone.now()
    job.save()
    finished(job)


def _prepare(job: ImportJob) -> tuple[Importer, File[bytes]]:
    """The importer with the job's options, and its upload open; what changed since the upload
    (an option's object deleted, the file removed) is a ``WiniadminError``."""
    if not job.file:
        msg = "The uploaded file was deleted; upload the file again."
        raise WiniadminError(msg)
    importer_cls = get_importer(job.importer)
    try:
        importer = importer_cls(importer_cls.parse_options(job.options))
    except ValueError as exc:
        raise WiniadminError(str(exc)) from exc
    try:
        return importer, job.file.open("rb")
    except OSError as exc:
        msg = "The uploaded file cannot be read any more; upload the file again."
        raise WiniadminError(msg) from exc


def _log(job: ImportJob, user: User | None) -> None:
    """A LogEntry on the job, as the admin writes for its own changes."""
    if user is None or not user.is_authenticated:
        return
    names = {m["label"]: m["verbose_name"] for m in (job.report or {}).get("models", [])}
    summary = (
        ", ".join(f"{n} {names.get(label, label)}" for label, n in job.created_counts.items())
        or "nothing"
    )
    LogEntry.objects.log_actions(
        user_id=cast("int", user.pk),
        queryset=[job],
        action_flag=CHANGE,
        change_message=f"Imported {job.original_name}: created {summary}.",
        single_object=True,
    )
