"""The cleaned rows of a dry run are stored and published before its load ends, and paged by
row group; checked on both databases with the run in another thread (its own connection)."""

import threading
import time
from typing import Any
from uuid import UUID

import polars as pl
import pytest
from django.db import connections
from django.test import override_settings

from tests.jobs.conftest import MakeJob, on_disk
from tests.testapp.models import Tag
from winiadmin.jobs.frames import ROW_GROUP_SIZE, count_rows, read_page, store_cleaned_frame
from winiadmin.jobs.runner import run_validation
from winiadmin.models import ImportJob

Status = ImportJob.Status


@pytest.mark.django_db(transaction=True)  # the run and the reader need their own connections
def test_the_preview_is_readable_by_another_connection_while_the_load_runs(
    make_job: MakeJob,
) -> None:
    names = b"name\n" + b"".join(b"tag-%d\n" % i for i in range(3000))
    # 30 pauses of 50 ms in the load: the dry run is still loading while this test looks.
    job = make_job(names, importer="testapp.slow_tags", options={"pause_ms": "50"}, validate=False)
    ImportJob.objects.filter(pk=job.pk).update(status=Status.VALIDATING)
    job.refresh_from_db()
    outcome: dict[str, Any] = {}

    def validate() -> None:
        try:
            outcome["status"] = run_validation(job).status
        finally:
            connections.close_all()  # this thread's own

    runner = threading.Thread(target=validate)
    with override_settings(WINIADMIN={"PROGRESS_INTERVAL": 0.05}):
        runner.start()
        seen = _wait_for_preview(job.pk)
        still = ImportJob.objects.get(pk=job.pk)
        page = read_page(seen.preview_file, 0, 3)
        runner.join()
    assert still.status == Status.VALIDATING  # read while the dry run went on
    assert page["name"].to_list() == ["tag-0", "tag-1", "tag-2"]
    assert page["row"].to_list() == [2, 3, 4]  # file rows: the header is row 1
    assert count_rows(seen.preview_file) == 3000
    job.refresh_from_db()
    assert job.status == Status.VALIDATED and outcome["status"] == "dry_run"
    assert job.preview_file == seen.preview_file and on_disk(job.preview_file)
    assert not Tag.objects.exists()  # the dry run rolled back


def _wait_for_preview(job_id: UUID | str) -> ImportJob:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.preview_file:
            return job
        time.sleep(0.01)
    pytest.fail("the preview was never published")


def test_read_page_returns_the_rows_at_offsets_across_row_groups(db: None) -> None:
    n = 2 * ROW_GROUP_SIZE + 500
    frame = pl.DataFrame({"n": range(n), "label": [f"x{i}" for i in range(n)]})
    name = store_cleaned_frame("paging-test", frame, pl.Series(range(2, n + 2)))
    assert count_rows(name) == n
    across = read_page(name, ROW_GROUP_SIZE - 3, 6)  # the end of one group and the next's start
    assert across["n"].to_list() == list(range(ROW_GROUP_SIZE - 3, ROW_GROUP_SIZE + 3))
    assert across["row"].to_list() == [i + 2 for i in across["n"]]
    assert read_page(name, n - 2, 50)["label"].to_list() == [f"x{n - 2}", f"x{n - 1}"]
    assert read_page(name, 0, 2).columns == ["row", "n", "label"]
    assert read_page(name, n, 10).height == 0
