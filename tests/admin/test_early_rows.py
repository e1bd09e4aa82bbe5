"""The job page of a dry run still going on shows its first cleaned rows, once they are stored."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.admin.conftest import MakeJob
from tests.admin.helpers import html, job_url
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

Status = ImportJob.Status
HEADER = b"sku,name,price,quantity,category,store,available_from\n"


@pytest.fixture(autouse=True)
def background() -> Iterator[None]:
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0, "PAGE_SIZE": 2}):
        yield


def htmx_get(client: Client, url: str) -> Any:
    return client.get(url, headers={"HX-Request": "true"})


def still_checking(make_job: MakeJob, *, stored: bool = True) -> ImportJob:
    """A job whose cleaned rows are stored while its dry run goes on (no report yet)."""
    rows = b"A-1,<b>Bold</b>,1.50,2,Books,Online,2026-01-02\n" + b"".join(
        b"A-%d,Thing %d,1.00,1,Books,Online,\n" % (i, i) for i in range(2, 6)
    )
    job = make_job(content=HEADER + rows)
    preview = job.preview_file if stored else ""
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.VALIDATING, report={}, stage="load", preview_file=preview
    )
    job.refresh_from_db()
    return job


def test_the_progress_page_loads_the_first_rows_once(su_client: Client, make_job: MakeJob) -> None:
    job = still_checking(make_job)
    page = html(su_client.get(job_url(job)))
    assert "Checking the file (dry run)" in page
    assert f'hx-get="{job_url(job, "early_rows")}" hx-trigger="load"' in page

    fragment = html(htmx_get(su_client, job_url(job, "early_rows")))
    assert "Counts and problems come when the check finishes." in fragment
    assert "&lt;b&gt;Bold&lt;/b&gt;" in fragment and "<b>Bold" not in fragment
    assert "Rows 1\u20132 of 5" in fragment
    assert '<th scope="col">sku<br>' in fragment  # columns named by the stored frame
    assert "hx-trigger" not in fragment.split('id="winiadmin-rows"')[0]  # not polled again

    second = html(htmx_get(su_client, job_url(job, "rows") + "?page=2"))
    assert "Rows 3\u20134 of 5" in second and "Thing 3" in second and "Bold" not in second


def test_before_the_rows_are_stored_the_placeholder_polls(
    su_client: Client, make_job: MakeJob
) -> None:
    job = still_checking(make_job, stored=False)
    fragment = html(htmx_get(su_client, job_url(job, "early_rows")))
    assert 'hx-trigger="every 1s"' in fragment and "<table" not in fragment


def test_a_finished_check_shows_no_early_rows(su_client: Client, make_job: MakeJob) -> None:
    job = make_job(content=HEADER + b"A-1,Thing,1.50,2,Books,Online,2026-01-02\n")
    assert job.status == Status.VALIDATED
    assert job_url(job, "early_rows") not in html(su_client.get(job_url(job)))


def test_a_queued_job_waits_and_a_real_run_shows_no_rows(
    su_client: Client, make_job: MakeJob
) -> None:
    job = still_checking(make_job)
    ImportJob.objects.filter(pk=job.pk).update(status=Status.QUEUED)
    page = html(su_client.get(job_url(job)))
    assert f'hx-get="{job_url(job, "early_rows")}" hx-trigger="load"' in page
    queued = html(htmx_get(su_client, job_url(job, "early_rows")))
    assert 'hx-trigger="every 1s"' in queued and "<table" not in queued

    ImportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING)
    running = html(htmx_get(su_client, job_url(job, "early_rows")))
    assert "hx-trigger" not in running and "<table" not in running
    assert 'id="winiadmin-early-rows"' in running
