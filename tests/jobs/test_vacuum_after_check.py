"""After a check that wrote enough rows, the worker vacuums the tables it wrote to (PostgreSQL);
the confirm then imports exactly the file's rows. Both databases (``WINIADMIN_TEST_DB``):
SQLite vacuums nothing and imports the same."""

import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from shop.models import Product

from tests.jobs.conftest import HEADER, MakeJob
from winiadmin.jobs import vacuum
from winiadmin.jobs.background import enqueue_execution, enqueue_validation, run_queued
from winiadmin.jobs.runner import validate_job
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db(transaction=True)  # VACUUM runs outside any transaction

ROWS = 30
POSTGRES = connection.vendor == "postgresql"


def _csv(rows: int = ROWS) -> bytes:
    lines = b"".join(b"S-%d,Thing %d,1.50,2,Books,Online,\n" % (i, i) for i in range(rows))
    return HEADER + lines


def _vacuum_count(table: str) -> int:
    if not POSTGRES:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = %s", [table]
        )  # fmt: skip
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_worker_vacuums_after_a_big_check_and_the_confirm_imports_every_row(
    make_job: MakeJob, committed: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vacuum, "VACUUM_AFTER_ROWS", ROWS)  # this check is "big"
    table = Product._meta.db_table
    before = _vacuum_count(table)
    job = make_job(_csv(), validate=False)
    with committed():
        enqueue_validation(job)
    assert run_queued(str(job.pk)) == ImportJob.Status.VALIDATED
    assert _vacuum_count(table) == before + (1 if POSTGRES else 0)
    assert Product.objects.count() == 0  # the check wrote nothing
    job.refresh_from_db()
    with committed():
        enqueue_execution(job, skip_invalid=False)
    assert run_queued(str(job.pk)) == ImportJob.Status.SUCCEEDED
    skus = set(Product.objects.values_list("sku", flat=True))
    assert skus == {f"S-{i}" for i in range(ROWS)}


def test_a_small_check_vacuums_nothing(
    make_job: MakeJob, committed: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vacuum, "VACUUM_AFTER_ROWS", 10 * ROWS)  # 32 written
    table = Product._meta.db_table
    before = _vacuum_count(table)
    job = make_job(_csv(), validate=False)
    with committed():
        enqueue_validation(job)
    assert run_queued(str(job.pk)) == ImportJob.Status.VALIDATED
    assert _vacuum_count(table) == before


def test_the_checks_result_names_the_tables_vacuumed(
    make_job: MakeJob, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vacuum, "VACUUM_AFTER_ROWS", 1)
    job = make_job(_csv(), validate=False)
    result = validate_job(job)  # in the web process: no vacuum here, the caller decides
    assert vacuum.rows_written(result) >= ROWS
    done = vacuum.vacuum_after_check(result)
    assert (Product._meta.db_table in done) is POSTGRES
    assert not result.dry_run or Product.objects.count() == 0


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's table owners")
def test_a_table_the_user_may_not_vacuum_is_skipped_with_a_warning(
    make_job: MakeJob, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(vacuum, "VACUUM_AFTER_ROWS", 1)
    job = make_job(_csv(), validate=False)
    result = validate_job(job)
    role = f"wa_novac_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role}")
        cursor.execute(f"SET ROLE {role}")
    try:
        with caplog.at_level(logging.WARNING, logger="winiadmin"):
            assert vacuum.vacuum_after_check(result) == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f"DROP ROLE {role}")
    assert "may not vacuum" in caplog.text
