"""Dead jobs, in one process: the lock and heartbeat rules, the retry policy, the task record, the
watch task. (Real killed workers: tests/jobs/test_dead_workers.py.)"""

from collections.abc import Callable, Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from shop.models import Product

from tests.jobs.conftest import MakeJob
from tests.workers import TEST_DB
from winiadmin.jobs.background import enqueue_execution, run_queued
from winiadmin.jobs.liveness import job_lock_is_free, job_lock_key
from winiadmin.jobs.monitor import JobMonitor
from winiadmin.jobs.stale import sweep_dead_jobs
from winiadmin.jobs.watch import watch
from winiadmin.models import ImportJob
from winiadmin.signals import import_finished

pytestmark = pytest.mark.django_db

Status = ImportJob.Status
RUN_JOB = "winiadmin.tasks.run_job"
needs_postgres = pytest.mark.skipif(TEST_DB != "postgres", reason="advisory locks are PostgreSQL's")
WATCH_JOB = "winiadmin.tasks.watch_job"


@pytest.fixture(autouse=True)
def background() -> Iterator[None]:
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0}):
        yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """Run the on-commit callbacks (the enqueue) at the block's end, as a request's commit does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def endings() -> Iterator[list[str]]:
    seen: list[str] = []

    def receive(job: ImportJob, status: str, **_: object) -> None:
        seen.append(status)

    import_finished.connect(receive)
    yield seen
    import_finished.disconnect(receive)


def running(job: ImportJob, *, seconds_ago: float, **fields: object) -> None:
    """What a worker that died leaves: its claim's status, a heartbeat that stopped."""
    heartbeat = timezone.now() - timedelta(seconds=seconds_ago)
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, queued_step="execute", heartbeat=heartbeat, worker="box:77", **fields
    )
    job.refresh_from_db()


def test_the_lock_key_is_a_bigint_of_the_job_id() -> None:
    key = job_lock_key("8d0c2b8e-7f3a-4c59-9a8e-0a1b2c3d4e5f")
    assert key == job_lock_key("8d0c2b8e7f3a4c599a8e0a1b2c3d4e5f")
    assert -(2**63) <= key < 2**63
    assert key != job_lock_key("8d0c2b8e-7f3a-4c59-9a8e-0a1b2c3d4e60")


@needs_postgres
def test_a_running_monitor_holds_its_jobs_lock_until_it_ends(make_job: MakeJob) -> None:
    job = make_job()
    assert job_lock_is_free(job.pk)
    with JobMonitor(job.pk, Status.RUNNING, interval=0.05):
        assert not job_lock_is_free(job.pk)  # another session (this thread's) cannot take it
    assert job_lock_is_free(job.pk)  # its connection closed: released


@needs_postgres
def test_postgres_a_free_lock_and_a_heartbeat_seconds_old_mean_dead(
    make_job: MakeJob, endings: list[str]
) -> None:
    job = make_job()
    running(job, seconds_ago=3)
    fresh = make_job()
    running(fresh, seconds_ago=0.5)  # just claimed: its monitor is about to take the lock
    endings.clear()
    assert sweep_dead_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED and endings == [Status.FAILED]
    assert job.error.startswith("The worker stopped (last seen ")
    assert job.error.endswith("on box:77); nothing was written. Retry the import.")
    assert ImportJob.objects.get(pk=fresh.pk).status == Status.RUNNING


@needs_postgres
def test_postgres_a_held_lock_keeps_a_job_alive_until_its_heartbeat_is_stale(
    make_job: MakeJob,
) -> None:
    job = make_job()
    running(job, seconds_ago=30)
    with JobMonitor(job.pk, Status.CANCELLED, interval=0.05):  # holds the lock, writes nothing
        assert sweep_dead_jobs() == 0  # a frozen worker: lock held, heartbeat 30 s old
        running(job, seconds_ago=61)  # over STALE_AFTER_SECONDS
        assert sweep_dead_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error.startswith("The worker stopped responding (last seen ")


@pytest.mark.skipif(TEST_DB == "postgres", reason="PostgreSQL has the advisory lock")
def test_sqlite_only_the_heartbeat_tells(make_job: MakeJob) -> None:
    job = make_job()
    running(job, seconds_ago=30)
    assert sweep_dead_jobs() == 0
    running(job, seconds_ago=61)
    assert sweep_dead_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error.startswith("The worker stopped responding (last seen ")


def test_max_attempts_queues_a_dead_job_again_then_fails_it(
    make_job: MakeJob, committed: Callable[[], Any], endings: list[str]
) -> None:
    job = make_job()
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0, "MAX_ATTEMPTS": 2}):
        running(job, seconds_ago=120, attempts_made=1, rows_done=500, stage="load")
        endings.clear()
        with committed():
            assert sweep_dead_jobs() == 1
        job.refresh_from_db()
        assert job.status == Status.QUEUED and job.queued_step == "execute"
        assert job.stage == "" and job.rows_done == 0 and job.error == ""
        assert endings == []  # not ended: it runs again
        task = DBTaskResult.objects.get(id=job.task_id)
        assert task.task_path == RUN_JOB and task.args_kwargs["args"] == [str(job.pk)]
        assert run_queued(str(job.pk)) == "succeeded"
        job.refresh_from_db()
        assert job.attempts_made == 2 and Product.objects.count() == 2

        again = make_job()
        running(again, seconds_ago=120, attempts_made=2)
        assert sweep_dead_jobs() == 1
        again.refresh_from_db()
        assert again.status == Status.FAILED and again.attempts_made == 2


def test_no_automatic_run_by_default_for_a_cancelled_or_a_small_job(make_job: MakeJob) -> None:
    by_default = make_job()
    running(by_default, seconds_ago=120, attempts_made=1)
    assert sweep_dead_jobs() == 1  # the default: MAX_ATTEMPTS = 1
    cancelled = make_job()
    running(cancelled, seconds_ago=120, attempts_made=1, cancel_requested=True)
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0, "MAX_ATTEMPTS": 3}):
        assert sweep_dead_jobs() == 1
    small = make_job()  # ran in a request: no worker may be there to run it again
    running(small, seconds_ago=120)
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 10**9, "MAX_ATTEMPTS": 3}):
        assert sweep_dead_jobs() == 1
    for job in (by_default, cancelled, small):
        job.refresh_from_db()
        assert job.status == Status.FAILED


def test_a_person_queueing_the_job_starts_the_count_again(
    make_job: MakeJob, committed: Callable[[], Any]
) -> None:
    job = make_job()
    ImportJob.objects.filter(pk=job.pk).update(attempts_made=3)
    with committed():
        enqueue_execution(job, skip_invalid=False)
    assert job.attempts_made == 0
    assert run_queued(str(job.pk)) == "succeeded"
    job.refresh_from_db()
    assert job.attempts_made == 1


def test_the_dead_tasks_record_is_closed(make_job: MakeJob, committed: Callable[[], Any]) -> None:
    job = make_job()
    with committed():
        enqueue_execution(job, skip_invalid=False)
    job.refresh_from_db()
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING")  # a worker claimed it
    running(job, seconds_ago=120)
    assert sweep_dead_jobs() == 1
    record = DBTaskResult.objects.get(id=job.task_id)
    assert record.status == "FAILED" and record.finished_at is not None
    assert record.exception_class_path == "winiadmin.jobs.dispatch.WorkerDied"
    assert "nothing was written" in record.traceback
    assert record.task_result.errors[0].exception_class.__name__ == "WorkerDied"


def test_the_watch_comes_back_while_its_job_works(make_job: MakeJob) -> None:
    job = make_job()
    running(job, seconds_ago=0, attempts_made=1)
    before = timezone.now()
    assert watch(str(job.pk), 1) == "swept 0; watching"
    (queued,) = DBTaskResult.objects.filter(task_path=WATCH_JOB)
    assert queued.args_kwargs["args"] == [str(job.pk), 1] and queued.status == "READY"
    assert queued.run_after >= before + timedelta(seconds=1.9)  # SWEEP_INTERVAL
    assert watch(str(job.pk), 0) == "swept 0; done"  # a run before: the new one has its watch
    ImportJob.objects.filter(pk=job.pk).update(status=Status.SUCCEEDED)
    assert watch(str(job.pk), 1) == "swept 0; done"
    assert DBTaskResult.objects.filter(task_path=WATCH_JOB).count() == 1


def test_no_watch_on_a_backend_that_cannot_defer(make_job: MakeJob) -> None:
    job = make_job()
    running(job, seconds_ago=0)
    immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate):
        assert watch(str(job.pk), 0) == "swept 0; watching"
    assert not DBTaskResult.objects.exists()


def test_winiadmin_cleanup_says_when_dead_jobs_may_run_again(
    make_job: MakeJob, committed: Callable[[], Any]
) -> None:
    job = make_job()
    running(job, seconds_ago=120, attempts_made=1)
    out = StringIO()
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0, "MAX_ATTEMPTS": 2}), committed():
        call_command("winiadmin_cleanup", stdout=out)
    assert "1 running job whose worker stopped responding was queued again or marked failed" in (
        out.getvalue()
    )
    job.refresh_from_db()
    assert job.status == Status.QUEUED
