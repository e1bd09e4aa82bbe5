"""Background exports: an ``ExportJob`` made from a queryset, run by a task worker.

The worker rebuilds the queryset from the job (its pickled ``Query``, as Django documents
pickling one), streams it to a scratch file with :func:`winiadmin.exports.export_queryset`,
writing the progress and looking for a cancel every ``PROGRESS_INTERVAL`` seconds, and keeps
the file in the private storage until ``EXPORT_LINK_HOURS`` after the end (the link expires;
:func:`cleanup_expired_exports` deletes the file).
"""

from __future__ import annotations

import logging
import pickle
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from winiadmin.conf import get_config
from winiadmin.exports import (
    ExportCancelled,
    ExportOptions,
    export_columns,
    export_queryset,
    find_export_importer,
)
from winiadmin.jobs.dead_exports import sweep_dead_exports
from winiadmin.jobs.liveness import has_liveness_locks, hold_job_lock, release_job_lock
from winiadmin.models import ExportJob
from winiadmin.storage import export_name, upload_storage

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from winiadmin.exports import ExportColumns
    from winiadmin.progress import Progress

logger = logging.getLogger("winiadmin")
Status = ExportJob.Status


def runs_export_in_background(rows: int) -> bool:
    """Whether an export of ``rows`` rows goes to a worker (``EXPORT_BACKGROUND_ROWS``)."""
    threshold = get_config().EXPORT_BACKGROUND_ROWS
    return threshold is not None and rows >= threshold


def create_export_job(  # noqa: PLR0913 - keyword-only: the job's columns, by name
    *,
    user_id: int | None,
    rows: QuerySet[Model],
    importer: str,
    columns: ExportColumns,
    fmt: str,
    file_name: str,
) -> ExportJob:
    return ExportJob.objects.create(
        user_id=user_id,
        model=columns.model._meta.label,
        importer=importer,
        format=fmt,
        columns=columns.headers,
        query=pickle.dumps(rows.query),
        file_name=file_name,
    )


def job_rows(job: ExportJob) -> QuerySet[Model]:
    """The job's queryset again, from its pickled query."""
    model: type[Model] = apps.get_model(job.model)
    rows: QuerySet[Model] = model._default_manager.all()
    # The pickle was written by this server (create_export_job), never by a user.
    rows.query = pickle.loads(bytes(job.query))  # noqa: S301
    return rows


def run_export_job(job_id: str) -> str:
    """Claim the queued job and export it; returns its new status."""
    sweep_dead_exports()
    claimed = ExportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, updated_at=timezone.now()
    )
    job = ExportJob.objects.get(pk=job_id)
    if not claimed:
        return str(job.status)
    # Proof of life on PostgreSQL until this connection closes (winiadmin.jobs.dead_exports).
    locked = has_liveness_locks() and hold_job_lock(job.pk)
    try:
        return _run(job)
    finally:
        if locked:
            release_job_lock(job.pk)


def _run(job: ExportJob) -> str:
    scratch = Path(tempfile.mkdtemp(prefix="winiadmin-export-")) / f"export.{job.format}"
    try:
        model = apps.get_model(job.model)
        columns = export_columns(find_export_importer(job.importer), model).chosen(job.columns)
        watch = _Watch(job)
        options = ExportOptions(job.format, progress=watch.progress, cancelled=watch.cancelled)
        count = export_queryset(job_rows(job), columns, scratch, options)
        name = _store(job, scratch)
    except ExportCancelled:
        return _finish(job, Status.CANCELLED)
    except Exception as exc:
        logger.exception("Export %s failed", job.pk)
        return _finish(job, Status.FAILED, error=_("The export failed: %(error)s") % {"error": exc})
    finally:
        scratch.unlink(missing_ok=True)
        scratch.parent.rmdir()
    hours = get_config().EXPORT_LINK_HOURS
    now = timezone.now()
    stored = ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.SUCCEEDED,
        file=name,
        rows_done=count,
        rows_total=count,
        finished_at=now,
        expires_at=now + timedelta(hours=hours),
        updated_at=now,
    )
    if not stored:  # marked dead meanwhile (winiadmin.jobs.dead_exports): it keeps its reason
        upload_storage().delete(name)
        return str(ExportJob.objects.get(pk=job.pk).status)
    return str(Status.SUCCEEDED)


def _store(job: ExportJob, scratch: Path) -> str:
    with scratch.open("rb") as handle:
        return upload_storage().save(export_name(job.pk, job.format), File(handle))


def _finish(job: ExportJob, status: str, error: str = "") -> str:
    """The job's end, unless it was marked dead meanwhile; its status now."""
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=status, error=error, finished_at=now, updated_at=now
    )
    return str(ExportJob.objects.get(pk=job.pk).status)


class _Watch:
    """Writes the progress and reads the cancel flag, at most every ``PROGRESS_INTERVAL``."""

    def __init__(self, job: ExportJob) -> None:
        self.job_id = job.pk
        self.interval = get_config().PROGRESS_INTERVAL
        self.last_write = 0.0
        self.last_look = 0.0

    def progress(self, progress: Progress) -> None:
        now = time.monotonic()
        finished = progress.total is not None and progress.done >= progress.total
        if not finished and progress.done and now - self.last_write < self.interval:
            return
        self.last_write = now
        ExportJob.objects.filter(pk=self.job_id).update(
            rows_done=progress.done, rows_total=progress.total, updated_at=timezone.now()
        )

    def cancelled(self) -> bool:
        now = time.monotonic()
        if now - self.last_look < self.interval:
            return False
        self.last_look = now
        return ExportJob.objects.filter(pk=self.job_id, cancel_requested=True).exists()


def cancel_export(job: ExportJob) -> None:
    """A queued job is cancelled at once; a running one stops before its next chunk."""
    ExportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.CANCELLED, cancel_requested=True, finished_at=timezone.now()
    )
    ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(cancel_requested=True)


def cleanup_expired_exports(
    *, now: datetime | None = None, dry_run: bool = False
) -> list[ExportJob]:
    """Delete the files of exports whose link expired; the jobs become *expired*."""
    sweep_dead_exports()
    now = now or timezone.now()
    expired = list(
        ExportJob.objects.filter(status=Status.SUCCEEDED, expires_at__lte=now).order_by(
            "expires_at"
        )
    )
    if dry_run:
        return expired
    storage = upload_storage()
    for job in expired:
        claimed = ExportJob.objects.filter(pk=job.pk, status=Status.SUCCEEDED).update(
            status=Status.EXPIRED, file="", updated_at=now
        )
        if claimed and job.file:
            storage.delete(job.file)
    return expired
