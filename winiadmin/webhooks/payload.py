"""What a webhook is told: the event and the job, as JSON (docs/webhooks.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from winiadmin.models import ImportJob

if TYPE_CHECKING:
    import datetime as dt

Status = ImportJob.Status

#: The event a job's final status is, when it is one (a dry run's validated/invalid is not).
EVENTS_BY_STATUS = {
    Status.SUCCEEDED: "finished",
    Status.FAILED: "failed",
    Status.CANCELLED: "cancelled",
}


def event_of(job: ImportJob) -> str | None:
    return EVENTS_BY_STATUS.get(Status(job.status)) if job.status in EVENTS_BY_STATUS else None


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def payload(event: str, job: ImportJob) -> dict[str, Any]:
    report = job.import_report
    rows = report.rows
    return {
        "event": event,
        "job": {
            "id": str(job.pk),
            "importer": job.importer,
            "file_name": job.original_name,
            "status": str(job.status),
            "error": job.error,
            "rows": {
                "read": rows.read,
                "imported": rows.imported,
                "updated": rows.updated,
                "unchanged": rows.unchanged,
                "skipped": rows.skipped,
                "rejected": rows.rejected,
            },
            "created": dict(job.created_counts),
            "problem_count": report.problem_count,
            "error_count": report.error_count,
            "finished_at": _when(job.finished_at),
            "undone_at": _when(job.undone_at),
        },
    }
