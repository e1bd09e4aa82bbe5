"""``python -m bench.dead_workers``: how long a SIGKILLed ``db_worker``'s job stays "running".

Example::

    .venv/bin/python -m bench.dead_workers --repeat 3

Real processes on PostgreSQL (``WINIADMIN_PG_*`` pick the server; the scratch database
``--pg-name`` is created and dropped): the test settings (``tests.settings``: the demo and the
test app, django-tasks-db), winiadmin's default settings but ``BACKGROUND_THRESHOLD = 0``, and
``db_worker`` with its default ``--interval 1``. For each repetition, twice:

1. *fail*: a job's real run (``testapp.slow_tags``, ~1 s per 1000 rows loaded) is claimed by
   worker A, a second worker B idles (once its start-up is over, A is killed with SIGKILL in the
   middle of the load); the clock runs from the kill until the job's status is ``failed`` (what
   its page shows);
2. *retry*: the same with ``MAX_ATTEMPTS = 2`` (the importer made quick after the kill): from
   the kill until the job, run again by B, is ``succeeded``.

Prints one line per measurement, then a JSON summary (medians, maxima) as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _prepare_environment(pg_name: str, tmp: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        WINIADMIN_TEST_DB="postgres",
        WINIADMIN_PG_NAME=pg_name,
        WINIADMIN_TEST_TMP=str(tmp),
        WINIADMIN_TEST_SETTINGS=json.dumps({"BACKGROUND_THRESHOLD": 0}),
        PYTHONUNBUFFERED="1",  # the workers' logs tell when they poll
    )
    for path in (ROOT / "example", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def _admin_sql(statement: str) -> None:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(
        host=os.environ.get("WINIADMIN_PG_HOST", "127.0.0.1"),
        port=os.environ.get("WINIADMIN_PG_PORT", "5432"),
        user=os.environ.get("WINIADMIN_PG_USER", "postgres"),
        password=os.environ.get("WINIADMIN_PG_PASSWORD", ""),
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(statement)  # type: ignore[arg-type]  # our own fixed statements


def _wait(job_id: str, test: Any, timeout: float) -> None:
    from winiadmin.models import ImportJob  # noqa: PLC0415

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if test(ImportJob.objects.get(pk=job_id)):
            return
        time.sleep(0.02)
    msg = f"job {job_id} never got there"
    raise TimeoutError(msg)


def _wait_until_polling(log: Path, timeout: float = 120) -> None:
    """Until the worker whose output goes to ``log`` has started its loop (Django loaded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and "Starting worker" in log.read_text():
            return
        time.sleep(0.05)
    msg = f"{log} never said it started"
    raise TimeoutError(msg)


def _one_kill(log_dir: Path, rows: int, *, max_attempts: int) -> float:
    """Seconds from SIGKILL to the job's end (failed, or succeeded when run again)."""
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    from tests.testapp.models import Tag  # noqa: PLC0415
    from tests.workers import Workers  # noqa: PLC0415
    from winiadmin.importers import get_importer  # noqa: PLC0415
    from winiadmin.jobs.background import start_execution  # noqa: PLC0415
    from winiadmin.jobs.runner import create_job, validate_job  # noqa: PLC0415
    from winiadmin.models import ImportJob  # noqa: PLC0415

    Status = ImportJob.Status  # noqa: N806
    Tag.objects.all().delete()
    content = b"name\n" + b"".join(b"n%d\n" % i for i in range(rows))
    job = create_job(
        importer=get_importer("testapp.slow_tags"),
        upload=SimpleUploadedFile("tags.csv", content),
        user=None,
        options={"pause_ms": "0"},
        read_options={},
    )
    validate_job(job)
    ImportJob.objects.filter(pk=job.pk).update(options={"pause_ms": "100"})
    job.refresh_from_db()
    start_execution(job, skip_invalid=False, user=None)
    log_dir.mkdir(parents=True)
    workers = Workers(log_dir, winiadmin={"BACKGROUND_THRESHOLD": 0, "MAX_ATTEMPTS": max_attempts})
    try:
        doomed = workers.start("--interval", "1")  # db_worker's default poll interval
        _wait(str(job.pk), lambda j: j.status == Status.RUNNING, 60)
        workers.start("--interval", "1")
        _wait_until_polling(log_dir / "worker-1.log")  # idle, not still starting
        _wait(str(job.pk), lambda j: j.stage == "load" and j.rows_done >= 500, 60)
        os.kill(doomed.pid, signal.SIGKILL)
        killed = time.monotonic()
        doomed.wait()
        if max_attempts > 1:
            ImportJob.objects.filter(pk=job.pk).update(options={"pause_ms": "0"})
        end = Status.SUCCEEDED if max_attempts > 1 else Status.FAILED
        _wait(str(job.pk), lambda j: j.status == end, 120)
        took = time.monotonic() - killed
        if max_attempts > 1:
            assert Tag.objects.count() == rows, workers.logs()
        else:
            assert not Tag.objects.exists()
        return took
    finally:
        workers.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.dead_workers", description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=10_000)  # B has time to start before the kill
    parser.add_argument("--pg-name", default="winiadmin_bench_dead_workers")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="winiadmin-dead-workers-"))
    _prepare_environment(args.pg_name, tmp)
    _admin_sql(f'DROP DATABASE IF EXISTS "{args.pg_name}"')
    _admin_sql(f'CREATE DATABASE "{args.pg_name}"')
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connections  # noqa: PLC0415
    from django.test import override_settings  # noqa: PLC0415

    results: dict[str, list[float]] = {"fail_s": [], "retry_s": []}
    try:
        # The test app has no migrations: its tables are made from its models.
        with override_settings(MIGRATION_MODULES={"testapp": None}):
            call_command("migrate", run_syncdb=True, verbosity=0)
        for rep in range(args.repeat):
            for key, attempts in (("fail_s", 1), ("retry_s", 2)):
                took = _one_kill(tmp / f"logs-{rep}-{key}", args.rows, max_attempts=attempts)
                results[key].append(took)
                what = "failed" if attempts == 1 else "run again and succeeded"
                print(f"repetition {rep + 1}: SIGKILL → {what} in {took:.2f} s", flush=True)
    finally:
        connections.close_all()
        _admin_sql(f'DROP DATABASE IF EXISTS "{args.pg_name}"')
    summary = {
        key: {"median": statistics.median(values), "max": max(values), "all": values}
        for key, values in results.items()
    }
    print(json.dumps({"status": "ok", "db": "postgres", "rows": args.rows, **summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
