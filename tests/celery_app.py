"""The Celery application of the test project, as a project's ``proj/celery.py`` would be.

Celery workers start with ``celery -A tests.celery_app worker``; the test process enqueues through
``django.tasks`` with ``django_tasks_celery.CeleryBackend``, whose ``CELERY_APP`` option names
this app. Its settings are the ``CELERY_*`` ones of tests/settings.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

app = Celery("winiadmin_tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Imports each installed app's ``tasks`` module in the worker: winiadmin.tasks, whose ``run_job``
# the CeleryBackend registers with this app as it validates the task.
app.autodiscover_tasks()
