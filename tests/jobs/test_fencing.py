"""A job commits at most once, whatever its workers do: real ``db_worker`` processes frozen with
SIGSTOP (as a long GC pause or a VM stall would), declared stale, retried on a second worker, then
woken with SIGCONT. The table (``testapp.Line``) has no unique key, so only the fence of
``winiadmin.jobs.fence`` stands between the woken worker and a second copy of the file.

Where the freeze happens:
- in the transform (no transaction open yet): both databases;
- in the load (the import's transaction open, rows inserted): PostgreSQL only. A frozen SQLite
  writer holds the database's only write lock, so nobody can mark its job failed or retry it
  until it wakes: there is nothing a second worker could do twice;
- at the commit, by the test worker itself (``tests.testapp.apps``, ``FREEZE_AT_COMMIT``): just
  before the fence check, and just after it (the job's row locked and marked succeeded, the COMMIT
  not sent yet). PostgreSQL only, for the same reason.
"""

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings

from tests.jobs.conftest import MakeJob, on_disk
from tests.testapp.apps import FREEZE_AT_COMMIT
from tests.testapp.models import Line
from tests.workers import TEST_DB, Workers, needs_shared_db, running_workers
from winiadmin.jobs.background import (
    CancelOutcome,
    cancel_job,
    retry_job,
    start_execution,
    start_validation,
)
from winiadmin.jobs.stale import reap_stale_jobs
from winiadmin.jobs.undo import undo_job
from winiadmin.models import ImportJob

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the workers must see committed rows
    pytest.mark.processes,
    needs_shared_db,
]

Status = ImportJob.Status
ROWS = 3000

#: Frozen inside its transaction, an SQLite worker keeps the database's only write lock.
frozen_writer = pytest.mark.skipif(
    TEST_DB != "postgres",
    reason="a frozen SQLite writer holds the only write lock: its job cannot be marked failed or "
    "retried until it wakes, so no second copy can exist",
)


@pytest.fixture
def workers(tmp_path: Path, worker_engine: str) -> Iterator[Workers]:
    yield from running_workers(tmp_path, worker_engine)


@pytest.fixture(autouse=True)
def background() -> Iterator[None]:
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0, "STALE_AFTER_SECONDS": 1}):
        yield


def lines(n: int = ROWS) -> bytes:
    return b"text\n" + b"".join(b"line %d\n" % i for i in range(n))


def wait_until(test: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if test():
            return
        time.sleep(0.05)
    pytest.fail(f"never happened: {what}")


def job_is(job: ImportJob, test: Callable[[ImportJob], bool]) -> Callable[[], bool]:
    def check() -> bool:
        job.refresh_from_db()
        return test(job)

    return check


def is_stopped(pid: int) -> bool:
    """SIGSTOP has taken effect: the process state in /proc is T (stopped)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rpartition(")")[2].split()[0] == "T"


def set_options(job: ImportJob, **options: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(options={k: str(v) for k, v in options.items()})
    job.refresh_from_db()


def declare_stale_and_retry(job: ImportJob, workers: Workers) -> ImportJob:
    """What an operator (or the job page) does for a silent worker: failed, then Retry."""
    time.sleep(1.2)  # STALE_AFTER_SECONDS = 1, and the frozen worker writes no heartbeat
    assert reap_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED and "stopped responding" in job.error
    set_options(job)  # the retry runs at full speed
    retry_job(job)
    workers.batch(timeout=120)
    job.refresh_from_db()
    return job


def log_entries(job: ImportJob) -> int:
    kind = ContentType.objects.get_for_model(ImportJob)
    return LogEntry.objects.filter(content_type=kind, object_id=str(job.pk)).count()


def wake_and_check_it_wrote_nothing(first: subprocess.Popen[bytes], workers: Workers) -> None:
    """Wake the frozen worker and let it end its task: SIGTERM is a warm shutdown on both engines
    (the running task ends first, then the worker exits). Its task's record was closed as failed
    when its job was found dead, so what the run wrote is checked on the job (``assert_once``)."""
    os.kill(first.pid, signal.SIGCONT)
    os.kill(first.pid, signal.SIGTERM)
    assert first.wait(120) == 0, workers.logs()


def assert_once(job: ImportJob, retried: ImportJob) -> None:
    """One copy; the job as the retry left it; one log entry; undo takes everything away."""
    job.refresh_from_db()
    assert Line.objects.count() == ROWS
    assert job.status == Status.SUCCEEDED
    assert job.attempt == retried.attempt
    assert job.created_counts == retried.created_counts == {"testapp.Line": ROWS}
    assert job.created_pks == retried.created_pks
    assert job.report == retried.report
    assert log_entries(job) == 1
    undo_job(job)
    assert not Line.objects.exists()


@pytest.mark.parametrize(
    "stage", ["transform", pytest.param("load", marks=frozen_writer)]
)  # fmt: skip
def test_a_worker_frozen_in_the_real_run_never_commits_a_second_copy(
    make_job: MakeJob, workers: Workers, stage: str
) -> None:
    job = make_job(lines(), importer="testapp.slow_lines")
    set_options(job, transform_ms=4000 if stage == "transform" else 0, pause_ms=100)
    start_execution(job, skip_invalid=False, user=job.user)
    first = workers.start()
    if stage == "transform":
        wait_until(job_is(job, lambda j: j.stage == "transform"), "transform")
    else:  # ~1 s per 1000 rows loaded; PostgreSQL shows the progress of an open transaction
        wait_until(job_is(job, lambda j: j.stage == "load" and j.rows_done >= 1000), "load")
    os.kill(first.pid, signal.SIGSTOP)
    wait_until(lambda: is_stopped(first.pid), "stopped")
    retried = declare_stale_and_retry(job, workers)
    assert retried.status == Status.SUCCEEDED, workers.logs()
    assert Line.objects.count() == ROWS

    wake_and_check_it_wrote_nothing(first, workers)
    assert_once(job, retried)


@pytest.mark.parametrize(
    "stage", ["transform", pytest.param("load", marks=frozen_writer)]
)  # fmt: skip
def test_a_worker_frozen_in_the_dry_run_never_overwrites_the_retry(
    make_job: MakeJob, workers: Workers, stage: str
) -> None:
    job = make_job(lines(), importer="testapp.slow_lines", validate=False)
    set_options(job, transform_ms=4000 if stage == "transform" else 0, pause_ms=100)
    start_validation(job)
    first = workers.start()
    if stage == "transform":
        wait_until(job_is(job, lambda j: j.stage == "transform"), "transform")
    else:
        wait_until(job_is(job, lambda j: j.stage == "load" and j.rows_done >= 1000), "load")
    os.kill(first.pid, signal.SIGSTOP)
    wait_until(lambda: is_stopped(first.pid), "stopped")
    retried = declare_stale_and_retry(job, workers)
    assert retried.status == Status.VALIDATED, workers.logs()
    assert on_disk(retried.preview_file)

    wake_and_check_it_wrote_nothing(first, workers)
    job.refresh_from_db()
    assert job.status == Status.VALIDATED and job.attempt == retried.attempt
    assert job.preview_file == retried.preview_file and on_disk(job.preview_file)
    assert job.dry_run_counts == retried.dry_run_counts == {"testapp.Line": ROWS}
    assert job.report == retried.report
    assert not Line.objects.exists()
    # And the import that follows is the one and only.
    start_execution(job, skip_invalid=False, user=job.user)
    workers.batch(timeout=120)
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED and Line.objects.count() == ROWS
    assert log_entries(job) == 1


@frozen_writer
def test_a_worker_frozen_right_before_its_commit_is_fenced_off(
    make_job: MakeJob, workers: Workers
) -> None:
    job = make_job(lines(), importer="testapp.slow_lines")
    start_execution(job, skip_invalid=False, user=job.user)
    first = workers.start(env={FREEZE_AT_COMMIT: "before"})  # stops itself at the fence
    wait_until(lambda: is_stopped(first.pid), "frozen at its commit")
    assert not Line.objects.exists()  # loaded, not committed
    retried = declare_stale_and_retry(job, workers)
    assert retried.status == Status.SUCCEEDED, workers.logs()

    wake_and_check_it_wrote_nothing(first, workers)
    assert_once(job, retried)


@frozen_writer
def test_a_worker_frozen_inside_its_commit_is_not_taken_for_dead(
    make_job: MakeJob, workers: Workers
) -> None:
    """Past the fence the job's row is locked and marked succeeded in the import's transaction:
    the reaper skips it (the worker is committing, not dead), a cancel is too late, and when the
    worker wakes its one commit lands."""
    job = make_job(lines(), importer="testapp.slow_lines")
    start_execution(job, skip_invalid=False, user=job.user)
    first = workers.start(env={FREEZE_AT_COMMIT: "after"})
    wait_until(lambda: is_stopped(first.pid), "frozen inside its commit")
    time.sleep(1.2)  # well past STALE_AFTER_SECONDS
    assert reap_stale_jobs() == 0
    job.refresh_from_db()
    assert job.status == Status.RUNNING and not Line.objects.exists()
    started = time.monotonic()
    assert cancel_job(job) == CancelOutcome.TOO_LATE
    assert time.monotonic() - started < 5  # answered, not stuck behind the locked row

    os.kill(first.pid, signal.SIGCONT)
    wait_until(job_is(job, lambda j: j.status == Status.SUCCEEDED and bool(j.report)), "done")
    wait_until(lambda: log_entries(job) == 1, "its log entry")  # written with the final state
    job.refresh_from_db()  # the dry run's report was there before: the final write is now in
    assert Line.objects.count() == ROWS
    assert job.created_counts == {"testapp.Line": ROWS}
    undo_job(job)
    assert not Line.objects.exists()
