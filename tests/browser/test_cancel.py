"""Cancel in a real browser, run by a real ``db_worker`` on both databases (the SQLite file too):
during the check and during the import, while the worker writes. The page answers at once, the job
ends Cancelled, nothing is written and the result page says so.

On SQLite the worker holds the write lock through its load, so the page cannot show the load's
progress: the test waits for the transform (visible), then for the load it knows follows.
"""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from tests.browser.conftest import JOB_URL, Wizard
from tests.testapp.models import Line
from tests.workers import TEST_DB, Workers, needs_shared_db, running_workers
from winiadmin.models import ImportJob

pytestmark = [needs_shared_db, pytest.mark.processes]

ROWS = 6000  # ~1 s per 1,000 rows loaded with pause_ms=100
TRANSFORM_MS = 1500


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0}):
        yield from running_workers(tmp_path)


def upload(wizard: Wizard, tmp_path: Path) -> None:
    page = wizard.page
    csv = tmp_path / "lines.csv"
    csv.write_text("text\n" + "".join(f"line {i}\n" for i in range(ROWS)))
    page.goto(wizard.url("/admin/winiadmin/importjob/start/testapp.slow_lines/"))
    page.fill("#id_option_pause_ms", "100")
    page.fill("#id_option_transform_ms", str(TRANSFORM_MS))
    wizard.submit_file(csv)
    page.wait_for_url(JOB_URL)


def wait_for_the_load(page: Page) -> None:
    progress = page.locator("#winiadmin-progress")
    if TEST_DB == "postgres":
        expect(progress).to_contain_text(re.compile(r"[1-3],?000 of 6,?000 rows"), timeout=30_000)
        return
    transform = page.locator('.winiadmin-stages [data-stage="transform"]')
    expect(transform).to_have_attribute("data-state", "current", timeout=30_000)
    time.sleep(TRANSFORM_MS / 1000 + 1.5)  # the load has begun; the page cannot show it


def cancel(page: Page) -> float:
    """Click Cancel; seconds until the answer is on screen."""
    started = time.monotonic()
    page.get_by_role("button", name="Cancel").click()
    answer = re.compile(r"Cancelling: the import stops|Cancelled; nothing was written")
    expect(page.locator(".messagelist", has_text=answer)).to_be_visible(timeout=20_000)
    return time.monotonic() - started


def assert_cancelled(page: Page, screenshot: Path) -> None:
    expect(page.locator("h2", has_text="Cancelled")).to_be_visible(timeout=30_000)
    expect(page.locator(".errornote")).to_have_text("Cancelled; nothing was written.")
    page.screenshot(path=screenshot, full_page=True)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CANCELLED
    assert not Line.objects.exists() and not job.created_counts


def test_cancel_the_check(
    wizard: Wizard, workers: Workers, tmp_path: Path, screenshot_dir: Path
) -> None:
    workers.start()
    upload(wizard, tmp_path)
    expect(wizard.page.locator("#winiadmin-progress")).to_contain_text(
        "Checking the file (dry run)", timeout=30_000
    )
    wait_for_the_load(wizard.page)
    answered = cancel(wizard.page)
    print(f"\n[{TEST_DB}] browser, cancel during the check: answer on screen in {answered:.2f} s")
    assert_cancelled(wizard.page, screenshot_dir / f"cancelled-check-{TEST_DB}.png")


def test_cancel_the_import(
    wizard: Wizard, workers: Workers, tmp_path: Path, screenshot_dir: Path
) -> None:
    workers.start()
    upload(wizard, tmp_path)
    page = wizard.page
    expect(page.locator(".winiadmin-plan")).to_be_visible(timeout=60_000)
    wizard.confirm()
    expect(page.locator("#winiadmin-progress")).to_contain_text("Importing", timeout=30_000)
    wait_for_the_load(page)
    answered = cancel(page)
    print(f"\n[{TEST_DB}] browser, cancel during the import: answer on screen in {answered:.2f} s")
    assert_cancelled(page, screenshot_dir / f"cancelled-import-{TEST_DB}.png")
