"""Jobs made by the services the wizard uses, their files in the test upload storage."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from winiadmin.importers import get_importer
from winiadmin.jobs.runner import create_job, validate_job
from winiadmin.models import ImportJob
from winiadmin.storage import upload_storage

HEADER = b"sku,name,price,quantity,category,store,available_from\n"
CSV = HEADER + b"A-1,Thing,1.50,2,Books,Online,2026-01-02\nA-2,Other,2.50,1,Books,,\n"

MakeJob = Callable[..., ImportJob]


@pytest.fixture
def user(db: None) -> User:
    return User.objects.create_superuser("root", "root@example.com", "pw")


@pytest.fixture
def make_job(user: User) -> MakeJob:
    def make(
        content: bytes = CSV,
        *,
        name: str = "data.csv",
        importer: str = "shop.catalogue",
        options: dict[str, str] | None = None,
        validate: bool = True,
    ) -> ImportJob:
        job = create_job(
            importer=get_importer(importer),
            upload=SimpleUploadedFile(name, content),
            user=user,
            options=options or {},
            read_options={},
        )
        if validate:
            validate_job(job)
        return job

    return make


def on_disk(name: str | None) -> bool:
    return name is not None and bool(name) and Path(upload_storage().path(name)).is_file()
