"""Progress published to a file that needs no database lock, read back by the progress page."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from winiadmin.admin.progress import current_reading, progress_context
from winiadmin.jobs.ended import finished
from winiadmin.jobs.live_progress import LiveProgress, discard, live_name, publish, read_live
from winiadmin.jobs.monitor import JobMonitor
from winiadmin.jobs.stale import reap_stale_jobs
from winiadmin.models import ImportJob
from winiadmin.progress import Progress
from winiadmin.results import Stage
from winiadmin.storage import upload_storage

pytestmark = pytest.mark.django_db

Status = ImportJob.Status


def live(status: str = Status.RUNNING, done: int = 3000, **kwargs: object) -> LiveProgress:
    now = timezone.now()
    fields: dict[str, object] = {
        "status": status,
        "stage": "load",
        "stage_started_at": now - timedelta(seconds=10),
        "rows_done": done,
        "rows_total": 6000,
        "rate": 300.0,
        "written_at": now,
        **kwargs,
    }
    return LiveProgress(**fields)  # type: ignore[arg-type]


def test_published_progress_reads_back(db: None) -> None:
    job = ImportJob.objects.create(original_name="x.csv", status=Status.RUNNING)
    assert read_live(job.pk) is None
    publish(job.pk, live())
    got = read_live(job.pk)
    assert got is not None and (got.stage, got.rows_done, got.rows_total) == ("load", 3000, 6000)
    publish(job.pk, live(done=4000))  # replaced, never appended to
    assert read_live(job.pk).rows_done == 4000  # type: ignore[union-attr]
    assert not [n for n in upload_storage().listdir(f"winiadmin/{job.pk}")[1] if ".tmp" in n]
    discard(job.pk)
    assert read_live(job.pk) is None


def test_the_page_prefers_the_file_when_the_row_cannot_be_written(db: None) -> None:
    """SQLite during a load: the row still says 0, the file says where the import is."""
    old = timezone.now() - timedelta(seconds=30)
    job = ImportJob.objects.create(
        original_name="x.csv", status=Status.RUNNING, stage="load", rows_done=0,
        rows_total=6000, heartbeat=old, stage_started_at=old,
    )  # fmt: skip
    publish(job.pk, live())
    context = progress_context(job)
    assert context["percent"] == 50
    assert context["progress_text"] == "Loading: 3,000 of 6,000 rows (50%)"
    assert context["time_left"] == "about 10 seconds left"  # 3,000 rows at 300 a second
    assert context["wizard_step"] == 3

    # A file left by an earlier run (the dry run) is not this run's progress.
    publish(job.pk, live(status=Status.VALIDATING))
    assert current_reading(job).rows_done == 0
    # Nor one older than the row.
    publish(job.pk, live(written_at=old - timedelta(seconds=1)))
    assert current_reading(job).rows_done == 0


def test_a_queued_job_shows_no_progress_and_no_worker(db: None) -> None:
    job = ImportJob.objects.create(
        original_name="x.csv", status=Status.QUEUED, queued_step=ImportJob.Step.VALIDATE,
        worker="vm:2363",
    )  # fmt: skip
    publish(job.pk, live(status=Status.QUEUED))
    context = progress_context(job)
    assert context["heading"] == "Waiting for a worker"
    assert context["percent"] is None and context["progress_text"] == ""
    assert context["wizard_step"] == 2
    assert all(stage["state"] == "waiting" for stage in context["stages"])


def test_the_monitor_publishes_each_tick_and_the_job_s_end_removes_the_file(db: None) -> None:
    job = ImportJob.objects.create(original_name="x.csv", status=Status.RUNNING)
    path = Path(upload_storage().path(live_name(job.pk)))
    with JobMonitor(job.pk, Status.RUNNING, interval=0.05) as monitor:
        monitor(Progress(Stage.LOAD, 0, 100))
        monitor(Progress(Stage.LOAD, 40, 100))
        for _ in range(100):
            got = read_live(job.pk)
            if got is not None and got.rows_done == 40:
                break
            time.sleep(0.05)
        assert got is not None and (got.stage, got.rows_done, got.rows_total) == ("load", 40, 100)
        monitor(Progress(Stage.LOAD, 100, 100))
    # The last count stays for the page until the run's final save (SQLite: the row may be old).
    got = read_live(job.pk)
    assert got is not None and got.rows_done == 100
    context = progress_context(job)
    assert context["percent"] == 100 and context["time_left"] == "finishing"
    finished(job)
    assert not path.exists()


def test_a_job_whose_monitor_still_publishes_is_not_stale(db: None) -> None:
    """SQLite: the load holds the write lock, so the heartbeat is old, yet the file is fresh."""
    long_ago = timezone.now() - timedelta(minutes=5)
    job = ImportJob.objects.create(
        original_name="x.csv", status=Status.RUNNING, heartbeat=long_ago, worker="box:1"
    )
    publish(job.pk, live())
    assert reap_stale_jobs(job) == 0
    assert ImportJob.objects.get(pk=job.pk).status == Status.RUNNING

    publish(job.pk, live(written_at=long_ago))  # the monitor stopped too: the worker is gone
    assert reap_stale_jobs(job) == 1
    assert ImportJob.objects.get(pk=job.pk).status == Status.FAILED
