"""Real-browser tests: the system Chromium driven by Playwright against pytest-django's live_server.

Screenshots of each step land in ``artifacts/screenshots`` (not committed), or where
``WINIADMIN_SCREENSHOTS`` says (``./dev test`` gives the PostgreSQL browser suite, which runs
beside the SQLite one, ``artifacts/screenshots-postgres``).
"""

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an asyncio loop; Django's ORM would refuse fixtures without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(
    os.environ.get("WINIADMIN_SCREENSHOTS")
    or Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
)
PASSWORD = "pw"
JOB_URL = re.compile(r"/admin/winiadmin/importjob/[0-9a-f-]{36}/job/$")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": ["--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A desktop window the size of the screenshots in the docs."""
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def superuser(transactional_db: None) -> User:
    return User.objects.create_superuser("boss", "boss@example.com", PASSWORD)


@pytest.fixture
def login(page: Page, live_server: LiveServer) -> Callable[[str], None]:
    """Log ``username`` in through the admin's login form (password: ``PASSWORD``)."""

    def log_in(username: str) -> None:
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        expect(page.locator("#user-tools")).to_be_visible()

    return log_in


class Wizard:
    """The import wizard's steps as a person clicks through them."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def url(self, path: str) -> str:
        return self.base_url + path

    def changelist(self, model: str = "product") -> None:
        self.page.goto(self.url(f"/admin/shop/{model}/"))

    def open_upload(self, model: str = "product") -> None:
        """Changelist → its Import button → the upload form (htmx loaded)."""
        self.changelist(model)
        self.page.click(".winiadmin-import-link")
        self.page.wait_for_url(re.compile(r"/importjob/start/"))
        expect(self.page.locator("#winiadmin-upload")).to_be_visible()

    def submit_file(self, path: Path) -> None:
        self.page.set_input_files("#id_file", path)
        self.page.get_by_role("button", name="Upload and check").click()

    def upload(self, path: Path, model: str = "product") -> None:
        """From the changelist to the preview of ``path``."""
        self.open_upload(model)
        self.submit_file(path)
        self.page.wait_for_url(JOB_URL)
        expect(self.page.locator(".winiadmin-plan")).to_be_visible()

    def confirm(self) -> None:
        """Submit the confirm form and wait for the page it leads to (the same URL)."""
        with self.page.expect_navigation():
            self.page.locator("#winiadmin-confirm button[type=submit]").click()


@pytest.fixture
def wizard(
    page: Page, live_server: LiveServer, superuser: User, login: Callable[[str], None]
) -> Wizard:
    """A superuser's browser, logged in, at the start of the wizard."""
    login(superuser.username)
    return Wizard(page, live_server.url)
