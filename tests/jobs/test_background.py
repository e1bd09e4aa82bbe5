"""Background runs on both databases: queue, claim once, cancel, stale jobs, retry, the signal.

``run_queued`` is what the worker's task calls; here it is called directly (a real worker process
runs it in tests/jobs/test_worker.py).
"""

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
from tests.testapp.models import Tag
from winiadmin.jobs import cancel_flag
from winiadmin.jobs.background import (
    CancelOutcome,
    cancel_job,
    enqueue_execution,
    enqueue_validation,
    retry_job,
    run_queued,
    start_execution,
    start_validation,
)
from winiadmin.jobs.fence import new_attempt
from winiadmin.jobs.runner import CANCELLED_MESSAGE, JobCancelled, JobStateError, run_execution
from winiadmin.jobs.stale import reap_stale_jobs
from winiadmin.models import ImportJob
from winiadmin.signals import import_finished

pytestmark = pytest.mark.django_db

Status = ImportJob.Status
BACKGROUND = override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0})


@pytest.fixture(autouse=True)
def background() -> Iterator[None]:
    with BACKGROUND:
        yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """Run the on-commit callbacks (the enqueue) at the block's end, as a request's commit does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def endings() -> Iterator[list[tuple[str, str]]]:
    seen: list[tuple[str, str]] = []

    def receive(sender: type[ImportJob], job: ImportJob, status: str, **_: object) -> None:
        assert sender is ImportJob
        seen.append((str(job.pk), status))

    import_finished.connect(receive)
    yield seen
    import_finished.disconnect(receive)


def test_an_upload_over_the_threshold_is_queued_not_run(
    make_job: MakeJob, committed: Callable[[], Any]
) -> None:
    job = make_job(validate=False)
    with committed():
        start_validation(job)
    job.refresh_from_db()
    assert job.status == Status.QUEUED and job.queued_step == ImportJob.Step.VALIDATE
    assert job.notified is False and job.report == {}
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.task_path == "winiadmin.tasks.run_job"
    assert task.args_kwargs == {"args": [str(job.pk)], "kwargs": {}}


def test_an_upload_under_the_threshold_runs_in_the_request(make_job: MakeJob) -> None:
    job = make_job(validate=False)
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": job.size + 1}):
        start_validation(job)
    assert job.status == Status.VALIDATED
    assert not DBTaskResult.objects.exists()


def test_a_worker_claims_each_queued_step_exactly_once(
    make_job: MakeJob, committed: Callable[[], Any], endings: list[tuple[str, str]]
) -> None:
    job = make_job(validate=False)
    endings.clear()
    with committed():
        enqueue_validation(job)
    assert run_queued(str(job.pk)) == "validated"
    assert run_queued(str(job.pk)) == "not claimed"  # delivered twice: the second does nothing
    job.refresh_from_db()
    assert job.status == Status.VALIDATED and job.dry_run_counts["shop.Product"] == 2
    assert not Product.objects.exists()

    with committed():
        start_execution(job, skip_invalid=False, user=None)
    job.refresh_from_db()
    assert job.status == Status.QUEUED and job.queued_step == ImportJob.Step.EXECUTE
    with pytest.raises(JobStateError, match="queued"):  # a second confirm
        enqueue_execution(job, skip_invalid=False)
    assert run_queued(str(job.pk)) == "succeeded"
    assert run_queued(str(job.pk)) == "not claimed"
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED
    assert sorted(str(sku) for sku in Product.objects.values_list("sku", flat=True)) == [
        "A-1",
        "A-2",
    ]
    assert job.worker and job.heartbeat is not None
    # Counted in file rows (2), not in objects (a category, a store, 2 products).
    assert (job.stage, job.rows_done, job.rows_total) == ("load", 2, 2)
    assert endings == [(str(job.pk), Status.VALIDATED), (str(job.pk), Status.SUCCEEDED)]


def test_a_missing_job_is_reported_not_raised(db: None) -> None:
    assert run_queued("00000000-0000-0000-0000-000000000000") == "missing"


def test_a_queued_job_whose_upload_vanished_fails_with_the_reason(
    make_job: MakeJob, committed: Callable[[], Any]
) -> None:
    job = make_job()
    with committed():
        enqueue_execution(job, skip_invalid=False)
    job.file.delete(save=True)
    assert run_queued(str(job.pk)) == "The uploaded file was deleted; upload the file again."
    job.refresh_from_db()
    assert job.status == Status.FAILED and not Product.objects.exists()


def test_winiadmin_cleanup_marks_stale_jobs_failed(make_job: MakeJob) -> None:
    job = make_job()
    old = timezone.now() - timedelta(minutes=5)
    ImportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, heartbeat=old)
    out = StringIO()
    call_command("winiadmin_cleanup", stdout=out)
    assert "1 running job whose worker stopped responding was marked failed." in out.getvalue()
    assert ImportJob.objects.get(pk=job.pk).status == Status.FAILED


def test_cancel_a_queued_job(
    make_job: MakeJob, committed: Callable[[], Any], endings: list[tuple[str, str]]
) -> None:
    job = make_job()
    endings.clear()
    with committed():
        enqueue_execution(job, skip_invalid=False)
    assert cancel_job(job) == CancelOutcome.CANCELLED
    assert job.status == Status.CANCELLED and job.error == str(CANCELLED_MESSAGE)
    assert run_queued(str(job.pk)) == "not claimed"
    assert not Product.objects.exists()
    assert endings == [(str(job.pk), Status.CANCELLED)]
    assert cancel_job(job) == CancelOutcome.NOT_RUNNING  # nothing left to cancel


@pytest.mark.django_db(transaction=True)  # the monitor thread reads the flag on its own connection
def test_a_cancel_requested_while_running_rolls_the_import_back(
    make_job: MakeJob, endings: list[tuple[str, str]]
) -> None:
    """The monitor thread sees the flag; the next progress call raises; the load rolls back."""
    names = b"name\n" + b"".join(b"n%d\n" % i for i in range(2000))
    job = make_job(names, importer="testapp.slow_tags", options={"pause_ms": "30"})
    endings.clear()
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, cancel_requested=True, attempt=new_attempt()
    )
    job.refresh_from_db()
    with override_settings(WINIADMIN={"PROGRESS_INTERVAL": 0.02}), pytest.raises(JobCancelled):
        run_execution(job, None)
    job.refresh_from_db()
    assert job.status == Status.CANCELLED and job.error == str(CANCELLED_MESSAGE)
    assert not Tag.objects.exists()
    assert endings[-1] == (str(job.pk), Status.CANCELLED)


def test_cancel_asks_a_running_job_to_stop(make_job: MakeJob) -> None:
    job = make_job()
    ImportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempt=new_attempt())
    assert cancel_job(job) == CancelOutcome.CANCELLING
    assert job.status == Status.RUNNING and job.cancel_requested is True
    assert cancel_flag.cancel_requested(job.pk, job.attempt)


def test_a_stale_job_is_failed_with_the_reason_and_can_be_retried(
    make_job: MakeJob, committed: Callable[[], Any], endings: list[tuple[str, str]]
) -> None:
    job = make_job()
    with committed():
        enqueue_execution(job, skip_invalid=False)
    long_ago = timezone.now() - timedelta(minutes=5)
    # What a worker killed mid-import leaves: RUNNING, an old heartbeat.
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, heartbeat=long_ago, worker="box:123"
    )
    fresh = make_job()
    ImportJob.objects.filter(pk=fresh.pk).update(status=Status.RUNNING, heartbeat=timezone.now())
    endings.clear()
    assert reap_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error.startswith("The worker stopped responding (last seen ")
    assert "on box:123); nothing was written." in job.error
    assert ImportJob.objects.get(pk=fresh.pk).status == Status.RUNNING
    assert endings == [(str(job.pk), Status.FAILED)]

    with committed():
        retry_job(job)
    assert job.status == Status.QUEUED and job.queued_step == ImportJob.Step.EXECUTE
    assert run_queued(str(job.pk)) == "succeeded"
    assert Product.objects.count() == 2
    with pytest.raises(JobStateError, match="so it cannot be retried"):
        retry_job(job)


def test_a_job_reaped_while_viewed(make_job: MakeJob, settings: Any) -> None:
    job = make_job()
    old = timezone.now() - timedelta(seconds=61)
    ImportJob.objects.filter(pk=job.pk).update(status=Status.VALIDATING, heartbeat=old)
    other = make_job()
    ImportJob.objects.filter(pk=other.pk).update(status=Status.VALIDATING, heartbeat=old)
    assert reap_stale_jobs(job) == 1  # only the one asked about
    assert job.status == Status.FAILED
    assert ImportJob.objects.get(pk=other.pk).status == Status.VALIDATING


def test_a_failed_small_job_is_retried_in_the_request(make_job: MakeJob) -> None:
    job = make_job(validate=False)
    ImportJob.objects.filter(pk=job.pk).update(status=Status.FAILED)
    job.refresh_from_db()
    with override_settings(WINIADMIN={}):
        retry_job(job)
    assert job.status == Status.VALIDATED


def test_the_signal_fires_for_runs_in_the_request_too(
    make_job: MakeJob, endings: list[tuple[str, str]]
) -> None:
    with override_settings(WINIADMIN={}):
        job = make_job()
    assert endings == [(str(job.pk), Status.VALIDATED)]
