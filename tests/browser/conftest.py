"""Real-browser tests: the system Chromium driven by Playwright against pytest-django's live_server.

Screenshots of each step land in ``artifacts/screenshots`` (not committed).
"""

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an asyncio loop; Django's ORM would refuse fixtures without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


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


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
