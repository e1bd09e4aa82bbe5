"""A background export run by a real worker process (``db_worker`` and Celery), on the same
task workers as the imports: the file lands in the shared private storage."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl
import pytest
from shop.models import Product

from tests.workers import Workers, needs_shared_db, running_workers
from winiadmin.exports import export_columns
from winiadmin.importers import get_importer
from winiadmin.jobs.dispatch import send_export
from winiadmin.jobs.exports import create_export_job
from winiadmin.models import ExportJob
from winiadmin.storage import upload_storage

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the workers must see committed rows
    pytest.mark.processes,
    needs_shared_db,
]


@pytest.fixture
def workers(tmp_path: Path, worker_engine: str) -> Iterator[Workers]:
    yield from running_workers(tmp_path, worker_engine)


def test_a_worker_process_exports(workers: Workers) -> None:
    Product.objects.bulk_create(
        Product(sku=f"SKU-{n:04}", name=f"P{n}", price=Decimal(n) / 4) for n in range(2500)
    )
    columns = export_columns(get_importer("shop.catalogue")).chosen(["sku", "price"])
    job = create_export_job(
        user_id=None, rows=Product.objects.order_by("sku"), importer="shop.catalogue",
        columns=columns, fmt="parquet", file_name="p.parquet",
    )  # fmt: skip
    send_export(job.pk)
    workers.batch()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.SUCCEEDED, (job.error, workers.logs())
    with upload_storage().open(job.file, "rb") as f:
        frame = pl.read_parquet(f.read())
    assert frame.height == 2500 == job.rows_done
    assert frame.row(1) == ("SKU-0001", "0.25")
