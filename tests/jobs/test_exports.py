"""Background exports on both databases: the job made from a filtered queryset, run as the
worker's task runs it, cancelled, failed, and its file deleted once the link expired."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from shop.models import Category, Product

from winiadmin.exports import export_columns
from winiadmin.importers import get_importer
from winiadmin.jobs.dispatch import send_export
from winiadmin.jobs.exports import (
    cancel_export,
    cleanup_expired_exports,
    create_export_job,
    job_rows,
    run_export_job,
    runs_export_in_background,
)
from winiadmin.models import ExportJob
from winiadmin.storage import upload_storage

pytestmark = pytest.mark.django_db
Status = ExportJob.Status


@pytest.fixture
def products() -> None:
    books = Category.objects.create(name="Books")
    for n in range(1, 8):
        Product.objects.create(
            sku=f"SKU-{n}", name=f"P{n}", price=Decimal(n), category=books if n % 2 else None
        )


def _job(fmt: str = "csv", columns: tuple[str, ...] = ("sku", "price", "category")) -> ExportJob:
    rows = Product.objects.filter(category__name="Books").order_by("-sku")
    chosen = export_columns(get_importer("shop.catalogue")).chosen(columns)
    return create_export_job(
        user_id=None, rows=rows, importer="shop.catalogue", columns=chosen, fmt=fmt,
        file_name=f"products.{fmt}",
    )  # fmt: skip


def test_the_threshold() -> None:
    assert not runs_export_in_background(10**9)  # None: never, by default
    with override_settings(WINIADMIN={"EXPORT_BACKGROUND_ROWS": 100}):
        assert not runs_export_in_background(99)
        assert runs_export_in_background(100)


def test_the_query_survives_the_job(products: None) -> None:
    job = _job()
    assert list(job_rows(job).values_list("sku", flat=True)) == ["SKU-7", "SKU-5", "SKU-3", "SKU-1"]


def test_a_worker_writes_the_file_to_the_private_storage(products: None) -> None:
    job = _job()
    send_export(job.pk)
    job.refresh_from_db()
    assert DBTaskResult.objects.filter(id=job.task_id, status="READY").exists()

    assert run_export_job(str(job.pk)) == Status.SUCCEEDED
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (Status.SUCCEEDED, 4, 4)
    assert job.file == f"winiadmin/exports/{job.pk}/export.csv"
    assert job.expires_at is not None
    assert job.expires_at - job.finished_at == timedelta(hours=24)  # type: ignore[operator]
    with upload_storage().open(job.file, "rb") as f:
        rows = list(csv.reader(io.StringIO(f.read().decode())))
    assert rows == [
        ["sku", "price", "category"],
        ["SKU-7", "7.00", "Books"], ["SKU-5", "5.00", "Books"],
        ["SKU-3", "3.00", "Books"], ["SKU-1", "1.00", "Books"],
    ]  # fmt: skip
    assert job.link_works()
    # Claimed once: a second delivery of the task does nothing.
    assert run_export_job(str(job.pk)) == Status.SUCCEEDED


def test_cancel_before_and_while_running(products: None) -> None:
    queued = _job()
    cancel_export(queued)
    queued.refresh_from_db()
    assert queued.status == Status.CANCELLED
    assert run_export_job(str(queued.pk)) == Status.CANCELLED

    # A cancel that reaches a running job: it stops before its next chunk, no file kept.
    running = _job()
    ExportJob.objects.filter(pk=running.pk).update(cancel_requested=True)
    assert run_export_job(str(running.pk)) == Status.CANCELLED
    running.refresh_from_db()
    assert (running.status, running.file) == (Status.CANCELLED, "")


def test_a_failure_is_kept_with_its_reason(products: None) -> None:
    job = _job()
    ExportJob.objects.filter(pk=job.pk).update(columns=["sku", "colour"])
    assert run_export_job(str(job.pk)) == Status.FAILED
    job.refresh_from_db()
    assert "No export column is named 'colour'" in job.error


def test_expired_files_are_deleted_by_the_cleanup(products: None) -> None:
    job = _job("xlsx")
    run_export_job(str(job.pk))
    job.refresh_from_db()
    assert upload_storage().exists(job.file)
    assert cleanup_expired_exports() == []

    later = timezone.now() + timedelta(hours=25)
    assert [j.pk for j in cleanup_expired_exports(now=later, dry_run=True)] == [job.pk]
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("winiadmin_cleanup", stdout=out)
    assert "1 export file whose download link expired was deleted." in out.getvalue()
    assert not upload_storage().exists(job.file)
    job.refresh_from_db()
    assert (job.status, job.file, job.link_works()) == (Status.EXPIRED, "", False)


def test_the_system_check_of_background_exports() -> None:
    from winiadmin.checks import check_background_exports

    assert check_background_exports(None) == []  # off by default
    with override_settings(WINIADMIN={"EXPORT_BACKGROUND_ROWS": 10}):
        assert check_background_exports(None) == []  # the test settings run tasks
        with override_settings(TASKS={}):
            assert [m.id for m in check_background_exports(None)] == ["winiadmin.E023"]
        dummy = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
        with override_settings(TASKS=dummy):
            (error,) = check_background_exports(None)
            assert "the DummyBackend: big exports would wait forever" in error.msg
