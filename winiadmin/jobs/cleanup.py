"""Delete the uploads of abandoned wizards (and of finished imports) after a while.

An upload is kept while its job may still be confirmed. After ``older_than`` without a change:

- a job that never ran successfully and is not running (uploaded, validating, validated,
  invalid, failed) loses its upload and its stored preview and becomes *cancelled*;
- a succeeded job loses its upload and preview too, and keeps its report, counts and created keys;
- a cancelled job that still has files (it should not) loses them.

Running jobs are never touched.
"""

from datetime import datetime, timedelta

from django.core.files.storage import Storage
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from winiadmin.jobs.cancel_flag import SUFFIX as OUTCOME_SUFFIX
from winiadmin.models import ImportJob
from winiadmin.storage import raw_name, upload_storage

Status = ImportJob.Status

#: Jobs that never ran successfully and are not running: cancelled after the age. (A queued job
#: that old found no worker; if its task comes after all, there is nothing left to claim.)
ABANDONED = (
    Status.UPLOADED, Status.QUEUED, Status.VALIDATING, Status.VALIDATED, Status.INVALID,
    Status.FAILED,
)  # fmt: skip
#: Jobs whose files go after the age, their status kept.
FINISHED = (Status.SUCCEEDED, Status.CANCELLED)


def cleanup_abandoned_uploads(
    *, older_than: timedelta, now: datetime | None = None, dry_run: bool = False
) -> list[ImportJob]:
    """Remove the files of jobs unchanged for ``older_than``; returns the jobs concerned.

    With ``dry_run`` nothing changes and the jobs come back as they are. Each job is claimed with
    one ``UPDATE … WHERE status = … AND updated_at < …`` before its files go, so a job confirmed
    meanwhile keeps its upload.
    """
    cutoff = (now or timezone.now()) - older_than
    has_files = ~Q(file="") | ~Q(preview_file="")
    candidates = (
        ImportJob.objects.filter(updated_at__lt=cutoff)
        .filter(Q(status__in=ABANDONED) | (Q(status__in=FINISHED) & has_files))
        .select_related("user")
        .order_by("updated_at")
    )
    if dry_run:
        return list(candidates)
    hours = older_than.total_seconds() / 3600
    done = []
    for job in candidates:
        if _claim(job, cutoff, hours):
            _delete_files(upload_storage(), job.file.name, job.preview_file, raw_name(job.pk))
            job.refresh_from_db()
            done.append(job)
    return done


def _claim(job: ImportJob, cutoff: datetime, hours: float) -> bool:
    changes: dict[str, object] = {"file": "", "preview_file": "", "updated_at": timezone.now()}
    if job.status in ABANDONED:
        changes["status"] = Status.CANCELLED
        changes["error"] = _(
            "Cancelled: the upload was deleted after %(hours)g hours without an import."
        ) % {"hours": hours}
    claimed = ImportJob.objects.filter(pk=job.pk, status=job.status, updated_at__lt=cutoff).update(
        **changes
    )
    return bool(claimed)


def _delete_files(storage: Storage, *names: str | None) -> None:
    folders = set()
    for name in filter(None, names):
        storage.delete(name)
        folders.add(name.rpartition("/")[0])
    for folder in filter(None, folders):  # winiadmin/<job id>/, if the storage has folders
        try:
            dirs, files = storage.listdir(folder)
            for marker in [f for f in files if f.endswith(OUTCOME_SUFFIX)]:  # cancel_flag's
                storage.delete(f"{folder}/{marker}")
                files.remove(marker)
            if not dirs and not files:
                storage.delete(folder)
        except (OSError, NotImplementedError):  # gone already, not empty, or no folders at all
            continue
