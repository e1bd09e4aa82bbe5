"""Create a job from an upload, dry-run it, run it for real: the admin's (and actions') services."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone

from winiadmin.exceptions import WiniadminError
from winiadmin.importers import Importer, get_importer
from winiadmin.jobs.fingerprint import fingerprint_created
from winiadmin.jobs.frames import store_cleaned_frame
from winiadmin.jobs.report import build_report
from winiadmin.models import ImportJob
from winiadmin.readers import ReadOptions
from winiadmin.results import ImportResult, ImportStatus

if TYPE_CHECKING:
    from django.core.files import File
    from django.core.files.uploadedfile import UploadedFile

    from winiadmin.permissions import User


class JobStateError(WiniadminError):
    """The job is not in a state that allows this step (already running, finished…)."""


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
        user_id=cast("int", user.pk) if user is not None and user.is_authenticated else None,
    )
    job.file.save(upload.name or "upload", upload, save=False)  # only its suffix is used
    job.save()
    return job


def validate_job(job: ImportJob) -> ImportResult:
    """The dry run: every stage, rolled back; stores counts, report and the cleaned frame."""
    _claim(job, {ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATED, ImportJob.Status.INVALID,
                 ImportJob.Status.FAILED}, ImportJob.Status.VALIDATING)  # fmt: skip
    result = _run(job, dry_run=True, skip_invalid=False)
    job.preview_file = store_cleaned_frame(job.pk, result.cleaned_frame, result.cleaned_rows)
    job.dry_run_counts = {c.label: c.count for c in result.created}
    job.report = build_report(result)
    job.error = result.error
    job.validated_at = timezone.now()
    job.status = {
        ImportStatus.DRY_RUN: ImportJob.Status.VALIDATED,
        ImportStatus.INVALID: ImportJob.Status.INVALID,
    }.get(result.status, ImportJob.Status.FAILED)
    job.save()
    return result


def execute_job(job: ImportJob, *, skip_invalid: bool, user: User | None = None) -> ImportResult:
    """The real run, once: a second confirm (a refresh, two tabs) finds the job already claimed."""
    # Only an invalid job is refused here; any other state is for the claim to judge, so a
    # second confirm of a finished job says what happened to it.
    if job.status == ImportJob.Status.INVALID and not job.can_confirm(skip_invalid=skip_invalid):
        msg = "This import cannot run: fix the problems, or choose to skip invalid rows."
        raise JobStateError(msg)
    _claim(job, {ImportJob.Status.VALIDATED, ImportJob.Status.INVALID}, ImportJob.Status.RUNNING)
    job.skip_invalid = skip_invalid
    job.started_at = timezone.now()
    result = _run(job, dry_run=False, skip_invalid=skip_invalid, collect_pks=True)
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
    return result


def _claim(job: ImportJob, allowed: set[ImportJob.Status], new: ImportJob.Status) -> None:
    """Move the job to ``new`` only if nobody else did first (one UPDATE … WHERE status IN)."""
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status__in=allowed).update(
            status=new, updated_at=timezone.now()
        )
    if not claimed:
        job.refresh_from_db()
        msg = f"This import is {job.get_status_display().lower()}; it cannot do that now."
        raise JobStateError(msg)
    job.status = new


def _run(
    job: ImportJob, *, dry_run: bool, skip_invalid: bool, collect_pks: bool = False
) -> ImportResult:
    try:
        importer, handle = _prepare(job)
    except WiniadminError as exc:
        # The job is claimed: leave it failed (it may be checked again), not validating/running.
        job.status = ImportJob.Status.FAILED
        job.error = str(exc)
        job.save(update_fields=["status", "error", "updated_at"])
        raise JobStateError(str(exc)) from exc
    with handle:
        return importer.run(
            cast("BinaryIO", handle),
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            read_options=ReadOptions(**job.read_options),
            file_name=job.original_name,
            collect_pks=collect_pks,
        )


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
