"""Background imports in a real browser, run by a real worker process of each task engine
(``db_worker`` and Celery; PostgreSQL):
the live progress bar with its stages and the first cleaned rows through the dry run, then Cancel
during the real run."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from tests.browser.conftest import JOB_URL, Wizard
from tests.testapp.models import Tag
from tests.workers import Workers, needs_postgres, running_workers
from winiadmin.models import ImportJob

pytestmark = needs_postgres

#: Loaded 1,000 at a time (``BATCH_SIZE``), one second each: each count stays on screen about a
#: second while the page polls every second, so the assertions below accept any of several counts
#: rather than wait for one the poll may step over.
ROWS = 6000


@pytest.fixture
def workers(tmp_path: Path, worker_engine: str) -> Iterator[Workers]:
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0}):
        yield from running_workers(tmp_path, worker_engine)


def test_progress_bar_through_the_dry_run_then_cancel_the_import(
    wizard: Wizard, workers: Workers, tmp_path: Path, screenshot_dir: Path
) -> None:
    page = wizard.page
    csv = tmp_path / "tags.csv"
    csv.write_text("name\n" + "".join(f"t{i}\n" for i in range(ROWS)))
    workers.start()

    page.goto(wizard.url("/admin/winiadmin/importjob/start/testapp.slow_tags/"))
    page.fill("#id_option_pause_ms", "100")  # ~1 s per 1000 rows loaded, dry run included
    wizard.submit_file(csv)
    page.wait_for_url(JOB_URL)

    # The dry run, live: its stages, then the bar moving through the load with the time left.
    progress = page.locator("#winiadmin-progress")
    expect(progress).to_be_visible()
    load = page.locator('.winiadmin-stages [data-stage="load"]')
    expect(load).to_have_attribute("data-state", "current", timeout=20_000)
    for stage in ("read", "clean", "transform"):
        expect(page.locator(f'[data-stage="{stage}"]')).to_have_attribute("data-state", "done")
    expect(progress).to_contain_text("Checking the file (dry run)")
    expect(progress).to_contain_text(re.compile(r"[2-4],?000 of 6,?000 rows"), timeout=20_000)
    expect(page.locator(".winiadmin-eta")).to_contain_text("left")
    # The bar and the count, read from one rendering (the next poll may have moved both on).
    bar, text = progress.evaluate(
        "el => [el.querySelector('#winiadmin-bar').value,"
        " el.querySelector('.winiadmin-progress-text').textContent]"
    )
    done = int(re.search(r"([\d,]+) of", text).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert 2000 <= done < ROWS
    assert bar == round(100 * done / ROWS)
    # The cleaned rows are shown while the load still runs, fetched once under the bar.
    early = page.locator("#winiadmin-early-rows")
    expect(early).to_contain_text("Counts and problems come when the check finishes.")
    expect(early.locator("tbody tr").first).to_contain_text("t0")
    expect(load).to_have_attribute("data-state", "current")
    suffix = "" if workers.engine == "db" else f"-{workers.engine}"
    page.screenshot(path=screenshot_dir / f"background-progress{suffix}.png", full_page=True)

    # When it ends the page becomes the preview by itself.
    expect(page.locator(".winiadmin-plan")).to_be_visible(timeout=20_000)
    assert not Tag.objects.exists()

    # The real run: cancelled halfway, nothing written.
    wizard.confirm()
    expect(progress).to_contain_text("Importing", timeout=20_000)
    # At 1,000 to 3,000 rows of 6,000 at least two seconds of load are left for the cancel to land.
    expect(progress).to_contain_text(re.compile(r"[1-3],?000 of 6,?000 rows"), timeout=20_000)
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("h2", has_text="Cancelled")).to_be_visible(timeout=20_000)
    expect(page.locator(".errornote")).to_have_text("Cancelled; nothing was written.")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CANCELLED
    assert not Tag.objects.exists()
