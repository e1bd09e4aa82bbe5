"""The API over real HTTP against a running server: the whole flow, the errors Django's own
handlers would answer in HTML, and the client script of example/ run as a user would."""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from api_client import Api  # example/api_client.py: its multipart encoder
from django.contrib.auth.models import User
from pytest_django.live_server_helper import LiveServer
from shop.models import Product

from tests.admin.helpers import CATALOGUE_PERMS, grant
from tests.api.conftest import BASE, SAMPLES
from tests.api.schema import check
from winiadmin.tokens import issue_token

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def key(transactional_db: None) -> str:
    user = grant(User.objects.create_user("service", is_staff=True), *CATALOGUE_PERMS)
    return issue_token(user, "live")[1]


def _call(
    server: LiveServer,
    key: str,
    method: str,
    template: str,
    body: bytes | None = None,
    kind: str = "application/json",
    **args: str,
) -> tuple[int, Any]:
    url = server.url + BASE + template.format(**args)
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    if body is not None:
        request.add_header("Content-Type", kind)
    try:
        with urllib.request.urlopen(request) as response:
            status, raw, kind_got = (
                response.status,
                response.read(),
                response.headers["Content-Type"],
            )
    except urllib.error.HTTPError as exc:
        status, raw, kind_got = exc.code, exc.read(), exc.headers["Content-Type"]
    assert kind_got == "application/json", raw[:300]
    return status, json.loads(raw)


def _served_document(server: LiveServer) -> dict[str, Any]:
    with urllib.request.urlopen(server.url + BASE + "/openapi.json") as response:
        document: dict[str, Any] = json.load(response)
    return document


def test_upload_poll_problems_confirm_over_http(live_server: LiveServer, key: str) -> None:
    document = _served_document(live_server)

    client = Api(live_server.url + BASE, key)
    job = client.upload("shop.catalogue", SAMPLES / "catalogue_with_mistakes.csv", {})
    check(document, "/jobs/", "POST", 201, job)

    status, shown = _call(live_server, key, "GET", "/jobs/{job_id}/", job_id=job["id"])
    check(document, "/jobs/{job_id}/", "GET", status, shown)
    status, problems = _call(live_server, key, "GET", "/jobs/{job_id}/problems/", job_id=job["id"])
    check(document, "/jobs/{job_id}/problems/", "GET", status, problems)
    assert any(p["column"] == "price" and p["row"] == 3 for p in problems["problems"])
    status, rows = _call(live_server, key, "GET", "/jobs/{job_id}/rows/", job_id=job["id"])
    check(document, "/jobs/{job_id}/rows/", "GET", status, rows)

    refused = _call(live_server, key, "POST", "/jobs/{job_id}/confirm/", b"{}", job_id=job["id"])
    check(document, "/jobs/{job_id}/confirm/", "POST", *refused)
    assert refused[0] == 409
    body = json.dumps({"skip_invalid": True}).encode()
    status, done = _call(
        live_server, key, "POST", "/jobs/{job_id}/confirm/", body, job_id=job["id"]
    )
    check(document, "/jobs/{job_id}/confirm/", "POST", status, done)
    assert done["status"] == "succeeded"
    assert Product.objects.count() == done["report"]["rows"]["imported"] > 0


def test_errors_over_http_are_json(live_server: LiveServer, key: str) -> None:
    document = _served_document(live_server)

    missing = _call(live_server, key, "GET", "/nothing/here/")
    wrong = _call(live_server, key, "DELETE", "/importers/")
    nobody = _call(live_server, "wia_wrong", "GET", "/importers/")

    for (status, body), expected in zip((missing, wrong, nobody), (404, 405, 401), strict=True):
        assert status == expected
        check(document, "/importers/", "GET", status, body)


def test_the_example_client_script(live_server: LiveServer, key: str) -> None:
    script = ROOT / "example" / "api_client.py"
    run = subprocess.run(
        [
            sys.executable,
            str(script),
            "--url",
            live_server.url + BASE,
            "--token",
            key,
            "--importer",
            "shop.catalogue",
            str(SAMPLES / "catalogue_with_mistakes.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    assert "error: row 3, price:" in run.stdout
    assert not Product.objects.exists()

    run = subprocess.run(
        [
            sys.executable,
            str(script),
            "--url",
            live_server.url + BASE,
            "--token",
            key,
            "--importer",
            "shop.catalogue",
            "--skip-invalid",
            str(SAMPLES / "catalogue_with_mistakes.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    job = json.loads(run.stdout.splitlines()[-1])
    assert job["status"] == "succeeded"
    assert Product.objects.count() == job["report"]["rows"]["imported"] > 0
