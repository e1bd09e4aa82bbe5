"""The confirm starts from the check's cleaned rows when nothing they depend on changed (issue 19
§2), and reads the upload again otherwise; transform and load always run again, so a database
that changed since the check is still caught. Both databases (``WINIADMIN_TEST_DB``)."""

import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from shop.models import Product

from tests.jobs.conftest import HEADER, MakeJob
from tests.testapp.models import Tag
from winiadmin.importers import get_importer
from winiadmin.jobs.check_inputs import CHECK_INPUTS, check_fingerprint
from winiadmin.jobs.edits import set_cell
from winiadmin.jobs.runner import execute_job, validate_job
from winiadmin.models import ImportJob

ROWS = 10
REUSED = "cleaned rows"  # the key the real run's "how the file was read" gets when reused


def _csv(rows: int = ROWS) -> bytes:
    lines = b"".join(b"S-%d,Thing %d,1.50,2,Books,Online,\n" % (i, i) for i in range(rows))
    return HEADER + lines


@pytest.fixture(params=["whole", "streamed"])
def reading(request: pytest.FixtureRequest, settings: Any) -> str:
    if request.param == "streamed":
        settings.WINIADMIN = {"STREAM_THRESHOLD_BYTES": 1, "STREAM_BATCH_ROWS": 4}
    return str(request.param)


def _reused(job: ImportJob) -> bool:
    return REUSED in job.import_report.source.items


@pytest.mark.django_db
def test_an_unchanged_check_is_reused_by_the_confirm(
    reading: str, make_job: MakeJob, user: User
) -> None:
    job = make_job(_csv())
    assert job.checked_inputs == check_fingerprint(job, get_importer(job.importer))
    execute_job(job, skip_invalid=False, user=user)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and _reused(job)
    assert job.import_report.source.items.get("format") == "csv"  # the check's, kept
    skus = {str(sku) for sku in Product.objects.values_list("sku", flat=True)}
    assert skus == {f"S-{i}" for i in range(ROWS)}
    assert job.created_counts["shop.Product"] == ROWS


@pytest.mark.django_db
def test_an_edit_after_the_check_forces_the_full_run(
    reading: str, make_job: MakeJob, user: User
) -> None:
    job = make_job(_csv())
    set_cell(job, user, 5, "name", "Edited")  # row 5: S-3
    # The confirm refuses an edited job until it is checked again; even if it did not, the
    # check's cleaned rows are not those of the edited file:
    ImportJob.objects.filter(pk=job.pk).update(validated_at=timezone.now())
    job.refresh_from_db()
    execute_job(job, skip_invalid=False, user=user)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and not _reused(job)
    assert Product.objects.get(sku="S-3").name == "Edited"


@pytest.mark.django_db
def test_a_mapping_changed_after_the_check_forces_the_full_run(
    make_job: MakeJob, user: User, caplog: pytest.LogCaptureFixture
) -> None:
    job = make_job(_csv())
    # "name" now fed by the sku column: the check's cleaned rows are stale.
    mapping = {"sku": "sku", "name": None}
    ImportJob.objects.filter(pk=job.pk).update(column_mapping=mapping)
    job.refresh_from_db()
    assert check_fingerprint(job, get_importer(job.importer)) != job.checked_inputs
    with caplog.at_level(logging.INFO, logger="winiadmin"):
        execute_job(job, skip_invalid=False, user=user)
    job.refresh_from_db()
    assert not _reused(job)
    assert "does not reuse the check: the check's inputs changed" in caplog.text  # says why


@pytest.mark.django_db
def test_a_database_change_after_the_check_is_still_caught(make_job: MakeJob, user: User) -> None:
    names = b"name\n" + b"".join(b"tag-%d\n" % i for i in range(5))
    job = make_job(names, importer="testapp.slow_tags")
    assert job.status == ImportJob.Status.VALIDATED and job.checked_inputs
    Tag.objects.create(name="tag-2")  # since the check
    execute_job(job, skip_invalid=False, user=user)
    job.refresh_from_db()
    assert _reused(job)
    assert job.status == ImportJob.Status.INVALID
    rows = [p.row for p in job.import_report.problems]
    assert rows == [4]  # tag-2: file row 4
    assert list(Tag.objects.values_list("name", flat=True)) == ["tag-2"]  # nothing written


@pytest.mark.django_db
def test_a_check_with_problems_is_not_reused(
    make_job: MakeJob, user: User, caplog: pytest.LogCaptureFixture
) -> None:
    job = make_job(HEADER + b"S-1,Thing,not a price,2,Books,Online,\n" + _csv(2)[len(HEADER) :])
    assert job.status == ImportJob.Status.INVALID and not job.checked_inputs
    validate_job(job)
    job.refresh_from_db()
    assert not job.checked_inputs
    with caplog.at_level(logging.INFO, logger="winiadmin"):
        execute_job(job, skip_invalid=True, user=user)
    job.refresh_from_db()
    assert not _reused(job) and job.status == ImportJob.Status.SUCCEEDED
    assert "does not reuse the check: the check stored no fingerprint" in caplog.text
    assert set(Product.objects.values_list("sku", flat=True)) == {"S-0", "S-1"}


def test_every_check_input_is_named_once() -> None:
    names = [name for name, _take in CHECK_INPUTS]
    assert len(names) == len(set(names))
    assert {"file", "read_options", "column_mapping", "edits", "importer"} <= set(names)
