"""Django settings for the benchmarks: the demo ``shop`` app, winiadmin and django-import-export.

``BENCH_DB=sqlite`` (default) or ``postgres`` picks the database:

* SQLite: the file ``BENCH_SQLITE_PATH`` (the harness puts it in a temporary directory), with
  Django's default settings: rollback journal (``journal_mode=DELETE``), ``synchronous=FULL``.
  Not WAL: every contender writes in one transaction, so the journal mode barely matters.
* PostgreSQL: database ``BENCH_PG_NAME`` (default ``winiadmin_bench``), created and dropped by
  ``bench.run`` through the ``postgres`` database. ``BENCH_PG_HOST``/``PORT``/``USER``/``PASSWORD``
  (falling back to ``WINIADMIN_PG_*``, then 127.0.0.1:5432, user postgres).
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "example") not in sys.path:  # the demo app ``shop`` lives in example/
    sys.path.insert(0, str(ROOT / "example"))

SECRET_KEY = "bench-only-not-secret"
DEBUG = False  # DEBUG=True would keep every query in memory
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django_htmx",
    "winiadmin",
    "shop",
]
try:
    import import_export  # noqa: F401  # the optional ``bench`` dependency group
except ImportError:  # pragma: no cover - the test environment does not install it
    pass
else:
    INSTALLED_APPS.append("import_export")

# The safe defaults refuse files over 100 MB or 5M rows; the 10M-row run needs more. A project
# importing such files raises them the same way (docs/settings.md).
WINIADMIN = {"MAX_UPLOAD_SIZE": 20 * 1024**3, "MAX_ROWS": 100_000_000}

_TMP = Path(tempfile.gettempdir()) / "winiadmin-bench"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "winiadmin": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": _TMP / "uploads", "base_url": None},
    },
}


def _pg(key: str, default: str) -> str:
    return os.environ.get(f"BENCH_PG_{key}", os.environ.get(f"WINIADMIN_PG_{key}", default))


PG_CONNECTION = {
    "HOST": _pg("HOST", "127.0.0.1"),
    "PORT": _pg("PORT", "5432"),
    "USER": _pg("USER", "postgres"),
    "PASSWORD": _pg("PASSWORD", ""),
}
PG_NAME = os.environ.get("BENCH_PG_NAME", "winiadmin_bench")

BENCH_DB = os.environ.get("BENCH_DB", "sqlite")
if BENCH_DB == "postgres":
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.postgresql", "NAME": PG_NAME, **PG_CONNECTION}
    }
elif BENCH_DB == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("BENCH_SQLITE_PATH", str(_TMP / "bench.sqlite3")),
        }
    }
else:
    msg = f"BENCH_DB must be 'sqlite' or 'postgres', not {BENCH_DB!r}"
    raise RuntimeError(msg)
