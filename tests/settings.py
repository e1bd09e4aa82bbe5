"""Test settings: the demo project plus a test-only app; the database comes from the environment.

WINIADMIN_TEST_DB=sqlite (default) or postgres; WINIADMIN_PG_* pick the server.
WINIADMIN_SQLITE_PATH: the SQLite test database is that file instead of memory, so that other
processes (task workers, a second web server) reach it as they would a deployed SQLite file.
WINIADMIN_TEST_SETTINGS: ``settings.WINIADMIN`` as JSON, for a worker process a test starts.
"""

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from demo_project.settings import *  # noqa: F403
from demo_project.settings import INSTALLED_APPS, STORAGES

DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A worker subprocess (tests/jobs/worker.py) is handed this folder so that it shares the uploads.
_TMP = Path(os.environ.get("WINIADMIN_TEST_TMP") or tempfile.mkdtemp(prefix="winiadmin-tests-"))
MEDIA_ROOT = _TMP / "media"
STORAGES = {
    **STORAGES,
    "winiadmin": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": _TMP / "uploads", "base_url": None},
    },
}

# Imports run inside the request unless a test turns background runs on.
WINIADMIN = json.loads(os.environ.get("WINIADMIN_TEST_SETTINGS") or "{}")

# The task engines the worker tests run on (tests/workers.py): django-tasks-db's DatabaseBackend,
# or Celery through django-tasks-celery with Redis as broker and result store. A worker process
# gets WINIADMIN_TEST_ENGINE=celery; the test process overrides TASKS with TASKS_BY_ENGINE.
TASKS_BY_ENGINE: dict[str, dict[str, dict[str, Any]]] = {
    "db": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    "celery": {
        "default": {
            "BACKEND": "django_tasks_celery.CeleryBackend",
            "OPTIONS": {"CELERY_APP": "tests.celery_app.app"},
        },
    },
}
TASKS = TASKS_BY_ENGINE[os.environ.get("WINIADMIN_TEST_ENGINE", "db")]
# A Redis database of the tests' own (flushed by each Celery test), so that nothing else collides.
REDIS_URL = os.environ.get("WINIADMIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
# The broker may be another (WINIADMIN_TEST_BROKER_URL, e.g. "amqp://guest:guest@127.0.0.1//"
# for RabbitMQ); the results stay in Redis.
CELERY_BROKER_URL = os.environ.get("WINIADMIN_TEST_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = REDIS_URL
# A queue of this test run's own (inherited by the workers it starts through the environment): a
# worker left over from an earlier, killed run on the same Redis database would otherwise take
# this run's tasks and run them against that run's database.
CELERY_TASK_DEFAULT_QUEUE = os.environ.setdefault(
    "WINIADMIN_TEST_CELERY_QUEUE", f"winiadmin-tests-{os.getpid()}"
)
CELERY_RESULT_EXTENDED = True  # the task's name in its result: django_tasks' get_result() needs it
CELERY_TASK_TRACK_STARTED = True  # a running task is STARTED, not PENDING
# As docs/background.md advises for long imports: a worker takes one task at a time, and a task
# is acknowledged when it ends (a duplicate delivery finds nothing to claim).
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if os.environ.get("WINIADMIN_TEST_VISIBILITY_TIMEOUT"):  # a worker that re-delivers within seconds
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": float(os.environ["WINIADMIN_TEST_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }

TEST_DB = os.environ.get("WINIADMIN_TEST_DB", "sqlite")
if TEST_DB == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("WINIADMIN_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("WINIADMIN_PG_PORT", "5432"),
            "USER": os.environ.get("WINIADMIN_PG_USER", "postgres"),
            "PASSWORD": os.environ.get("WINIADMIN_PG_PASSWORD", ""),
            "NAME": os.environ.get("WINIADMIN_PG_NAME", "postgres"),
            "TEST": {"NAME": os.environ.get("WINIADMIN_PG_TEST_NAME", "test_winiadmin")},
        },
    }
elif TEST_DB == "sqlite" and os.environ.get("WINIADMIN_SQLITE_PATH"):
    _SQLITE_PATH = os.environ["WINIADMIN_SQLITE_PATH"]
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _SQLITE_PATH,
            # As the demo deploys it (W004): writers queue at BEGIN, readers go on during a write.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
            "TEST": {"NAME": _SQLITE_PATH},
        },
    }
elif TEST_DB == "sqlite":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
else:  # pragma: no cover - a typo in the environment should not silently fall back
    msg = f"WINIADMIN_TEST_DB must be 'sqlite' or 'postgres', not {TEST_DB!r}"
    raise RuntimeError(msg)

# The demo's URLs and the test app's wizard outside the admin (tests/wizard).
ROOT_URLCONF = "tests.testapp.urls"
