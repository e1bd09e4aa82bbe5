"""What the job page shows while a job is queued or running: the step, the stages, a bar, the
time left, all from one reading of the job so that they always agree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from winiadmin.admin.cell_format import format_percent
from winiadmin.jobs import cancel_flag
from winiadmin.jobs.live_progress import read_live
from winiadmin.jobs.pace import seconds_left
from winiadmin.models import ImportJob
from winiadmin.results import Stage

if TYPE_CHECKING:
    from datetime import datetime

    from django.utils.functional import _StrPromise

STAGE_LABELS: dict[str, _StrPromise] = {
    Stage.READ: gettext_lazy("Read"),
    Stage.CLEAN: gettext_lazy("Clean"),
    Stage.TRANSFORM: gettext_lazy("Transform"),
    Stage.LOAD: gettext_lazy("Load"),
}
#: What the stage is doing, as the line under the bar says it.
STAGE_DOING: dict[str, _StrPromise] = {
    Stage.READ: gettext_lazy("Reading the file"),
    Stage.CLEAN: gettext_lazy("Cleaning"),
    Stage.TRANSFORM: gettext_lazy("Preparing the rows"),
    Stage.LOAD: gettext_lazy("Loading"),
}
#: The wizard's step bar: a dry run is the Check step, the real run the Confirm step.
CHECK_STEP, CONFIRM_STEP = 2, 3


@dataclass(frozen=True, slots=True)
class Reading:
    """The job's progress as last published: from its live file when that is fresher."""

    stage: str
    stage_started_at: datetime | None
    rows_done: int
    rows_total: int | None
    rate: float | None = None


def current_reading(job: ImportJob) -> Reading:
    """The row's progress, or the live file's (:mod:`winiadmin.jobs.live_progress`) when it was
    written by this run after the row: on SQLite the row cannot change during the load."""
    row = Reading(job.stage, job.stage_started_at, job.rows_done, job.rows_total)
    if job.status == ImportJob.Status.QUEUED:
        return row
    live = read_live(job.pk)
    if live is None or live.status != job.status:
        return row
    if job.heartbeat is not None and live.written_at < job.heartbeat:
        return row
    return Reading(live.stage, live.stage_started_at, live.rows_done, live.rows_total, live.rate)


def progress_context(job: ImportJob) -> dict[str, Any]:
    """Step, heading, stages (done / current / waiting), the bar and the line under it."""
    reading = current_reading(job)
    stages = list(STAGE_LABELS)
    queued = job.status == ImportJob.Status.QUEUED
    current = stages.index(reading.stage) if reading.stage in stages and not queued else -1
    percent = None
    if reading.rows_total and not queued:
        percent = min(100, 100 * reading.rows_done // reading.rows_total)
    left = _seconds_left(reading)
    # Every row stored: the run saves its result (a real run also fingerprints what it created).
    finishing = reading.stage == Stage.LOAD and percent == 100
    cancelling = job.cancel_requested or cancel_flag.cancel_requested(job.pk, job.attempt)
    return {
        "job": job,
        "wizard_step": CONFIRM_STEP if _real_run(job) else CHECK_STEP,
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
        "progress_text": "" if queued else _progress_text(reading, percent),
        "seconds_left": None if left is None else round(left),
        "time_left": _("finishing") if finishing else "" if left is None else time_left_text(left),
    }


def _real_run(job: ImportJob) -> bool:
    if job.status == ImportJob.Status.QUEUED:
        return job.queued_step == ImportJob.Step.EXECUTE
    return job.status == ImportJob.Status.RUNNING


def _seconds_left(reading: Reading) -> float | None:
    if reading.stage_started_at is None:
        return None
    elapsed = (timezone.now() - reading.stage_started_at).total_seconds()
    return seconds_left(reading.rows_done, reading.rows_total, elapsed, reading.rate)


def _progress_text(reading: Reading, percent: int | None) -> str:
    doing = str(STAGE_DOING.get(reading.stage, ""))
    if not doing:
        return _("Starting")
    done, total = reading.rows_done, reading.rows_total
    if total:
        rows = ngettext("%(done)s of %(total)s row", "%(done)s of %(total)s rows", total) % {
            "done": _number(done),
            "total": _number(total),
        }
        shown = "" if percent is None else f" ({format_percent(percent)})"
        return f"{doing}: {rows}{shown}"
    if done:
        rows = ngettext("%(done)s row so far", "%(done)s rows so far", done) % {
            "done": _number(done)
        }
        return f"{doing}: {rows}"
    return doing


def time_left_text(seconds: float) -> str:
    """``about 2 minutes left``: rounded to what a person plans with."""
    if seconds < 10:
        return _("a few seconds left")
    if seconds < 60:
        n = max(10, round(seconds / 10) * 10)
        return ngettext("about %(n)d second left", "about %(n)d seconds left", n) % {"n": n}
    minutes = round(seconds / 60)
    if minutes < 90:
        return ngettext("about %(n)d minute left", "about %(n)d minutes left", minutes) % {
            "n": minutes
        }
    hours = round(seconds / 3600)
    return ngettext("about %(n)d hour left", "about %(n)d hours left", hours) % {"n": hours}


def _number(n: int) -> str:
    return number_format(n, force_grouping=True)


def _heading(job: ImportJob, *, cancelling: bool) -> str:
    if job.status == ImportJob.Status.QUEUED:
        return _("Waiting for a worker")
    if cancelling:
        return _("Cancelling")
    if job.status == ImportJob.Status.VALIDATING:
        return _("Checking the file (dry run)")
    return _("Importing")
