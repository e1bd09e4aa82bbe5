"""What the job page shows while a job is queued or running: stages, a bar, the time left."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from winiadmin.jobs import cancel_flag
from winiadmin.models import ImportJob
from winiadmin.results import Stage

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

STAGE_LABELS: dict[str, _StrPromise] = {
    Stage.READ: gettext_lazy("Read"),
    Stage.CLEAN: gettext_lazy("Clean"),
    Stage.TRANSFORM: gettext_lazy("Transform"),
    Stage.LOAD: gettext_lazy("Load"),
}


def progress_context(job: ImportJob) -> dict[str, Any]:
    """Stages (done / current / waiting), the current stage's fraction and an estimate."""
    stages = list(STAGE_LABELS)
    current = stages.index(job.stage) if job.stage in stages else -1
    percent = None
    if job.rows_total:
        percent = min(100, round(100 * job.rows_done / job.rows_total))
    cancelling = job.cancel_requested or cancel_flag.cancel_requested(job.pk, job.attempt)
    return {
        "job": job,
        "cancelling": cancelling,
        "heading": _heading(job, cancelling=cancelling),
        "stages": [
            {
                "name": name,
                "label": label,
                "state": "done" if i < current else "current" if i == current else "waiting",
            }
            for i, (name, label) in enumerate(STAGE_LABELS.items())
        ],
        "percent": percent,
        "seconds_left": seconds_left(job),
    }


def seconds_left(job: ImportJob) -> int | None:
    """The current stage's time left if it goes on at the pace it has had so far."""
    if not (job.rows_total and job.rows_done and job.stage_started_at):
        return None
    elapsed = (timezone.now() - job.stage_started_at).total_seconds()
    left = elapsed * (job.rows_total - job.rows_done) / job.rows_done
    return max(0, round(left))


def _heading(job: ImportJob, *, cancelling: bool) -> str:
    if job.status == ImportJob.Status.QUEUED:
        return _("Waiting for a worker")
    if cancelling:
        return _("Cancelling")
    if job.status == ImportJob.Status.VALIDATING:
        return _("Checking the file (dry run)")
    return _("Importing")
