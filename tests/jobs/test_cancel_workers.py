"""A cancel that is acknowledged is kept: real ``db_worker`` processes on both databases (the
SQLite file included), cancelled during the check and during the real run, while they write.

The figures printed (run with ``-s``) are the ones docs/background.md gives: how long the cancel
request takes to answer while the worker writes, and how long the worker takes to stop.
"""

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from tests.jobs.conftest import MakeJob
from tests.testapp.models import Line
from tests.workers import TEST_DB, Workers, needs_shared_db, running_workers
from winiadmin.jobs.background import CancelOutcome, cancel_job, start_execution, start_validation
from winiadmin.jobs.runner import CANCELLED_MESSAGE
from winiadmin.models import ImportJob

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.processes,
    needs_shared_db,
]

Status = ImportJob.Status
ROWS = 4000
TRANSFORM_MS = 1500


@pytest.fixture
def workers(tmp_path: Path, worker_engine: str) -> Iterator[Workers]:
    yield from running_workers(tmp_path, worker_engine)


@pytest.fixture(autouse=True)
def background() -> Iterator[None]:
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0}):
        yield


def lines(n: int = ROWS) -> bytes:
    return b"text\n" + b"".join(b"line %d\n" % i for i in range(n))


def wait_for(job: ImportJob, test: Callable[[ImportJob], bool], timeout: float = 60) -> float:
    """Seconds until ``test`` held."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        job.refresh_from_db()
        if test(job):
            return time.monotonic() - started
        time.sleep(0.02)
    pytest.fail(f"job never got there: {job.status} {job.stage} {job.rows_done}")


def wait_for_the_load(job: ImportJob) -> None:
    """PostgreSQL shows the load's progress; SQLite's worker holds the write lock through the
    load, so its last visible stage is the transform (``TRANSFORM_MS``), and the load follows."""
    if TEST_DB == "postgres":
        wait_for(job, lambda j: j.stage == "load" and j.rows_done >= 1000)
    else:
        wait_for(job, lambda j: j.stage == "transform")
        time.sleep(TRANSFORM_MS / 1000 + 1)


def timed_cancel(job: ImportJob) -> tuple[CancelOutcome, float]:
    started = time.monotonic()
    outcome = cancel_job(job)
    return outcome, time.monotonic() - started


def slow_job(make_job: MakeJob, *, validate: bool, **options: int) -> ImportJob:
    job = make_job(lines(), importer="testapp.slow_lines", validate=validate)
    ImportJob.objects.filter(pk=job.pk).update(options={k: str(v) for k, v in options.items()})
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("step", ["check", "import"])
def test_a_cancel_during_the_load_answers_at_once_and_holds(
    make_job: MakeJob, workers: Workers, step: str
) -> None:
    job = slow_job(make_job, validate=step == "import", transform_ms=TRANSFORM_MS, pause_ms=100)
    if step == "check":
        start_validation(job)
    else:
        start_execution(job, skip_invalid=False, user=job.user)
    workers.start()
    wait_for_the_load(job)
    outcome, answered = timed_cancel(job)
    assert outcome == CancelOutcome.CANCELLING
    stopped = wait_for(job, lambda j: j.status == Status.CANCELLED)
    print(f"\n[{TEST_DB}] cancel during the {step}: answered in {answered:.3f} s, "
          f"worker stopped {stopped:.2f} s later")  # fmt: skip
    # Not a timing test: the lock timeout a blocked request would wait for is 20 s.
    assert answered < 5
    assert job.error == str(CANCELLED_MESSAGE)
    assert not Line.objects.exists()
    assert not job.created_counts and not job.created_pks


def test_a_cancel_in_a_stage_that_reports_no_progress_holds(
    make_job: MakeJob, workers: Workers
) -> None:
    """The importer's own code (the transform) calls no progress: the cancel lands when it
    returns, before a single row is loaded."""
    job = slow_job(make_job, validate=True, transform_ms=3000)
    start_execution(job, skip_invalid=False, user=job.user)
    workers.start()
    wait_for(job, lambda j: j.stage == "transform")
    assert cancel_job(job) == CancelOutcome.CANCELLING
    wait_for(job, lambda j: j.status == Status.CANCELLED)
    assert job.rows_done == 0  # stopped at the load's first progress call, before any chunk
    assert not Line.objects.exists()


@pytest.mark.skipif(TEST_DB != "postgres", reason="pg_cancel_backend is PostgreSQL's")
def test_a_cancel_stops_a_long_statement_of_the_load(make_job: MakeJob, workers: Workers) -> None:
    """The load's connection sits in one 30-second statement (``pg_sleep``, as a long COPY would):
    the web process cancels that statement, so the worker stops long before it would end."""
    job = slow_job(make_job, validate=True, sql_pause_ms=30_000)
    start_execution(job, skip_invalid=False, user=job.user)
    workers.start()
    wait_for(job, lambda j: j.stage == "load" and j.db_pid is not None)
    time.sleep(1)  # inside the statement now
    started = time.monotonic()
    assert cancel_job(job) == CancelOutcome.CANCELLING
    wait_for(job, lambda j: j.status == Status.CANCELLED)
    stopped = time.monotonic() - started
    print(f"\n[postgres] cancel to the worker stopped, mid-statement: {stopped:.2f} s")
    assert stopped < 15  # half the statement; it stops in about a second
    assert job.error == str(CANCELLED_MESSAGE) and not Line.objects.exists()
