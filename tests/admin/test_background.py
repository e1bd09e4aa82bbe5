"""The wizard with background runs: queued upload, progress page and fragment, cancel, retry,
the notice on the next admin page, the admin actions, and the system checks."""

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from shop.models import Product

from tests.admin.conftest import MakeJob
from tests.admin.helpers import html, job_url, uploaded_job
from winiadmin.checks import check_background, sqlite_files_without_immediate
from winiadmin.jobs import cancel_flag
from winiadmin.jobs.background import run_queued
from winiadmin.jobs.fence import new_attempt
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

Status = ImportJob.Status


def htmx_get(client: Client, url: str) -> Any:
    return client.get(url, headers={"HX-Request": "true"})


@pytest.fixture(autouse=True)
def background() -> Iterator[None]:
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0}):
        yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_upload_queues_the_dry_run_and_the_job_page_shows_progress(
    su_client: Client, samples: Path, committed: Callable[[], Any]
) -> None:
    with committed():
        job = uploaded_job(su_client, samples / "catalogue.csv")
    job.refresh_from_db()
    assert job.status == Status.QUEUED and job.task_id
    page = html(su_client.get(job_url(job)))
    assert "Waiting for a worker" in page and "Worker" not in page
    assert '<li aria-current="step">Check</li>' in page
    assert 'hx-trigger="every 1s"' in page and job_url(job, "progress") in page
    assert 'id="winiadmin-cancel"' in page
    assert [s in page for s in ('data-stage="read"', 'data-stage="load"')] == [True, True]

    # A worker has read and is loading: the fragment shows the stage, the bar and the time left,
    # and the step bar with them (one piece: they never disagree); never the worker's name.
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.VALIDATING,
        stage="load",
        rows_done=25,
        rows_total=100,
        stage_started_at=timezone.now() - timedelta(seconds=20),
        heartbeat=timezone.now(),
        worker="box:7",
    )
    fragment = html(htmx_get(su_client, job_url(job, "progress")))
    assert "Checking the file (dry run)" in fragment
    assert '<li aria-current="step">Check</li>' in fragment
    assert 'data-stage="clean" data-state="done"' in fragment
    assert 'data-stage="load" data-state="current" aria-current="step"' in fragment
    assert 'value="25"' in fragment and "Loading: 25 of 100 rows (25%)" in fragment
    assert "about 1 minute left" in fragment  # 25 rows in 20 s: 75 more take 60 s
    assert "box:7" not in fragment

    # The worker finishes: the fragment asks for a full reload, which shows the preview.
    assert run_queued(str(job.pk)) == "not claimed"  # it is not queued any more
    ImportJob.objects.filter(pk=job.pk).update(status=Status.QUEUED)
    assert run_queued(str(job.pk)) == "validated"
    response = htmx_get(su_client, job_url(job, "progress"))
    assert response.headers["HX-Refresh"] == "true"
    assert "Confirm and import" in html(su_client.get(job_url(job)))


def test_confirm_queues_the_import_and_the_user_is_told_when_it_ends(
    su_client: Client, samples: Path, committed: Callable[[], Any]
) -> None:
    with committed():
        job = uploaded_job(su_client, samples / "catalogue.csv")
    run_queued(str(job.pk))
    with committed():
        response = su_client.post(job_url(job, "confirm"), {})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Status.QUEUED and job.queued_step == ImportJob.Step.EXECUTE
    waiting = html(su_client.get(job_url(job)))
    assert "Waiting for a worker" in waiting
    assert '<li aria-current="step">Confirm</li>' in waiting  # the real run is the next step
    assert not Product.objects.exists()
    assert run_queued(str(job.pk)) == "succeeded"
    assert Product.objects.exists()

    # The next admin page carries the notice, once; the polled fragment never does.
    htmx_get(su_client, job_url(job, "rows"))
    page = html(su_client.get(reverse("admin:index")))
    assert "catalogue.csv was imported." in page
    assert job_url(job) in page
    assert "was imported" not in html(su_client.get(reverse("admin:index")))


def test_cancel_a_queued_import_from_the_page(
    su_client: Client, make_job: MakeJob, samples: Path, committed: Callable[[], Any]
) -> None:
    with override_settings(WINIADMIN={}):
        job = make_job(samples / "catalogue.csv")
    with committed():
        su_client.post(job_url(job, "confirm"), {})
    response = su_client.post(job_url(job, "cancel"), follow=True)
    page = html(response)
    assert "Cancelled; nothing was written." in page
    assert ">Cancelled</h2>" in page
    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    assert run_queued(str(job.pk)) == "not claimed"
    assert not Product.objects.exists()
    again = html(su_client.post(job_url(job, "cancel"), follow=True))
    assert "This import is no longer running." in again
    assert su_client.get(job_url(job, "cancel")).status_code == 405


def test_cancel_a_running_import_asks_its_worker(su_client: Client, make_job: MakeJob) -> None:
    job = make_job()
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, heartbeat=timezone.now(), attempt=new_attempt()
    )
    page = html(su_client.post(job_url(job, "cancel"), follow=True))
    assert "Cancelling: the import stops and nothing is written." in page
    assert "<h2>Cancelling</h2>" in page and 'id="winiadmin-cancel"' not in page
    job.refresh_from_db()
    assert cancel_flag.cancel_requested(job.pk, job.attempt)  # no database lock needed
    # PostgreSQL also keeps it in the row (SQLite's may be locked by the worker's load).
    assert job.cancel_requested is (connection.vendor == "postgresql")


def test_a_cancel_that_comes_after_the_commit_began_says_so(
    su_client: Client, make_job: MakeJob
) -> None:
    job = make_job()
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, heartbeat=timezone.now(), attempt=new_attempt()
    )
    job.refresh_from_db()
    assert cancel_flag.decide(job.pk, job.attempt, "commit") == "commit"  # the worker's fence
    page = html(su_client.post(job_url(job, "cancel"), follow=True))
    assert "Too late to cancel: the import was already being saved." in page
    assert not cancel_flag.cancel_requested(job.pk, job.attempt)


def test_a_stale_job_shows_the_reason_and_retry_queues_it_again(
    su_client: Client, make_job: MakeJob, samples: Path, committed: Callable[[], Any]
) -> None:
    job = make_job(samples / "catalogue.csv")
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING,
        queued_step=ImportJob.Step.EXECUTE,
        heartbeat=timezone.now() - timedelta(minutes=10),
    )
    page = html(su_client.get(job_url(job)))
    assert "The worker stopped responding (last seen" in page
    assert 'id="winiadmin-retry"' in page
    with committed():
        su_client.post(job_url(job, "retry"))
    job.refresh_from_db()
    assert job.status == Status.QUEUED and job.queued_step == ImportJob.Step.EXECUTE
    assert run_queued(str(job.pk)) == "succeeded"
    again = html(su_client.post(job_url(job, "retry"), follow=True))
    assert "so it cannot be retried" in again


def test_admin_actions_cancel_and_retry(
    su_client: Client, make_job: MakeJob, committed: Callable[[], Any]
) -> None:
    queued, done = make_job(), make_job()
    ImportJob.objects.filter(pk=queued.pk).update(status=Status.QUEUED)
    url = reverse("admin:winiadmin_importjob_changelist")
    data = {"action": "cancel_jobs", "_selected_action": [str(queued.pk), str(done.pk)]}
    page = html(su_client.post(url, data, follow=True))
    assert "1 job cancelled." in page and "It is not queued or running." in page
    ImportJob.objects.filter(pk=done.pk).update(status=Status.FAILED)
    with committed():
        data = {"action": "retry_jobs", "_selected_action": [str(done.pk)]}
        page = html(su_client.post(url, data, follow=True))
    assert "1 job retried." in page
    assert ImportJob.objects.get(pk=done.pk).status == Status.QUEUED


def test_notices_only_for_the_users_own_finished_jobs(
    client: Client, make_job: MakeJob, make_user: Callable[..., User]
) -> None:
    other = make_user("other", superuser=True)
    mine = make_job()
    ImportJob.objects.filter(pk=mine.pk).update(notified=False, status=Status.FAILED)
    client.force_login(other)
    assert "The background import of" not in html(client.get(reverse("admin:index")))
    assert ImportJob.objects.get(pk=mine.pk).notified is False


def test_a_finished_check_is_news_elsewhere_not_on_its_own_page(
    su_client: Client, make_job: MakeJob, samples: Path
) -> None:
    data = (samples / "catalogue.csv").read_bytes()
    checked = make_job(content=data, name="checked.csv")
    other = make_job(content=data, name="other.csv")
    assert other.status == Status.VALIDATED
    ImportJob.objects.filter(pk__in=[checked.pk, other.pk]).update(notified=False)
    page = html(su_client.get(job_url(checked)))  # its preview asks for the decision itself
    assert "The check of checked.csv is done" not in page
    assert "The check of other.csv is done: review it and confirm the import." in page
    assert 'class="info"' in page and 'class="success"' not in page  # not a green banner
    assert not ImportJob.objects.filter(notified=False).exists()


def test_system_checks_for_background_runs() -> None:
    assert check_background(None) == []  # the test settings: django-tasks-db, the middleware
    with override_settings(WINIADMIN={}, TASKS={}):
        assert check_background(None) == []  # background runs off: nothing to check
    with override_settings(TASKS={}):
        assert [m.id for m in check_background(None)] == ["winiadmin.E006"]
    dummy = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=dummy):
        assert [m.id for m in check_background(None)] == ["winiadmin.E006"]
    immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate, MIDDLEWARE=[]):
        assert [m.id for m in check_background(None)] == ["winiadmin.W002", "winiadmin.W003"]
    with override_settings(
        WINIADMIN={"BACKGROUND_THRESHOLD": 0, "STALE_AFTER_SECONDS": 1, "PROGRESS_INTERVAL": 1}
    ):
        assert [m.id for m in check_background(None)] == ["winiadmin.E007"]
    with override_settings(WINIADMIN={"NOPE": 1}):
        assert check_background(None) == []  # check_settings reports it


def test_sqlite_files_without_immediate_transactions_are_warned_about(tmp_path: Path) -> None:
    """Two writers upgrading read locks: one fails with "database is locked"."""
    sqlite: dict[str, object] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": tmp_path / "jobs.sqlite3",
    }
    databases: dict[str, dict[str, object]] = {
        "jobs": sqlite,
        "fast": {**sqlite, "OPTIONS": {"transaction_mode": "immediate"}},
        "mem": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
        "pg": {"ENGINE": "django.db.backends.postgresql", "NAME": "x"},
    }
    assert sqlite_files_without_immediate(databases) == ["jobs"]
    # The test databases (in memory, or PostgreSQL) need no warning; the demo's file has IMMEDIATE.
    assert not [m for m in check_background(None) if m.id == "winiadmin.W004"]
    from demo_project.settings import DATABASES as DEMO

    assert sqlite_files_without_immediate(DEMO) == []
