"""Real ``db_worker`` processes (django-tasks-db) for tests, on a test database they can reach.

Each worker is ``python -m django db_worker`` with the test settings, pointed at the test database
and at this process's upload folder, so it sees exactly what a worker on another machine sees.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from winiadmin.jobs.storage import upload_storage

TEST_DB = os.environ.get("WINIADMIN_TEST_DB", "sqlite")
SQLITE_PATH = os.environ.get("WINIADMIN_SQLITE_PATH", "")

#: SQLite's test database lives in the test process's memory: no other process can reach it.
needs_postgres = pytest.mark.skipif(
    TEST_DB != "postgres",
    reason="another process (worker, server) cannot reach SQLite's in-memory test database",
)

#: Another process can reach the test database: PostgreSQL, or SQLite in a file
#: (``WINIADMIN_SQLITE_PATH``, as the runner's ``sqlite-processes`` and browser suites set it).
needs_shared_db = pytest.mark.skipif(
    TEST_DB == "sqlite" and not SQLITE_PATH,
    reason="another process cannot reach SQLite's in-memory test database "
    "(set WINIADMIN_SQLITE_PATH, as ./dev test does for the suites that need it)",
)


def database_env() -> dict[str, str]:
    """The environment that points another process at this test database."""
    name = str(connection.settings_dict["NAME"])
    if TEST_DB == "postgres":
        return {"WINIADMIN_TEST_DB": "postgres", "WINIADMIN_PG_NAME": name}
    return {"WINIADMIN_TEST_DB": "sqlite", "WINIADMIN_SQLITE_PATH": name}


ROOT = Path(__file__).resolve().parents[1]


class Workers:
    """Starts ``db_worker`` processes; whatever is still running at the end is killed."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """A worker; ``env``: more environment variables for this one."""
        uploads = Path(upload_storage().path(""))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "example")]),
            **database_env(),
            "WINIADMIN_TEST_TMP": str(uploads.parent),
            **(env or {}),
        }
        log = (self.log_dir / f"worker-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "django", "db_worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.1", *extra],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def batch(self, n: int = 1, timeout: float = 60) -> None:
        """``n`` workers that run every queued task, then exit."""
        procs = [self.start("--batch") for _ in range(n)]
        for proc in procs:
            assert proc.wait(timeout) == 0, self.logs()

    def logs(self) -> str:
        tasks = [(t.status, t.args_kwargs, t.return_value) for t in DBTaskResult.objects.all()]
        logs = [p.read_text() for p in sorted(self.log_dir.glob("worker-*.log"))]
        return "\n".join([*logs, f"tasks: {tasks}"])

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def running_workers(log_dir: Path) -> Iterator[Workers]:
    """For a fixture: the workers a test starts, killed at its end if still running."""
    started = Workers(log_dir)
    yield started
    started.stop()
