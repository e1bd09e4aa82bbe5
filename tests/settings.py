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
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

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
