"""Settings for ``bench.preview``: the demo project (admin, wizard) on the benchmark's database.

The database and the upload storage come from :mod:`bench.settings` (``BENCH_DB`` etc.).
"""

import os

from demo_project.settings import *  # noqa: F403
from demo_project.settings import STORAGES as DEMO_STORAGES

from bench.settings import DATABASES, PG_CONNECTION, PG_NAME, STORAGES  # noqa: F401

DEBUG = False  # DEBUG=True would keep every query in memory
ALLOWED_HOSTS = ["testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**DEMO_STORAGES, "winiadmin": STORAGES["winiadmin"]}
# Limits as in bench.settings; the dry run is run by the benchmark itself, as a worker would.
WINIADMIN = {"MAX_UPLOAD_SIZE": 20 * 1024**3, "MAX_ROWS": 100_000_000}

# ``BENCH_SQLITE_TRANSACTION_MODE=IMMEDIATE``: transactions take SQLite's write lock at BEGIN, so
# that two writers (the load, the progress monitor) wait for each other instead of deadlocking.
_MODE = os.environ.get("BENCH_SQLITE_TRANSACTION_MODE")
if _MODE and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": _MODE}
