"""The export history in the admin: each person's own exports (everybody's with
``winiadmin.view_exportjob``), status, who, rows, and the download while the link works, for
its owner only; no add, no change; nobody else gets in."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from shop.models import Product

from winiadmin.exports import export_columns
from winiadmin.importers import get_importer
from winiadmin.jobs.exports import create_export_job, run_export_job
from winiadmin.models import ExportJob

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from tests.admin.conftest import MakeUser

pytestmark = pytest.mark.django_db
LIST = "admin:winiadmin_exportjob_changelist"


def _export(user: User, name: str) -> ExportJob:
    Product.objects.get_or_create(sku="A", defaults={"name": "a", "price": Decimal(1)})
    columns = export_columns(get_importer("shop.catalogue")).chosen(["sku", "price"])
    job = create_export_job(
        user_id=user.pk, rows=Product.objects.all(), importer="shop.catalogue", columns=columns,
        fmt="csv", file_name=name,
    )  # fmt: skip
    assert run_export_job(str(job.pk)) == ExportJob.Status.SUCCEEDED
    job.refresh_from_db()
    return job


def test_own_exports_with_their_download(client: Client, make_user: MakeUser) -> None:
    alice = make_user("alice", "shop.view_product")
    bob = make_user("bob", "shop.view_product")
    mine, _theirs = _export(alice, "alice.csv"), _export(bob, "bob.csv")
    client.force_login(alice)
    page = client.get(reverse(LIST)).content.decode()
    assert "alice.csv" in page
    assert "bob.csv" not in page
    assert "Succeeded" in page
    link = reverse("admin:shop_product_export_download", args=[mine.pk])
    assert f'href="{link}"' in page
    download = client.get(link)
    assert download.status_code == 200
    assert isinstance(download, FileResponse)
    assert b"".join(download.streaming_content).decode().splitlines() == ["sku,price", "A,1.00"]
    assert client.get(reverse("admin:winiadmin_exportjob_add")).status_code == 403


def test_everybodys_with_the_permission_but_only_ones_own_link(
    client: Client, make_user: MakeUser
) -> None:
    alice = make_user("alice", "shop.view_product")
    auditor = make_user("auditor", "shop.view_product", "winiadmin.view_exportjob")
    theirs, mine = _export(alice, "alice.csv"), _export(auditor, "auditor.csv")
    client.force_login(auditor)
    page = client.get(reverse(LIST)).content.decode()
    assert "alice.csv" in page
    assert "auditor.csv" in page
    assert reverse("admin:shop_product_export_download", args=[mine.pk]) in page
    assert reverse("admin:shop_product_export_download", args=[theirs.pk]) not in page


def test_an_expired_link_is_not_shown(client: Client, make_user: MakeUser) -> None:
    alice = make_user("alice", "shop.view_product")
    job = _export(alice, "alice.csv")
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(alice)
    page = client.get(reverse(LIST)).content.decode()
    assert "alice.csv" in page
    assert reverse("admin:shop_product_export_download", args=[job.pk]) not in page


def test_staff_without_exports_or_permission_are_refused(
    client: Client, make_user: MakeUser
) -> None:
    _export(make_user("alice", "shop.view_product"), "alice.csv")
    client.force_login(make_user("carol"))
    assert client.get(reverse(LIST)).status_code == 403
