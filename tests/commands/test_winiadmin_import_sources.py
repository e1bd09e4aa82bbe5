"""``winiadmin_import`` from a URL or a path in a configured storage: the same policy and size
limit as the API's (docs/sources.md), then read as any path."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from shop.models import Product

from tests.sources.conftest import SAMPLES, FileServer, server  # noqa: F401 - the file server

pytestmark = pytest.mark.django_db

CSV = (SAMPLES / "catalogue.csv").read_bytes()
LOCAL = {"SOURCE_ALLOW_HTTP": True, "SOURCE_ALLOWED_NETWORKS": ["127.0.0.1/32"]}


def run(*args: str) -> str:
    out = StringIO()
    call_command("winiadmin_import", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_file_from_a_url(server: FileServer) -> None:  # noqa: F811
    server.routes["/files/catalogue.csv"] = lambda: (200, {}, CSV)

    with override_settings(WINIADMIN=LOCAL):
        out = run("shop.catalogue", server.url + "/files/catalogue.csv")

    assert "Read 40 rows (format csv" in out
    assert Product.objects.count() == 40


def test_a_url_the_policy_refuses(server: FileServer) -> None:  # noqa: F811
    server.routes["/files/catalogue.csv"] = lambda: (200, {}, CSV)

    with pytest.raises(CommandError, match="Only https"):
        run("shop.catalogue", server.url + "/files/catalogue.csv")
    assert not Product.objects.exists()


def test_a_url_over_the_size_limit_is_refused(server: FileServer) -> None:  # noqa: F811
    server.routes["/files/catalogue.csv"] = lambda: (200, {}, CSV)

    with (
        override_settings(WINIADMIN={**LOCAL, "MAX_UPLOAD_SIZE": 100}),
        pytest.raises(CommandError, match="the largest accepted is 100"),
    ):
        run("shop.catalogue", server.url + "/files/catalogue.csv")
    assert not Product.objects.exists()


def test_a_path_in_a_source_storage(tmp_path: Path) -> None:
    (tmp_path / "incoming").mkdir()
    (tmp_path / "incoming" / "catalogue.csv").write_bytes(CSV)
    drop = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    storages = {**settings.STORAGES, "drop": {**drop, "OPTIONS": {"location": str(tmp_path)}}}

    with override_settings(STORAGES=storages, WINIADMIN={"SOURCE_STORAGES": ["drop"]}):
        run("shop.catalogue", "incoming/catalogue.csv", "--storage", "drop")
        with pytest.raises(CommandError, match="not a path inside the storage"):
            run("shop.catalogue", "../catalogue.csv", "--storage", "drop")
        with pytest.raises(CommandError, match="cannot be imported from the storage 'default'"):
            run("shop.catalogue", "incoming/catalogue.csv", "--storage", "default")

    assert Product.objects.count() == 40
