"""Create a job from an upload, dry-run it, run it for real: the admin's (and actions') services."""

from __future__ import annotations

import hashlib
import logging
from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NoReturn, cast

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy

from winiadmin.cleaning.mapping import ColumnMapping
from winiadmin.conf import get_config
from winiadmin.db.key_runs import stored_form
from winiadmin.exceptions import WiniadminError
from winiadmin.importers import Importer, RunOptions, get_importer
from winiadmin.jobs.check_inputs import check_fingerprint
from winiadmin.jobs.conventions import job_conventions, upload_conventions
from winiadmin.jobs.early_preview import EarlyPreview
from winiadmin.jobs.edits import apply_edits, edits_of
from winiadmin.jobs.ended import finished
from winiadmin.jobs.fence import (
    CANCELLED_MESSAGE,
    AttemptFenced,
    Fence,
    ImportCancelled,
    cancelled_fields,
    new_attempt,
)
from winiadmin.jobs.fingerprint import fingerprint_created
from winiadmin.jobs.frames import ROW_GROUP_SIZE as CLEANED_ROW_GROUP_SIZE
from winiadmin.jobs.frames import cleaned_frame, store_cleaned_frame, stored_batches
from winiadmin.jobs.local_file import local_upload
from winiadmin.jobs.monitor import JobMonitor, worker_name
from winiadmin.jobs.parquet_parts import ParquetParts
from winiadmin.jobs.raw import RAW_ROW_GROUP_SIZE, raw_frame
from winiadmin.jobs.report import build_report
from winiadmin.jobs.states import state_message
from winiadmin.jobs.value_mappings import saved_value_mappings
from winiadmin.models import ImportJob
from winiadmin.permissions import user_id
from winiadmin.readers import RawTable, ReadOptions
from winiadmin.results import ImportResult, ImportStatus
from winiadmin.storage import (
    UploadStorageError,
    discard_job_files,
    preview_name,
    raw_name,
    storage_error_message,
    upload_storage,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from django.core.files.uploadedfile import UploadedFile

    from winiadmin.cleaning.conventions import FileConventions
    from winiadmin.permissions import User


logger = logging.getLogger("winiadmin")

__all__ = ["CANCELLED_MESSAGE", "JobCancelled", "JobStateError", "JobSuperseded"]


class JobStateError(WiniadminError):
    """The job is not in a state that allows this step (already running, finished…)."""


class JobCancelled(JobStateError):
    """The run was cancelled while it ran; everything it did was rolled back."""


class JobSuperseded(JobStateError):
    """The job was taken over by another attempt (stale, retried): this run wrote nothing."""


SUPERSEDED_MESSAGE = gettext_lazy(
    "This run was taken over by another attempt (it was taken for dead and retried); "
    "it wrote nothing."
)


def create_job(  # noqa: PLR0913 - keyword-only: the ImportJob fields an upload sets
    *,
    importer: type[Importer],
    upload: UploadedFile[bytes],
    user: User | None,
    options: dict[str, str],
    read_options: dict[str, Any],
    skip_invalid: bool = False,
    target_model: str = "",
    fixed_values: Mapping[str, object] | None = None,
    user_scoped: bool = False,
    conventions: FileConventions | None = None,
) -> ImportJob:
    """Store the upload under a name made from the job id; the user's name is kept as data.
    ``fixed_values``: set on every created row, whoever runs the job
    (``ImportJob.fixed_values``); ``user_scoped``: started outside the admin
    (``ImportJob.user_scoped``); ``conventions``: how the file writes numbers and dates, as
    chosen on upload (over those the user accepted before for the importer; remembered for the
    next upload)."""
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
        fixed_values=dict(fixed_values or {}),
        user_scoped=user_scoped,
        language=get_language() or "",
        conventions=upload_conventions(importer.get_name(), user, conventions),
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
    with JobMonitor(job.pk, job.status, job.attempt) as monitor:
        result, outcome = _validate(job, monitor)
    finished(job)
    if outcome == "cancelled":
        raise JobCancelled(CANCELLED_MESSAGE)
    return result


def _validate(job: ImportJob, monitor: JobMonitor) -> tuple[ImportResult, str]:
    """The dry run and the write of its outcome (if the job is still this attempt's)."""
    fence = Fence.of(job)
    # The importer's saved value mappings as they are now: kept with the check's outcome, they
    # are what the confirm applies (winiadmin.jobs.value_mappings).
    # A job started outside the admin gets none: they are shared by the importer's admin users.
    job.value_mappings = {} if job.user_scoped else dict(saved_value_mappings(job.importer))
    inputs = _check_inputs(job)  # as this check reads them, before it starts
    early = EarlyPreview(job)  # the cleaned rows are shown while the dry run goes on
    earlier_preview = job.preview_file
    with ParquetParts(CLEANED_ROW_GROUP_SIZE) as cleaned:  # every batch's, for the preview pages
        run_options = RunOptions(
            dry_run=True,
            on_cleaned=early,
            on_batch=lambda batch: cleaned.add(cleaned_frame(batch.frame, batch.row_numbers)),
            fixed_values=job.fixed_values,
        )
        result, progress = _run(job, fence, monitor, run_options)
        preview, preview_error = _store_preview(job, result, early, cleaned)
    fields: dict[str, object] = {
        **progress,
        **_inputs(job),
        "dry_run_counts": {c.label: c.count for c in result.created},
        "report": build_report(result).to_json(),
        "error": result.error,
        "validated_at": timezone.now(),
        "status": {
            ImportStatus.DRY_RUN: ImportJob.Status.VALIDATED,
            ImportStatus.INVALID: ImportJob.Status.INVALID,
        }.get(result.status, ImportJob.Status.FAILED),
    }
    fields["preview_file"] = preview
    if preview_error:  # a preview nobody can see must not be confirmed blind
        fields |= {"status": ImportJob.Status.FAILED, "error": preview_error}
    # The confirm may start from these cleaned rows only if nothing was found in them (the real
    # run's report then lacks nothing the check's had) and they are all stored.
    reusable = fields["status"] == ImportJob.Status.VALIDATED and not result.problems
    fields["checked_inputs"] = inputs if reusable and preview else ""
    outcome = fence.finish(fields, committed=False)
    stored = str(fields["preview_file"])
    if outcome == "fenced":
        _delete_file(stored)
        raise JobSuperseded(SUPERSEDED_MESSAGE)
    if earlier_preview and earlier_preview != stored:
        _delete_file(earlier_preview)  # an earlier attempt's, no longer shown
    _settle(job, outcome, fields)
    return result, outcome


def _store_preview(
    job: ImportJob, result: ImportResult, early: EarlyPreview, cleaned: ParquetParts
) -> tuple[str, str]:
    """The stored preview's name (every batch's cleaned rows), or ``""`` and why it failed.

    Named after the attempt: a fenced-off run's preview never replaces its retry's."""
    try:
        if cleaned.count > 1:  # a streamed file: the early preview held its first batch
            return cleaned.save(preview_name(job.pk, job.attempt)), ""
        return early.stored or store_cleaned_frame(
            job.pk, result.cleaned_frame, result.cleaned_rows, attempt=job.attempt
        ), ""
    except OSError as exc:
        return "", storage_error_message(exc, preview=True)


def _check_inputs(job: ImportJob) -> str:
    """The fingerprint of what this check's reading and cleaning depend on (``""``: unknown)."""
    try:
        importer = get_importer(job.importer)
    except WiniadminError:  # the run says why it cannot start
        return ""
    if importer.sheets or importer.stream_group_by:
        # A workbook's sheets are cleaned inside the run; groups of rows kept in one batch are
        # cut by the check's reader, not by the stored rows' batches: nothing to reuse.
        return ""
    return check_fingerprint(job, importer)


def _batch_rows(job: ImportJob) -> int | None:
    """Rows per batch of the reused cleaned rows: a streamed check's batch size, else the whole
    file in one batch, as the check had it (references between rows stay in their batch)."""
    return get_config().STREAM_BATCH_ROWS if "streamed" in job.import_report.source.items else None


def _reusable_check(job: ImportJob) -> bool:
    """Whether the real run may start from the check's cleaned rows: the check stored their
    inputs' fingerprint, they are the same now, and the rows are still there."""
    why = _not_reusable(job)
    if why:  # the confirm reads and cleans the file again; the log says why (issue 19)
        logger.info("Job %s: the confirm does not reuse the check: %s", job.pk, why)
    return not why


def _not_reusable(job: ImportJob) -> str:
    """Why the check's cleaned rows cannot be reused (``""``: they can)."""
    if not job.checked_inputs:
        return "the check stored no fingerprint (it found problems, or cannot be reused)"
    if not job.preview_file:
        return "the check stored no cleaned rows"
    if _check_inputs(job) != job.checked_inputs:
        return "the check's inputs changed since (file, mapping, edits, options, version…)"
    try:
        exists = upload_storage().exists(job.preview_file)
    except OSError as exc:
        return f"its cleaned rows cannot be reached ({exc})"
    return "" if exists else "its cleaned rows are gone"


def check_confirmable(job: ImportJob, *, skip_invalid: bool, create_missing: bool = False) -> None:
    # Only an invalid job is refused here; any other state is for the claim to judge, so a
    # second confirm of a finished job says what happened to it.
    if job.edits_pending:
        msg = gettext("The data was edited since the last check: check it again before importing.")
        raise JobStateError(msg)
    allowed = job.can_confirm(skip_invalid=skip_invalid, create_missing=create_missing)
    if job.status == ImportJob.Status.INVALID and not allowed:
        msg = gettext("This import cannot run: fix the problems, or choose to skip invalid rows.")
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
    # The monitor proves the run alive until its final status is saved (winiadmin.jobs.stale).
    with JobMonitor(job.pk, job.status, job.attempt) as monitor:
        result, outcome = _execute(job, user, monitor)
    finished(job)
    if outcome == "cancelled":
        raise JobCancelled(CANCELLED_MESSAGE)
    return result


def _execute(job: ImportJob, user: User | None, monitor: JobMonitor) -> tuple[ImportResult, str]:
    """The real run and the write of its outcome (if the job is still this attempt's)."""
    fence = Fence.of(job)
    started_at = job.started_at or timezone.now()
    reused = _reusable_check(job)
    options = RunOptions(
        skip_invalid=job.skip_invalid,
        collect_pks=True,
        fixed_values=job.fixed_values,
        cleaned_batches=(lambda: stored_batches(job.preview_file, _batch_rows(job)))
        if reused
        else None,
    )
    result, progress = _run(job, fence, monitor, options)
    if reused:  # how the file was read is the check's
        result.source_info = {**job.import_report.source.items, **result.source_info}
    # Only a committed run created anything: a rolled-back one's keys are gone (or reused).
    # A streamed run's keys are kept as ranges (winiadmin.db.key_runs), a Python object a run.
    created_pks: dict[str, object] = {}
    if result.committed:
        created_pks = {label: [str(pk) for pk in pks] for label, pks in result.created_pks.items()}
        created_pks |= {label: stored_form(keys) for label, keys in result.created_keys.items()}
    fields: dict[str, object] = {
        **progress,
        **_inputs(job),
        "started_at": started_at,
        "report": build_report(result).to_json(),
        "created_counts": {c.label: c.count for c in result.created} if result.committed else {},
        "created_pks": created_pks,
        # What an undo compares against to find rows changed since (winiadmin.jobs.undo).
        "created_fingerprints": fingerprint_created(created_pks),
        "error": result.error,
        "finished_at": timezone.now(),
        "status": {
            ImportStatus.SUCCEEDED: ImportJob.Status.SUCCEEDED,
            ImportStatus.INVALID: ImportJob.Status.INVALID,
        }.get(result.status, ImportJob.Status.FAILED),
    }

    def log() -> None:  # the log entry commits with the job's final state, or not at all
        _settle(job, "written", fields)
        _log(job, user)

    outcome = fence.finish(
        fields, committed=result.committed, also=log if result.committed else None
    )
    if outcome == "fenced":  # cannot have committed: its fence check would have refused
        raise JobSuperseded(SUPERSEDED_MESSAGE)
    _settle(job, outcome, fields)
    return result, outcome


def _claim(job: ImportJob, allowed: Collection[ImportJob.Status], new: ImportJob.Status) -> None:
    """Move the job to ``new`` only if nobody else did first (one UPDATE … WHERE status IN)."""
    now = timezone.now()
    fields: dict[str, object] = {
        "worker": worker_name(),
        "heartbeat": now,
        "cancel_requested": False,
        "attempt": new_attempt(),
        "db_pid": None,
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
    fence: Fence,
    monitor: JobMonitor,
    options: RunOptions,
) -> tuple[ImportResult, dict[str, object]]:
    """One run of the claimed job, its progress kept by ``monitor`` (already started); returns
    the result and the last progress, for the final write. ``options``: what the caller
    chooses (dry run or not); the job's own choices are added here."""
    with ExitStack() as stack:
        importer, path = _open(job, fence, stack)
        _record_backend_pid(fence)
        # The upload is read by path, like a file given to the command: a large one in batches.
        # The job's edits apply between reading and cleaning, in the check and the run alike,
        # batch by batch; a check keeps the table as read (batch by batch) for the edits to
        # come. A workbook of several sheets is read by the run itself (no edits for it yet).
        raw = stack.enter_context(ParquetParts(RAW_ROW_GROUP_SIZE))
        edits = edits_of(job)
        keep = options.dry_run

        def prepare(table: RawTable) -> RawTable:
            if keep:
                raw.add(raw_frame(table))
            return apply_edits(table, edits)

        try:
            result = importer.run(
                path,
                replace(
                    options,
                    read_options=ReadOptions(**job.read_options),
                    file_name=job.original_name,
                    create_missing=job.create_missing and not options.dry_run,
                    column_mapping=(
                        None
                        if job.column_mapping is None
                        else ColumnMapping.from_json(job.column_mapping)
                    ),
                    value_mappings=job.value_mappings or None,
                    conventions=job_conventions(job),
                    # Chosen one by one before the check: the dry run shows them created too.
                    create_values=job.create_values or None,
                    progress=monitor,
                    before_commit=None if options.dry_run else fence.before_commit,
                    prepare_batch=None if importer.sheets else prepare,
                ),
            )
        except ImportCancelled:
            _cancelled(job, fence, monitor)
        except AttemptFenced:
            raise JobSuperseded(SUPERSEDED_MESSAGE) from None
        except DatabaseError:
            # PostgreSQL: the web process cancelled the running statement (pg_cancel_backend).
            if not (monitor.cancel_seen or fence.cancel_pending() or _flag_set(fence)):
                raise
            _cancelled(job, fence, monitor)
        if keep:
            _keep_raw(job, raw)
    return result, monitor.final_fields()


def _keep_raw(job: ImportJob, raw: ParquetParts) -> None:
    """The table as read, every batch of it, kept for the edits (``winiadmin.jobs.raw``)."""
    if not raw.count:
        return
    try:
        raw.save(raw_name(job.pk))
    except OSError:  # the check goes on; only editing waits for a check that could keep it
        logger.warning("The table of import job %s could not be kept for edits", job.pk)


def _open(job: ImportJob, fence: Fence, stack: ExitStack) -> tuple[Importer, str]:
    """The job's importer, and its upload as a local path while ``stack`` is open; a job that
    cannot run any more is left failed (``JobStateError``)."""
    try:
        return _prepare(job), stack.enter_context(local_upload(job.file))
    except (WiniadminError, OSError) as exc:
        error = exc if isinstance(exc, WiniadminError) else WiniadminError(UNREADABLE)
        # The job is claimed: leave it failed (it may be checked again), not validating/running.
        failed = fence.jobs().update(
            status=ImportJob.Status.FAILED, error=str(error), updated_at=timezone.now()
        )
        job.refresh_from_db()
        if failed:  # this run ended it (a fenced-off run did not): the integrations are told
            finished(job)
        raise JobStateError(str(error)) from exc


def _cancelled(job: ImportJob, fence: Fence, monitor: JobMonitor) -> NoReturn:
    """Everything the run did was rolled back; say so on the job (if it is still this run's)."""
    fields = {**monitor.final_fields(), **cancelled_fields(), "updated_at": timezone.now()}
    if not fence.jobs().update(**fields, db_pid=None):
        raise JobSuperseded(SUPERSEDED_MESSAGE)
    job.refresh_from_db()
    finished(job)
    raise JobCancelled(CANCELLED_MESSAGE)


def _settle(job: ImportJob, outcome: str, fields: dict[str, object]) -> None:
    """The job object as written (the fields as built, in their order), or as stored."""
    if outcome != "written":
        job.refresh_from_db()
        return
    for name, value in fields.items():
        setattr(job, name, value)
    job.db_pid = None


def _inputs(job: ImportJob) -> dict[str, object]:
    """What the run was given, as the caller set it on the job (kept with its outcome)."""
    return {
        "read_options": job.read_options,
        "column_mapping": job.column_mapping,
        "conventions": job.conventions,
        "skip_invalid": job.skip_invalid,
        "create_missing": job.create_missing,
        "value_mappings": job.value_mappings,
        "create_values": job.create_values,
    }


def _flag_set(fence: Fence) -> bool:
    return fence.jobs().filter(cancel_requested=True).exists()


def _record_backend_pid(fence: Fence) -> None:
    """PostgreSQL: the pid of this run's connection, so that a cancel can stop its statement."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    if row is not None:
        fence.jobs().update(db_pid=int(row[0]))


def _delete_file(name: str) -> None:
    if not name:
        return
    try:
        upload_storage().delete(name)
    except OSError:  # already gone; nothing else reads it
        return


#: Why a claimed job's upload cannot be read (gone from the storage, a permission).
UNREADABLE = gettext_lazy("The uploaded file cannot be read any more; upload the file again.")


def _prepare(job: ImportJob) -> Importer:
    """The importer with the job's options; what changed since the upload (an option's object
    deleted, the file removed) is a ``WiniadminError``."""
    if not job.file:
        msg = gettext("The uploaded file was deleted; upload the file again.")
        raise WiniadminError(msg)
    importer_cls = get_importer(job.importer)
    try:
        return importer_cls(importer_cls.parse_options(job.options))
    except ValueError as exc:
        raise WiniadminError(str(exc)) from exc


def _log(job: ImportJob, user: User | None) -> None:
    """A LogEntry on the job, as the admin writes for its own changes."""
    if user is None or not user.is_authenticated:
        return
    names = job.import_report.model_names
    summary = ", ".join(
        f"{n} {names.get(label, label)}" for label, n in job.created_counts.items()
    ) or gettext("nothing")
    LogEntry.objects.log_actions(
        user_id=cast("int", user.pk),
        queryset=[job],
        action_flag=CHANGE,
        change_message=gettext("Imported %(name)s: created %(summary)s.")
        % {"name": job.original_name, "summary": summary},
        single_object=True,
    )
