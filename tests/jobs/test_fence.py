"""The fence of a job's run (winiadmin.jobs.fence), in one process on both databases: a run whose
job was taken over writes nothing; a cancel pending when the run ends or commits is kept, also
when the file changes nothing (an upsert of the same file)."""

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from shop.models import Product

from tests.jobs.conftest import MakeJob, on_disk
from tests.workers import TEST_DB
from winiadmin.jobs import cancel_flag
from winiadmin.jobs.fence import new_attempt
from winiadmin.jobs.runner import (
    CANCELLED_MESSAGE,
    JobCancelled,
    JobSuperseded,
    execute_job,
    run_execution,
    run_validation,
    validate_job,
)
from winiadmin.jobs.stale import reap_stale_jobs
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

Status = ImportJob.Status


@pytest.fixture(autouse=True)
def monitor_never_looks() -> Iterator[None]:
    """The progress thread would see a cancel too; here only the end of the run may."""
    with override_settings(WINIADMIN={"PROGRESS_INTERVAL": 600, "STALE_AFTER_SECONDS": 1200}):
        yield


def claimed(job: ImportJob, status: str) -> ImportJob:
    """What a worker's claim does: the working status and a new attempt."""
    ImportJob.objects.filter(pk=job.pk).update(status=status, attempt=new_attempt())
    job.refresh_from_db()
    return job


def cancel(job: ImportJob, how: str) -> None:
    if how == "file":  # what the web process records on every database
        assert cancel_flag.decide(job.pk, job.attempt, "cancel") == "cancel"
    else:  # PostgreSQL also stores it in the row
        ImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)


def logged(job: ImportJob) -> int:
    return LogEntry.objects.filter(object_id=str(job.pk)).count()


@pytest.mark.parametrize("how", ["file", "row"])
def test_a_cancel_pending_at_commit_rolls_everything_back(make_job: MakeJob, how: str) -> None:
    job = claimed(make_job(), Status.RUNNING)
    cancel(job, how)
    with pytest.raises(JobCancelled):
        run_execution(job, job.user)
    job.refresh_from_db()
    assert job.status == Status.CANCELLED and job.error == str(CANCELLED_MESSAGE)
    assert not Product.objects.exists() and job.created_counts == {} and logged(job) == 0


def test_a_cancel_while_rechecking_an_unchanged_file_is_kept(make_job: MakeJob) -> None:
    """The issue's case: an upsert of the same file changes nothing; the cancel still holds."""
    first = make_job()
    execute_job(first, skip_invalid=False, user=first.user)
    assert Product.objects.count() == 2
    same = make_job()
    assert same.report["models"][-1]["unchanged"] == 2  # nothing would change
    recheck = claimed(same, Status.VALIDATING)
    cancel(recheck, "file")
    with pytest.raises(JobCancelled):
        run_validation(recheck)
    recheck.refresh_from_db()
    assert recheck.status == Status.CANCELLED and recheck.error == str(CANCELLED_MESSAGE)


def test_a_cancel_while_importing_an_unchanged_file_is_kept(make_job: MakeJob) -> None:
    first = make_job()
    execute_job(first, skip_invalid=False, user=first.user)
    before = list(Product.objects.order_by("sku").values())
    job = claimed(make_job(), Status.RUNNING)
    cancel(job, "file")
    with pytest.raises(JobCancelled):
        run_execution(job, job.user)
    job.refresh_from_db()
    assert job.status == Status.CANCELLED and logged(job) == 0
    assert list(Product.objects.order_by("sku").values()) == before


def test_a_real_run_whose_job_was_taken_over_writes_nothing(make_job: MakeJob) -> None:
    job = claimed(make_job(), Status.RUNNING)
    # Meanwhile the job was taken for dead and retried: a new claim, a new attempt.
    ImportJob.objects.filter(pk=job.pk).update(attempt=new_attempt())
    retry = ImportJob.objects.get(pk=job.pk)
    with pytest.raises(JobSuperseded):
        run_execution(job, job.user)
    assert not Product.objects.exists() and logged(job) == 0
    after = ImportJob.objects.get(pk=job.pk)
    assert (after.status, after.attempt, after.report, after.created_counts) == (
        retry.status, retry.attempt, retry.report, retry.created_counts
    )  # fmt: skip


def test_a_dry_run_whose_job_was_taken_over_publishes_nothing(make_job: MakeJob) -> None:
    job = claimed(make_job(), Status.VALIDATING)
    ImportJob.objects.filter(pk=job.pk).update(attempt=new_attempt())
    retry = ImportJob.objects.get(pk=job.pk)
    with pytest.raises(JobSuperseded):
        run_validation(job)
    after = ImportJob.objects.get(pk=job.pk)
    assert after.status == Status.VALIDATING and after.preview_file == retry.preview_file
    assert after.report == retry.report and on_disk(after.preview_file)
    # Its own preview (named after its attempt) is gone, not left behind or shown.
    assert not on_disk(f"winiadmin/{job.pk}/cleaned-{job.attempt}.parquet")


def test_a_job_reaped_as_stale_is_not_written_by_its_late_run(make_job: MakeJob) -> None:
    job = claimed(make_job(), Status.RUNNING)
    ImportJob.objects.filter(pk=job.pk).update(status=Status.FAILED, error="stopped responding")
    with pytest.raises(JobSuperseded):
        run_execution(job, job.user)
    after = ImportJob.objects.get(pk=job.pk)
    assert after.status == Status.FAILED and after.error == "stopped responding"
    assert not Product.objects.exists()


@pytest.mark.skipif(TEST_DB != "postgres", reason="SQLite has no row locks (one writer)")
@pytest.mark.django_db(transaction=True)
def test_the_reaper_leaves_a_job_whose_row_its_worker_holds(make_job: MakeJob) -> None:
    """A worker past its fence holds the job's row until it commits: committing, not dead."""
    job = claimed(make_job(), Status.RUNNING)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - timedelta(hours=1))
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic():
            ImportJob.objects.select_for_update().get(pk=job.pk)
            locked.set()
            release.wait(30)
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(30)
        assert reap_stale_jobs() == 0
    finally:
        release.set()
        holder.join()
    assert reap_stale_jobs() == 1


def test_a_run_in_a_transaction_not_yet_committed_is_not_taken_for_fenced(
    make_job: MakeJob,
) -> None:
    """The job row was created in the caller's transaction (a run inside the upload's request
    with ATOMIC_REQUESTS; this test's own transaction): the monitor's connection cannot see it,
    which is no sign of another attempt. The fence's check at the commit decides."""
    content = b"text\n" + b"".join(b"line %d\n" % i for i in range(300))
    job = make_job(
        content, importer="testapp.slow_lines", options={"transform_ms": "600"}, validate=False
    )
    with override_settings(WINIADMIN={"PROGRESS_INTERVAL": 0.05}):
        validate_job(job)
        assert job.status == Status.VALIDATED, job.error
        execute_job(job, skip_invalid=False)
    assert job.status == Status.SUCCEEDED, job.error
    assert job.created_counts == {"testapp.Line": 300}


def test_a_committed_run_whose_outcome_is_still_being_written_shows_its_progress(
    make_job: MakeJob,
) -> None:
    """Between the commit (succeeded, in the import's transaction) and the final write (report,
    counts, keys) the job page keeps the progress, so it never renders a result without them."""
    job = make_job()
    assert job.report["status"] == "dry_run"
    ImportJob.objects.filter(pk=job.pk).update(status=Status.SUCCEEDED, finished_at=timezone.now())
    job.refresh_from_db()
    assert job.is_saving_outcome and job.is_active
    # A worker that died right there: after STALE_AFTER_SECONDS the page shows what there is.
    with override_settings(WINIADMIN={"STALE_AFTER_SECONDS": 0}):
        assert not job.is_active
    job.report = {**job.report, "status": "succeeded"}  # the final write
    assert not job.is_saving_outcome and not job.is_active
