"""A task worker writes a job's problems and messages in its uploader's language."""

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from tests.jobs.conftest import HEADER, MakeJob
from winiadmin.jobs.background import enqueue_validation, run_queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_worker_writes_in_the_uploaders_language(
    make_job: MakeJob, committed: Callable[[], Any]
) -> None:
    content = HEADER + b"A-1,Thing,lots,2,Books,Online,2026-01-02\n"
    with translation.override("de"):
        job = make_job(content, validate=False)
    assert job.language == "de"
    with committed():
        enqueue_validation(job)
    with translation.override("en"):  # the worker's own language does not matter
        assert run_queued(str(job.pk)) == "invalid"
    job.refresh_from_db()
    (problem,) = job.import_report.problems
    assert (problem.kind, problem.label, problem.message) == (
        "invalid_value",
        "Ungültiger Wert",
        "Keine Zahl.",
    )


def test_a_job_without_a_language_uses_the_workers(
    make_job: MakeJob, committed: Callable[[], Any]
) -> None:
    job = make_job(HEADER + b"A-1,Thing,lots,2,Books,Online,2026-01-02\n", validate=False)
    job.language = ""
    job.save(update_fields=["language"])
    with committed():
        enqueue_validation(job)
    with translation.override("fr"):
        run_queued(str(job.pk))
    job.refresh_from_db()
    assert job.import_report.problems[0].message == "Pas un nombre."
