"""Background imports run by real worker processes against a shared test database, on each task
engine (``db_worker`` of django-tasks-db, and Celery): end to end, killed mid-import, cancelled,
delivered twice, and two imports at once."""

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from shop.models import Product

from tests.jobs.conftest import MakeJob
from tests.testapp.models import Tag
from tests.workers import (
    Workers,
    needs_postgres,
    needs_redis,
    needs_shared_db,
    running_workers,
)
from winiadmin.jobs.background import cancel_job, retry_job, start_execution, start_validation
from winiadmin.jobs.stale import reap_stale_jobs
from winiadmin.models import ImportJob
from winiadmin.tasks import run_job

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the workers must see committed rows
    pytest.mark.processes,
    needs_shared_db,
]

Status = ImportJob.Status


@pytest.fixture
def workers(tmp_path: Path, worker_engine: str) -> Iterator[Workers]:
    yield from running_workers(tmp_path, worker_engine)


@pytest.fixture(autouse=True)
def background() -> Iterator[None]:
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0, "STALE_AFTER_SECONDS": 1}):
        yield


def wait_for(job: ImportJob, test: Callable[[ImportJob], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if test(job):
            return
        time.sleep(0.05)
    pytest.fail(f"job never got there: {job.status} {job.stage} {job.rows_done}")


def names(prefix: str, start: int, stop: int) -> bytes:
    return b"name\n" + b"".join(b"%s%d\n" % (prefix.encode(), i) for i in range(start, stop))


def slow_job(make_job: MakeJob, content: bytes, pause_ms: int) -> ImportJob:
    """Checked quickly, then made slow for its real run."""
    job = make_job(content, importer="testapp.slow_tags", options={"pause_ms": "0"})
    assert job.status == Status.VALIDATED
    ImportJob.objects.filter(pk=job.pk).update(options={"pause_ms": str(pause_ms)})
    job.refresh_from_db()
    return job


def test_a_worker_process_checks_then_imports(make_job: MakeJob, workers: Workers) -> None:
    job = make_job(validate=False)
    start_validation(job)
    assert job.status == Status.QUEUED
    workers.batch()
    job.refresh_from_db()
    assert job.status == Status.VALIDATED, workers.logs()
    assert job.dry_run_counts["shop.Product"] == 2 and not Product.objects.exists()
    start_execution(job, skip_invalid=False, user=None)
    workers.batch()
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED, workers.logs()
    assert Product.objects.count() == 2
    assert job.worker.endswith(f":{workers.procs[-1].pid}")  # the worker process ran it
    # The task engine's own record of the task, through django.tasks.
    assert run_job.get_result(job.task_id).return_value == "succeeded"


@needs_postgres  # SQLite: the worker holds the write lock through the load
def test_a_killed_worker_writes_nothing_then_the_job_is_stale_and_retried(
    make_job: MakeJob, workers: Workers
) -> None:
    job = slow_job(make_job, names("n", 0, 3000), pause_ms=100)  # ~1 s per 1000 rows loaded
    start_execution(job, skip_invalid=False, user=None)
    worker = workers.start()
    # Progress is visible from here, another connection, while the import's transaction is open.
    wait_for(job, lambda j: j.stage == "load" and j.rows_done >= 1000)
    assert job.rows_total == 3000 and job.status == Status.RUNNING
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert not Tag.objects.exists()
    job.refresh_from_db()
    assert job.status == Status.RUNNING  # nobody knows yet
    time.sleep(1.1)  # STALE_AFTER_SECONDS = 1
    assert reap_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "The worker stopped responding" in job.error and "nothing was written" in job.error
    ImportJob.objects.filter(pk=job.pk).update(options={"pause_ms": "0"})
    job.refresh_from_db()
    retry_job(job)
    workers.batch()
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED, workers.logs()
    assert Tag.objects.count() == 3000


@needs_postgres  # SQLite: the worker holds the write lock through the load
def test_cancel_stops_a_running_worker_and_writes_nothing(
    make_job: MakeJob, workers: Workers
) -> None:
    job = slow_job(make_job, names("n", 0, 3000), pause_ms=100)
    start_execution(job, skip_invalid=False, user=None)
    workers.start()
    wait_for(job, lambda j: j.stage == "load" and j.rows_done >= 1000)
    assert cancel_job(job)
    wait_for(job, lambda j: j.status == Status.CANCELLED, timeout=10)
    assert job.error == "Cancelled; nothing was written."
    assert not Tag.objects.exists()


def test_two_workers_never_run_the_same_job(make_job: MakeJob, workers: Workers) -> None:
    job = slow_job(make_job, names("n", 0, 500), pause_ms=20)
    start_execution(job, skip_invalid=False, user=None)
    run_job.enqueue(str(job.pk))  # the same job delivered a second time
    workers.batch(n=2)
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED
    outcomes = sorted(workers.return_values())
    assert outcomes == ["not claimed", "succeeded"]
    assert Tag.objects.count() == 500


def test_concurrent_imports_into_the_same_table(make_job: MakeJob, workers: Workers) -> None:
    """Overlapping unique names: one succeeds, the other fails cleanly; a disjoint one succeeds."""
    first = slow_job(make_job, names("n", 0, 1000), pause_ms=20)
    overlapping = slow_job(make_job, names("n", 500, 1500), pause_ms=20)
    disjoint = slow_job(make_job, names("m", 0, 1000), pause_ms=20)
    for job in (first, overlapping, disjoint):
        start_execution(job, skip_invalid=False, user=None)
    workers.batch(n=3)
    for job in (first, overlapping, disjoint):
        job.refresh_from_db()
    statuses = sorted([first.status, overlapping.status])
    assert statuses[1] == Status.SUCCEEDED and statuses[0] in {Status.FAILED, Status.INVALID}
    assert disjoint.status == Status.SUCCEEDED
    winner = first if first.status == Status.SUCCEEDED else overlapping
    loser = overlapping if winner is first else first
    assert loser.error and not loser.created_counts
    expected = {f"m{i}" for i in range(1000)} | {
        line.decode() for line in winner.file.open("rb").read().splitlines()[1:]
    }
    assert set(Tag.objects.values_list("name", flat=True)) == expected


@pytest.fixture
def celery_workers(tmp_path: Path) -> Iterator[Workers]:
    yield from running_workers(tmp_path, "celery")


@needs_redis
@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis"), reason="Redis's visibility_timeout"
)
def test_celery_delivers_a_long_import_again_and_the_second_delivery_claims_nothing(
    make_job: MakeJob, celery_workers: Workers
) -> None:
    """Redis hands a task that is not acknowledged within ``visibility_timeout`` (here 1 s) to
    another worker while the first still runs it (``acks_late``): Celery's own duplicate
    delivery. The second delivery finds the job claimed; the rows are written once."""
    fast_redelivery = {"WINIADMIN_TEST_VISIBILITY_TIMEOUT": "1"}
    procs = [celery_workers.start(env=fast_redelivery) for _ in range(2)]
    for proc in procs:
        celery_workers.wait_for_log(proc, " ready.")
    job = slow_job(make_job, names("n", 0, 6000), pause_ms=100)  # ~6 s of load
    start_execution(job, skip_invalid=False, user=None)
    wait_for(job, lambda j: j.status == Status.SUCCEEDED, timeout=60)
    assert Tag.objects.count() == 6000
    first = next(p for p in procs if job.worker.endswith(f":{p.pid}"))
    second = next(p for p in procs if p is not first)
    # Each worker logs its delivery's outcome just after it returns.
    celery_workers.wait_for_log(first, f"{job.task_id}] succeeded in")
    celery_workers.wait_for_log(second, f"{job.task_id}] succeeded in")
    assert "'succeeded'" in celery_workers.log(first), celery_workers.logs()
    assert "'not claimed'" in celery_workers.log(second), celery_workers.logs()
