"""Real task workers for tests, on a test database they can reach: ``db_worker`` processes
(django-tasks-db) or ``celery worker`` processes (django-tasks-celery, Redis as the broker).

Each worker is a process of its own with the test settings, pointed at the test database and at
this process's upload folder, so it sees exactly what a worker on another machine sees. The test
process enqueues through ``django.tasks`` on the engine under test (``TASKS`` overridden).

To run a test on both engines, take the ``worker_engine`` fixture (tests/conftest.py) and hand it
to ``running_workers``::

    @pytest.fixture
    def workers(tmp_path: Path, worker_engine: str) -> Iterator[Workers]:
        yield from running_workers(tmp_path, worker_engine)
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.tasks import TaskResult, TaskResultStatus, task_backends
from django.tasks.signals import task_enqueued
from django.test import override_settings

from winiadmin.storage import upload_storage

TEST_DB = os.environ.get("WINIADMIN_TEST_DB", "sqlite")
SQLITE_PATH = os.environ.get("WINIADMIN_SQLITE_PATH", "")

#: The task engines: django-tasks-db's ``db_worker``, and Celery workers.
ENGINES = ("db", "celery")

#: What only PostgreSQL shows (for tests that need another process at all, see needs_shared_db).
needs_postgres = pytest.mark.skipif(
    TEST_DB != "postgres",
    reason="PostgreSQL only: its advisory locks, or another connection's view of a running load "
    "(SQLite's one writer holds the load back from every other connection)",
)

#: Another process can reach the test database: PostgreSQL, or SQLite in a file
#: (``WINIADMIN_SQLITE_PATH``, as the runner's ``sqlite-processes`` and browser suites set it).
needs_shared_db = pytest.mark.skipif(
    TEST_DB == "sqlite" and not SQLITE_PATH,
    reason="another process cannot reach SQLite's in-memory test database "
    "(set WINIADMIN_SQLITE_PATH, as ./dev test does for the suites that need it)",
)


def redis_reachable() -> bool:
    """Whether the tests' Redis server (``WINIADMIN_TEST_REDIS_URL``) answers."""
    url = urlsplit(settings.REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=2):
            return True
    except OSError:
        return False


#: The Celery tests need the Redis server (``./dev test`` fails on CI without it).
needs_redis = pytest.mark.skipif(
    not redis_reachable(), reason=f"no Redis server at {settings.REDIS_URL}"
)


def database_env() -> dict[str, str]:
    """The environment that points another process at this test database."""
    name = str(connection.settings_dict["NAME"])
    if TEST_DB == "postgres":
        return {"WINIADMIN_TEST_DB": "postgres", "WINIADMIN_PG_NAME": name}
    return {"WINIADMIN_TEST_DB": "sqlite", "WINIADMIN_SQLITE_PATH": name}


ROOT = Path(__file__).resolve().parents[1]

#: How each engine's worker process is started (``Workers.start``'s extra arguments follow).
_COMMANDS = {
    "db": ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
    # The solo pool runs the task in the worker process itself, as db_worker does: a SIGKILL of
    # the process kills the import, and the job's worker name carries the process's pid.
    "celery": ["worker", "--pool", "solo", "--loglevel", "INFO", "--without-gossip",
               "--without-mingle", "--without-heartbeat"],
}  # fmt: skip


class Workers:
    """Starts worker processes of one engine; whatever is still running at the end is killed.

    ``winiadmin``: the workers' ``settings.WINIADMIN`` (a test's ``override_settings`` stays in
    the test's own process).
    """

    def __init__(
        self, log_dir: Path, engine: str = "db", *, winiadmin: Mapping[str, object] | None = None
    ) -> None:
        assert engine in ENGINES, engine
        self.log_dir = log_dir
        self.engine = engine
        self.winiadmin = dict(winiadmin or {})
        self.procs: list[subprocess.Popen[bytes]] = []
        #: (backend alias, result id) of every task enqueued while these workers are in use.
        self.enqueued: list[tuple[str, str]] = []

    def start(self, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """One worker process; ``extra``: its command's options, ``env``: more environment."""
        uploads = Path(upload_storage().path(""))
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "example")]),
            **database_env(),
            "WINIADMIN_TEST_TMP": str(uploads.parent),
            "WINIADMIN_TEST_ENGINE": self.engine,
            "WINIADMIN_TEST_REDIS_URL": settings.REDIS_URL,
            "WINIADMIN_TEST_BROKER_URL": settings.CELERY_BROKER_URL,
            "WINIADMIN_TEST_SETTINGS": json.dumps(self.winiadmin),
            **(env or {}),
        }
        n = len(self.procs)
        if self.engine == "db":
            program = ["-m", "django", *_COMMANDS["db"]]
        else:
            program = ["-m", "celery", "-A", "tests.celery_app", *_COMMANDS["celery"],
                       "--hostname", f"worker{n}@%h"]  # fmt: skip
        log = (self.log_dir / f"worker-{n}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, *program, *extra],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def log(self, proc: subprocess.Popen[bytes]) -> str:
        """What one worker process has written so far."""
        return (self.log_dir / f"worker-{self.procs.index(proc)}.log").read_text()

    def wait_for_log(self, proc: subprocess.Popen[bytes], text: str, timeout: float = 60) -> None:
        """Until the worker process has logged ``text``."""
        deadline = time.monotonic() + timeout
        while text not in self.log(proc):
            assert time.monotonic() < deadline, f"never logged {text!r}\n{self.logs()}"
            time.sleep(0.1)

    def batch(self, n: int = 1, timeout: float = 60) -> None:
        """``n`` workers that run every queued task, then exit."""
        if self.engine == "db":
            procs = [self.start("--batch") for _ in range(n)]
            for proc in procs:
                assert proc.wait(timeout) == 0, self.logs()
            return
        # A Celery worker has no batch mode: wait for the tasks queued now to end, then stop the
        # workers as a process manager would (SIGTERM: the current task ends first).
        queued = [r for r in self.results() if r.status == TaskResultStatus.READY]
        procs = [self.start() for _ in range(n)]
        deadline = time.monotonic() + timeout
        while any(self._result(r).status not in _ENDED for r in queued):
            assert time.monotonic() < deadline, f"still queued after {timeout} s\n{self.logs()}"
            assert all(p.poll() is None for p in procs), self.logs()
            time.sleep(0.1)
        for proc in procs:  # one may still be starting (the others ran every task): let it be up
            self.wait_for_log(proc, " ready.", timeout)
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            assert proc.wait(timeout) == 0, self.logs()

    def results(self) -> list[TaskResult[Any, Any]]:
        """The backend's record of every task enqueued so far, through ``django.tasks``."""
        return [task_backends[alias].get_result(rid) for alias, rid in self.enqueued]

    def return_values(self) -> list[Any]:
        """What each finished task returned (``run_job``: the job's status, or "not claimed")."""
        return [r.return_value for r in self.results() if r.status == TaskResultStatus.SUCCESSFUL]

    @staticmethod
    def _result(result: TaskResult[Any, Any]) -> TaskResult[Any, Any]:
        return task_backends[result.backend].get_result(result.id)

    def logs(self) -> str:
        tasks = [(r.status, r.args, r.errors) for r in self.results()]
        logs = [p.read_text() for p in sorted(self.log_dir.glob("worker-*.log"))]
        return "\n".join([*logs, f"tasks ({self.engine}): {tasks}"])

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


_ENDED = {TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED}


def _flush_redis() -> None:
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


def running_workers(log_dir: Path, engine: str = "db") -> Iterator[Workers]:
    """For a fixture: workers of ``engine`` for one test, with this process's ``TASKS`` pointed
    at that engine; the workers still running at the end are killed (and Celery's Redis
    database flushed before and after)."""
    started = Workers(log_dir, engine)

    def record(sender: object, task_result: TaskResult[Any, Any], **kwargs: object) -> None:
        started.enqueued.append((task_result.backend, str(task_result.id)))

    if engine == "celery":
        _flush_redis()
    task_enqueued.connect(record, weak=False)
    try:
        with override_settings(TASKS=settings.TASKS_BY_ENGINE[engine]):
            yield started
    finally:
        started.stop()
        task_enqueued.disconnect(record)
        if engine == "celery":
            _flush_redis()
