"""``winiadmin.tasks``: a Celery worker that imports it knows ``run_job`` under the alias
winiadmin enqueues on, not only under ``default``. Each case is a fresh process, as a worker is:
django-tasks-celery registers a task with Celery once per process."""

import subprocess
import sys

import pytest

from tests.workers import ROOT

#: Django set up with the test settings, then TASKS as a project that keeps ``default`` for
#: django-tasks-db and sends imports to Celery; prints whether Celery knows ``run_job``.
CHECK = """
import sys
import django
django.setup()
from django.conf import settings
from django.test import override_settings
from tests.celery_app import app
tasks = {"default": settings.TASKS_BY_ENGINE["db"]["default"],
         "imports": settings.TASKS_BY_ENGINE["celery"]["default"]}
with override_settings(TASKS=tasks, WINIADMIN={"TASK_BACKEND": sys.argv[1]}):
    import winiadmin.tasks  # what the worker's autodiscover_tasks() does
    print("winiadmin.tasks.run_job" in app.tasks)
"""


@pytest.mark.parametrize(("alias", "registered"), [("imports", "True"), ("default", "False")])
def test_a_celery_worker_knows_run_job_under_the_configured_alias(
    alias: str, registered: str
) -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK, alias],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "/usr/bin:/bin",
             "PYTHONPATH": f"{ROOT}:{ROOT / 'example'}"},
    )  # fmt: skip
    # With TASK_BACKEND "imports" the import binds run_job to Celery; with "default" (here
    # django-tasks-db) Celery is never asked, as it should not be.
    assert out.stdout.strip() == registered, out.stderr
