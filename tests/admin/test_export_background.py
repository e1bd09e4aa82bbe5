"""A big export from the admin: queued for a worker, its progress page, cancel, the download
while the link works, and nobody else's."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from shop.models import Product

from tests.admin.helpers import html
from winiadmin.jobs.exports import run_export_job
from winiadmin.models import ExportJob

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.test import Client

    from tests.admin.conftest import MakeUser

pytestmark = pytest.mark.django_db
Status = ExportJob.Status


@pytest.fixture(autouse=True)
def background() -> Iterator[None]:
    with override_settings(WINIADMIN={"EXPORT_BACKGROUND_ROWS": 2}):
        yield


@pytest.fixture
def products() -> None:
    for n in range(1, 4):
        Product.objects.create(sku=f"SKU-{n}", name=f"P{n}", price=Decimal(n))


def _queue(client: Client, captured: Any, data: dict[str, Any] | None = None) -> ExportJob:
    with captured(execute=True):
        response = client.post(
            reverse("admin:shop_product_export") + "?q=SKU",
            data or {"format": "ndjson", "columns": ["sku", "name"]},
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:shop_product_export_job", args=[job.pk])
    return job


def test_queued_progress_then_download(
    su_client: Client, products: None, django_capture_on_commit_callbacks: Any
) -> None:
    job = _queue(su_client, django_capture_on_commit_callbacks)
    assert job.task_id  # sent on commit
    assert (job.status, job.model, job.importer, job.format) == (
        Status.QUEUED, "shop.Product", "shop.catalogue", "ndjson",
    )  # fmt: skip
    page = html(su_client.get(reverse("admin:shop_product_export_job", args=[job.pk])))
    assert 'data-status="queued"' in page and "winiadmin-export-cancel" in page
    assert 'http-equiv="refresh"' in page

    run_export_job(str(job.pk))
    page = html(su_client.get(reverse("admin:shop_product_export_job", args=[job.pk])))
    assert "3 / 3 rows" in page and 'http-equiv="refresh"' not in page
    download = reverse("admin:shop_product_export_download", args=[job.pk])
    assert f'href="{download}"' in page
    response = su_client.get(download)
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content.decode().splitlines() == [
        '{"sku":"SKU-1","name":"P1"}', '{"sku":"SKU-2","name":"P2"}', '{"sku":"SKU-3","name":"P3"}',
    ]  # fmt: skip

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert su_client.get(download).status_code == 410


def test_cancel(su_client: Client, products: None, django_capture_on_commit_callbacks: Any) -> None:
    job = _queue(su_client, django_capture_on_commit_callbacks)
    su_client.post(reverse("admin:shop_product_export_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    assert run_export_job(str(job.pk)) == Status.CANCELLED


def test_small_exports_stay_in_the_request(su_client: Client, products: None) -> None:
    response = su_client.post(
        reverse("admin:shop_product_export") + "?q=SKU-1", {"format": "csv", "columns": ["sku"]}
    )
    assert response.status_code == 200
    assert not ExportJob.objects.exists()


def test_only_its_owner_sees_it(
    su_client: Client,
    client: Client,
    make_user: MakeUser,
    products: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = _queue(su_client, django_capture_on_commit_callbacks)
    run_export_job(str(job.pk))
    client.force_login(make_user("other", "shop.view_product"))
    for view in ("export_job", "export_download", "export_cancel"):
        response = client.get(reverse(f"admin:shop_product_{view}", args=[job.pk]))
        assert response.status_code == 403, view
        assert "This export is not yours" in html(response)
    other_model = reverse("admin:shop_store_export_job", args=[job.pk])
    assert su_client.get(other_model).status_code == 404
