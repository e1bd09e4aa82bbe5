"""Helpers the admin tests share: granting permissions, the wizard's URLs, uploading a file."""

from pathlib import Path
from typing import Any

from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse

from winiadmin.models import ImportJob

#: Every add permission ``shop.catalogue`` needs (Category, Store, Product).
#: What shop.catalogue needs: add on each of its models, change on Product (it upserts by SKU).
CATALOGUE_PERMS = ("shop.add_category", "shop.add_store", "shop.add_product", "shop.change_product")


def grant(user: User, *perms: str) -> User:
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=user.pk)  # a fresh object: no stale permission cache


def start_url(importer: str = "shop.catalogue", model: str = "shop.Product") -> str:
    url = reverse("admin:winiadmin_importjob_start", args=[importer])
    return f"{url}?model={model}" if model else url


def template_url(importer: str, fmt: str) -> str:
    return reverse("admin:winiadmin_importjob_template", args=[importer, fmt])


def job_url(job: ImportJob, name: str = "job") -> str:
    return reverse(f"admin:winiadmin_importjob_{name}", args=[job.pk])


def upload_file(
    client: Client,
    path: Path | None = None,
    *,
    content: bytes | None = None,
    name: str = "",
    importer: str = "shop.catalogue",
    model: str = "shop.Product",
    **data: Any,
) -> Any:
    """POST a file to the start page, as the upload form does; returns the response."""
    if content is None:
        assert path is not None
        content = path.read_bytes()
    upload = SimpleUploadedFile(name or (path.name if path else "data.csv"), content)
    return client.post(start_url(importer, model), {"file": upload, **data})


def uploaded_job(client: Client, *args: Any, **kwargs: Any) -> ImportJob:
    """Upload through the wizard and return the (validated) job it created."""
    response = upload_file(client, *args, **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=resolve(response["Location"]).kwargs["job_id"])


def html(response: Any) -> str:
    return bytes(response.content).decode()
