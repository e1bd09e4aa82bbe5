"""Several web servers: the wizard's steps served by two servers that share only the database and
the upload storage (pytest-django's live server, and a ``runserver`` in another process)."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from shop.models import Product

from tests.browser.conftest import JOB_URL, Wizard
from tests.workers import ROOT, database_env, needs_shared_db
from winiadmin.models import ImportJob
from winiadmin.storage import upload_storage

pytestmark = [pytest.mark.processes, needs_shared_db]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def second_server(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """``runserver`` in its own process on the test database and the same upload folder."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "example")]),
        **database_env(),
        "WINIADMIN_TEST_TMP": str(Path(upload_storage().path("")).parent),
    }
    log = (tmp_path / "runserver.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", "--noreload", "--insecure",
         f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://localhost:{port}"
    try:
        _wait_until_up(url + "/admin/login/", proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _wait_until_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "runserver exited"
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail(f"{url} never answered")


def test_each_step_on_another_server(wizard: Wizard, second_server: str, samples: Path) -> None:
    page = wizard.page
    # Server A: upload and dry run; the upload and the cleaned preview go to the shared storage.
    wizard.upload(samples / "catalogue.csv")
    job_path = page.url.removeprefix(wizard.base_url)
    assert JOB_URL.search(job_path)

    # Server B (another process, same session cookie): the preview, paged from the storage.
    page.goto(second_server + job_path)
    expect(page.locator(".winiadmin-plan")).to_be_visible()
    expect(page.locator("#winiadmin-rows .winiadmin-quiet")).to_have_text(
        "Rows 1\N{EN DASH}40 of 40"
    )
    # Server B runs the import.
    wizard.confirm()
    assert page.url.startswith(second_server)
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported")

    # Server A shows the result.
    page.goto(wizard.base_url + job_path)
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported")
    assert Product.objects.count() == 40
    assert ImportJob.objects.get().status == ImportJob.Status.SUCCEEDED
