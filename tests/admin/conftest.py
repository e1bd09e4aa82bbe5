"""Users with every level of permission, and jobs made by the services the wizard uses.

Everything runs for real: the admin site, the database, the upload storage from the test settings.
"""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.admin.helpers import CATALOGUE_PERMS, grant
from winiadmin.importers import get_importer
from winiadmin.jobs.runner import create_job, validate_job
from winiadmin.models import ImportJob

MakeUser = Callable[..., User]
MakeJob = Callable[..., ImportJob]


@pytest.fixture
def make_user(db: None) -> MakeUser:
    """``make_user("name", "shop.add_product")``: a staff user holding exactly those perms."""

    def make(username: str, *perms: str, staff: bool = True, superuser: bool = False) -> User:
        if superuser:
            return User.objects.create_superuser(username, f"{username}@example.com", "pw")
        user = User.objects.create_user(username, f"{username}@example.com", "pw", is_staff=staff)
        return grant(user, *perms)

    return make


@pytest.fixture
def superuser(make_user: MakeUser) -> User:
    return make_user("root", superuser=True)


@pytest.fixture
def importer_user(make_user: MakeUser) -> User:
    """Staff with exactly the permissions ``shop.catalogue`` needs (and to see the job list)."""
    return make_user("importer", *CATALOGUE_PERMS, "winiadmin.view_importjob")


@pytest.fixture
def su_client(client: Client, superuser: User) -> Client:
    client.force_login(superuser)
    return client


@pytest.fixture
def make_job(superuser: User) -> MakeJob:
    """A job created and dry-run by the services the wizard uses (no HTTP round trip)."""

    def make(
        path: Path | None = None,
        *,
        content: bytes = b"",
        name: str = "data.csv",
        user: User | None = None,
        importer: str = "shop.catalogue",
        target_model: str = "shop.Product",
        options: dict[str, str] | None = None,
        validate: bool = True,
    ) -> ImportJob:
        job = create_job(
            importer=get_importer(importer),
            upload=SimpleUploadedFile(
                path.name if path is not None else name,
                path.read_bytes() if path is not None else content,
            ),
            user=user or superuser,
            options=options or {},
            read_options={},
            target_model=target_model,
        )
        if validate:
            validate_job(job)
        return job

    return make
