"""Jobs from a URL or a storage path through the API: the same checks and the same job as an
upload; refusals as ``invalid_source``."""

from pathlib import Path

import pytest
from django.test import override_settings
from shop.models import Product

from tests.api.conftest import SAMPLES, Api
from tests.sources.conftest import FileServer, server  # noqa: F401 - the file server fixture

CSV = (SAMPLES / "catalogue.csv").read_bytes()
LOCAL = {"SOURCE_ALLOW_HTTP": True, "SOURCE_ALLOWED_NETWORKS": ["127.0.0.1/32"]}


def test_a_job_from_a_url_checks_and_imports_it(token_api: Api, server: FileServer) -> None:  # noqa: F811
    server.routes["/catalogue.csv"] = lambda: (200, {}, CSV)
    with override_settings(WINIADMIN=LOCAL):
        created = token_api.post(
            "/jobs/", {"importer": "shop.catalogue", "url": server.url + "/catalogue.csv"}
        )
    assert created.status == 201
    job = created.body
    assert (job["status"], job["file_name"], job["size"]) == (
        "validated",
        "catalogue.csv",
        len(CSV),
    )

    token_api.post("/jobs/{job_id}/confirm/", {}, job_id=job["id"])

    assert Product.objects.count() == 40


def test_a_url_refused_by_the_policy(token_api: Api, server: FileServer) -> None:  # noqa: F811
    server.routes["/catalogue.csv"] = lambda: (200, {}, CSV)

    refused = token_api.post(
        "/jobs/", {"importer": "shop.catalogue", "url": server.url + "/catalogue.csv"}
    )

    assert (refused.status, refused.body["error"]["code"]) == (400, "invalid_source")
    assert "Only https" in refused.body["error"]["message"]


def test_a_downloaded_file_that_is_not_a_table_is_refused(
    token_api: Api,
    server: FileServer,  # noqa: F811
) -> None:
    server.routes["/report.pdf"] = lambda: (200, {}, b"%PDF-1.4 not a table")
    with override_settings(WINIADMIN=LOCAL):
        refused = token_api.post(
            "/jobs/", {"importer": "shop.catalogue", "url": server.url + "/report.pdf"}
        )

    assert (refused.status, refused.body["error"]["code"]) == (400, "invalid_file")


def test_a_job_from_a_storage_path(token_api: Api, tmp_path: Path) -> None:
    from django.conf import settings

    (tmp_path / "catalogue.csv").write_bytes(CSV)
    storages = {
        **settings.STORAGES,
        "drop": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    with override_settings(STORAGES=storages, WINIADMIN={"SOURCE_STORAGES": ["drop"]}):
        created = token_api.post(
            "/jobs/",
            {"importer": "shop.catalogue", "storage": "drop", "path": "catalogue.csv",
             "read_options": {"delimiter": ","}},
        )  # fmt: skip

    assert created.status == 201
    assert created.body["status"] == "validated"
    assert created.body["read_options"] == {"delimiter": ","}


@pytest.mark.parametrize(
    "body",
    [
        {"importer": "shop.catalogue"},
        {"importer": "shop.catalogue", "url": "https://x", "storage": "drop", "path": "x"},
    ],
)
def test_a_body_naming_no_file_or_two(token_api: Api, body: dict[str, str]) -> None:
    refused = token_api.post("/jobs/", body)

    assert (refused.status, refused.body["error"]["code"]) == (400, "invalid_request")
