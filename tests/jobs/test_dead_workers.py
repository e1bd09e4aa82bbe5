"""Dead workers found by the workers themselves, with no page view and no ``winiadmin_cleanup``:
real ``db_worker`` processes, one of them killed with SIGKILL in the middle of a load."""

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from tests.jobs.conftest import MakeJob
from tests.testapp.models import Tag
from tests.workers import Workers, needs_postgres, needs_shared_db
from winiadmin.jobs.background import start_execution
from winiadmin.models import ImportJob

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the workers must see committed rows
    pytest.mark.processes,
    needs_shared_db,
]

Status = ImportJob.Status
#: The workers' settings: every upload in the background, the other settings at their defaults
#: (STALE_AFTER_SECONDS = 60: a job found well before that was found by its lock).
BACKGROUND = {"BACKGROUND_THRESHOLD": 0}
WORKER_DIED = "winiadmin.jobs.dispatch.WorkerDied"


@pytest.fixture(autouse=True)
def background() -> Iterator[None]:
    with override_settings(WINIADMIN=BACKGROUND):
        yield


def start(tmp_path: Path, **winiadmin: object) -> Workers:
    return Workers(tmp_path, winiadmin={**BACKGROUND, **winiadmin})


@pytest.fixture
def cleanup() -> Iterator[list[Workers]]:
    started: list[Workers] = []
    yield started
    for workers in started:
        workers.stop()


def wait_for(
    job: ImportJob, test: Callable[[ImportJob], bool], timeout: float, workers: Workers
) -> None:
    """Until ``test`` holds for the job (fails after ``timeout``)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        job.refresh_from_db()
        if test(job):
            return
        time.sleep(0.05)
    pytest.fail(f"job never got there: {job.status} {job.stage} {job.error}\n{workers.logs()}")


def loading_job(make_job: MakeJob, rows: int = 3000) -> ImportJob:
    """Checked quickly, queued for its real run, slow (~1 s per 1000 rows) in its load."""
    content = b"name\n" + b"".join(b"n%d\n" % i for i in range(rows))
    job = make_job(content, importer="testapp.slow_tags", options={"pause_ms": "0"})
    assert job.status == Status.VALIDATED
    ImportJob.objects.filter(pk=job.pk).update(options={"pause_ms": "100"})
    job.refresh_from_db()
    start_execution(job, skip_invalid=False, user=None)
    return job


def kill_mid_load(job: ImportJob, worker: subprocess.Popen[bytes], workers: Workers) -> None:
    wait_for(job, lambda j: j.stage == "load" and j.rows_done >= 500, 60, workers)
    assert job.status == Status.RUNNING and job.worker.endswith(f":{worker.pid}")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()


@needs_postgres  # the advisory lock; SQLite: test_sqlite_heartbeat_fallback below
def test_an_idle_worker_fails_a_killed_workers_job_within_seconds(
    make_job: MakeJob, tmp_path: Path, cleanup: list[Workers]
) -> None:
    job = loading_job(make_job)
    workers = start(tmp_path)
    cleanup.append(workers)
    doomed = workers.start()
    wait_for(job, lambda j: j.status == Status.RUNNING, 60, workers)
    workers.start()  # idle: nothing else is queued but the watch of the running job
    kill_mid_load(job, doomed, workers)
    wait_for(job, lambda j: j.status == Status.FAILED, 50, workers)  # < STALE_AFTER_SECONDS
    # "stopped", not "stopped responding": its lock was free (the heartbeat would take 60 s).
    assert job.error.startswith("The worker stopped (last seen ")
    assert f":{doomed.pid}); nothing was written. Retry the import." in job.error
    assert not Tag.objects.exists()
    record = DBTaskResult.objects.get(id=job.task_id)
    assert record.status == "FAILED" and record.exception_class_path == WORKER_DIED
    assert record.finished_at is not None


@needs_postgres
def test_a_worker_started_after_the_kill_runs_the_job_again(
    make_job: MakeJob, tmp_path: Path, cleanup: list[Workers]
) -> None:
    job = loading_job(make_job)
    (tmp_path / "first").mkdir()
    first = start(tmp_path / "first")
    cleanup.append(first)
    doomed = first.start()
    kill_mid_load(job, doomed, first)
    killed_task = job.task_id
    ImportJob.objects.filter(pk=job.pk).update(options={"pause_ms": "0"})  # quick the second time
    job.refresh_from_db()
    assert job.status == Status.RUNNING  # no worker is left to notice

    second = start(tmp_path, MAX_ATTEMPTS=2)
    cleanup.append(second)
    second.start()
    # Succeeded at its commit (the fence marks it in the import's transaction); its counts, report
    # and keys come with the final write just after.
    wait_for(job, lambda j: j.status == Status.SUCCEEDED and bool(j.created_counts), 60, second)
    assert job.attempts_made == 2
    assert Tag.objects.count() == 3000
    assert job.created_counts == {"testapp.Tag": 3000}
    assert job.task_id != killed_task
    assert DBTaskResult.objects.get(id=killed_task).status == "FAILED"
    assert DBTaskResult.objects.get(id=job.task_id).return_value == "succeeded"


@needs_postgres
def test_the_retries_stop_at_max_attempts(
    make_job: MakeJob, tmp_path: Path, cleanup: list[Workers]
) -> None:
    job = loading_job(make_job)
    workers = start(tmp_path, MAX_ATTEMPTS=2)
    cleanup.append(workers)
    doomed = workers.start()
    kill_mid_load(job, doomed, workers)
    again = workers.start()  # finds it, queues it again, runs it: killed a second time
    wait_for(
        job, lambda j: j.attempts_made == 2 and j.worker.endswith(f":{again.pid}"), 60, workers
    )
    kill_mid_load(job, again, workers)
    workers.start()
    wait_for(job, lambda j: j.status == Status.FAILED, 30, workers)
    assert job.attempts_made == 2 and "Retry the import." in job.error
    assert not Tag.objects.exists()


def test_sqlite_heartbeat_fallback(
    make_job: MakeJob, tmp_path: Path, cleanup: list[Workers]
) -> None:
    """Without advisory locks (SQLite) the old heartbeat tells; on PostgreSQL the lock does.

    SQLite lets no other process write while the import loads (no progress shows), so the kill
    comes a few seconds into a ~10 s load.
    """
    job = loading_job(make_job, rows=10_000)
    with override_settings(WINIADMIN={**BACKGROUND, "STALE_AFTER_SECONDS": 3}):
        workers = start(tmp_path, STALE_AFTER_SECONDS=3)
        cleanup.append(workers)
        doomed = workers.start()
        wait_for(job, lambda j: j.status == Status.RUNNING, 60, workers)
        workers.start()
        time.sleep(4)  # read, clean, transform: well under a second; then the load
        job.refresh_from_db()
        assert job.status == Status.RUNNING and job.worker.endswith(f":{doomed.pid}")
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait()
        wait_for(job, lambda j: j.status == Status.FAILED, 90, workers)
    assert "nothing was written. Retry the import." in job.error
    assert not Tag.objects.exists()
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"
