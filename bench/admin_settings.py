"""Settings for ``bench.admin``: the demo project with every upload run by a real task worker.

The database and the upload storage come from :mod:`bench.settings` (``BENCH_DB`` etc.), as for
``bench.preview``; the worker is django-tasks-db's ``db_worker`` on the same database.
"""

import os

from bench.preview_settings import *  # noqa: F403
from bench.preview_settings import DATABASES

# Every upload goes to the worker, as on a site where big files are the rule.
# The 10M-row file is over the safe default MAX_CELLS (50M), as in bench.export: raised here.
WINIADMIN = {
    "MAX_UPLOAD_SIZE": 20 * 1024**3,
    "MAX_ROWS": 100_000_000,
    "MAX_CELLS": 10**10,
    "BACKGROUND_THRESHOLD": 0,
}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The web process and the worker share the SQLite file as the demo deploys it (winiadmin.W004).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "timeout": 60,
        "transaction_mode": "IMMEDIATE",
    }

# The control of docs/performance.md: the worker does not vacuum after a check (jobs.vacuum).
if os.environ.get("BENCH_NO_WORKER_VACUUM"):
    from winiadmin.jobs import vacuum as _vacuum

    _vacuum.VACUUM_AFTER_ROWS = 2**62
