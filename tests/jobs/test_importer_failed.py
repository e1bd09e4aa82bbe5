"""A background job whose importer's code raises ends Failed, with the message the wizard shows."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import override_settings

from tests.jobs.conftest import MakeJob
from tests.reliability.importers import BROKEN_IMPORTERS
from tests.testapp.models import CorpusItem
from winiadmin.importers import register
from winiadmin.importers.registry import unregister
from winiadmin.jobs.background import enqueue_validation, run_queued
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

FILE = b"code,name,quantity,price,day\nA,one,1,2.5,\nB,two,,,\n"


@pytest.fixture(autouse=True)
def broken_importers() -> Iterator[None]:
    for importer in BROKEN_IMPORTERS:
        register(importer)
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0}):
        yield
    for importer in BROKEN_IMPORTERS:
        unregister(importer)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.mark.parametrize("importer", [i.name for i in BROKEN_IMPORTERS])
def test_the_job_fails_with_the_importers_message(
    make_job: MakeJob, committed: Callable[[], Any], importer: str
) -> None:
    job = make_job(FILE, importer=importer, validate=False)
    with committed():
        enqueue_validation(job)
    assert run_queued(str(job.pk)) == "failed"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith(f"The importer {importer!r} failed with an error in its code: "), (
        job.error
    )
    assert job.error.endswith("Nothing was written. The details are in the server log.")
    assert job.report["rows"] == {
        "read": 2, "imported": 0, "updated": 0, "unchanged": 0, "skipped": 0, "rejected": 2,
        "dropped": 0,
    }  # fmt: skip
    assert not CorpusItem.objects.exists()
