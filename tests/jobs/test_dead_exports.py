"""Dead exports: a running export whose worker is gone is marked failed with the reason, by
the next worker, the job's page or the cleanup; a live one is left alone; a worker that finds
its job marked dead keeps the reason and stores no file."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.utils import timezone
from shop.models import Product

from winiadmin.exports import export_columns
from winiadmin.importers import get_importer
from winiadmin.jobs import exports
from winiadmin.jobs.dead_exports import sweep_dead_exports
from winiadmin.jobs.exports import cleanup_expired_exports, create_export_job, run_export_job
from winiadmin.jobs.liveness import job_lock_is_free, job_lock_key
from winiadmin.models import ExportJob
from winiadmin.storage import upload_storage

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.django_db
Status = ExportJob.Status


def _job() -> ExportJob:
    Product.objects.get_or_create(sku="A", defaults={"name": "a", "price": Decimal(1)})
    columns = export_columns(get_importer("shop.catalogue")).chosen(["sku", "price"])
    return create_export_job(
        user_id=None, rows=Product.objects.all(), importer="shop.catalogue", columns=columns,
        fmt="csv", file_name="p.csv",
    )  # fmt: skip


def _running(job: ExportJob, seconds_ago: float) -> None:
    seen = timezone.now() - timedelta(seconds=seconds_ago)
    # .update() leaves auto_now alone: the last progress as the worker wrote it.
    ExportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, updated_at=seen)


def test_a_silent_export_is_marked_failed_and_a_recent_one_is_not() -> None:
    job = _job()
    _running(job, seconds_ago=0)
    assert sweep_dead_exports() == 0
    job.refresh_from_db()
    assert job.status == Status.RUNNING
    _running(job, seconds_ago=120)  # longer ago than STALE_AFTER_SECONDS (60)
    assert sweep_dead_exports(job=job) == 1
    assert job.status == Status.FAILED
    assert job.error.startswith("The worker running this export stopped (")
    assert "start the export again" in job.error
    assert job.finished_at is not None


def test_the_cleanup_and_the_next_worker_sweep_too() -> None:
    dead, queued = _job(), _job()
    _running(dead, seconds_ago=3600)
    cleanup_expired_exports()
    dead.refresh_from_db()
    assert dead.status == Status.FAILED
    _running(dead, seconds_ago=3600)
    assert run_export_job(str(queued.pk)) == Status.SUCCEEDED
    dead.refresh_from_db()
    assert dead.status == Status.FAILED


def test_a_worker_that_was_marked_dead_stores_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    job = _job()
    real_store = exports._store
    stored: list[str] = []

    def store_then_swept(running: ExportJob, scratch: Path) -> str:
        # A sweeper fails the job just as the worker stores its file (the race, made certain).
        stored.append(real_store(running, scratch))
        ExportJob.objects.filter(pk=running.pk).update(status=Status.FAILED, error="dead")
        return stored[-1]

    monkeypatch.setattr(exports, "_store", store_then_swept)
    assert run_export_job(str(job.pk)) == Status.FAILED
    job.refresh_from_db()
    assert (job.status, job.error, job.file) == (Status.FAILED, "dead", "")
    assert not upload_storage().exists(stored[0])


@pytest.mark.processes
def test_postgresql_a_killed_process_holding_the_lock() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks: PostgreSQL")
    job = _job()
    _running(job, seconds_ago=30)  # under STALE_AFTER_SECONDS: only the lock can tell
    settings = connection.settings_dict
    # psql takes the lock and then waits for its next command, as a worker's connection between
    # two queries: the server sees the socket close when the process is killed.
    holder = subprocess.Popen(
        [
            "psql", "-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432),
            "-U", settings["USER"] or "postgres", "-d", settings["NAME"], "-v", "ON_ERROR_STOP=1",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PGPASSWORD": settings["PASSWORD"] or ""},
    )  # fmt: skip
    assert holder.stdin is not None
    holder.stdin.write(f"SELECT pg_advisory_lock({job_lock_key(job.pk)});\n".encode())
    holder.stdin.flush()
    try:
        deadline = time.monotonic() + 20
        while job_lock_is_free(job.pk) and time.monotonic() < deadline:
            time.sleep(0.05)  # psql starting
        assert sweep_dead_exports(job=job) == 0
        job.refresh_from_db()
        assert job.status == Status.RUNNING  # its process holds the lock: alive
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        deadline = time.monotonic() + 20
        while sweep_dead_exports(job=job) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)  # the server lets the lock go once it sees the client gone
    finally:
        holder.kill()
        holder.wait()
    assert job.status == Status.FAILED
    assert "its connection to the database closed" in job.error
