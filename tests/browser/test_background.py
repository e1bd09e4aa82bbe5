"""Background imports in a real browser, run by a real worker process of each task engine
(``db_worker`` and Celery): the progress page sampled through a scripted slow import (both
databases), the live progress bar and the first cleaned rows through the dry run, then Cancel
during the real run (PostgreSQL: on SQLite the worker holds the only write lock through its
load)."""

import json
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, JOB_URL, Wizard
from tests.testapp.models import Tag
from tests.workers import Workers, needs_postgres, needs_shared_db, running_workers
from winiadmin.models import ImportJob

pytestmark = [pytest.mark.processes, needs_shared_db]

#: Loaded 1,000 at a time (``BATCH_SIZE``), one second each: each count stays on screen about a
#: second while the page polls every second, so the assertions below accept any of several counts
#: rather than wait for one the poll may step over.
ROWS = 6000
#: The scripted slow import: 200 ms per 100 rows, so 500 rows a second in the load of both the
#: dry run and the real run; 12,000 rows make a load of about 24 s.
SAMPLED_ROWS = 12_000


@pytest.fixture
def workers(tmp_path: Path, worker_engine: str) -> Iterator[Workers]:
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0}):
        yield from running_workers(tmp_path, worker_engine)


@pytest.fixture
def db_workers(tmp_path: Path) -> Iterator[Workers]:
    """``db_worker`` only: the page, not the engine, is what is sampled (a minute per run; the
    other tests here, and tests/jobs/test_worker.py, run on both engines)."""
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0}):
        yield from running_workers(tmp_path)


@dataclass(frozen=True, slots=True)
class Sample:
    """What the progress page showed at one moment (seconds since the upload)."""

    at: float
    step: str
    heading: str
    stage: str
    bar: int | None
    text: str
    eta_seconds: int | None
    eta: str

    @property
    def done(self) -> int | None:
        found = re.search(r"([\d,]+) of ([\d,]+) rows", self.text)
        return int(found.group(1).replace(",", "")) if found else None


_READ_STATE = """() => {
  const box = document.querySelector('#winiadmin-progress');
  if (!box) { return null; }
  const eta = box.querySelector('.winiadmin-eta');
  const bar = box.querySelector('#winiadmin-bar');
  const current = box.querySelector('.winiadmin-stages [data-state="current"]');
  return {
    step: (box.querySelector('.winiadmin-steps [aria-current="step"]') || {}).textContent || '',
    heading: box.querySelector('h2').textContent,
    stage: current ? current.dataset.stage : '',
    bar: bar.hasAttribute('value') ? Number(bar.getAttribute('value')) : null,
    text: box.querySelector('.winiadmin-progress-text').textContent.trim(),
    eta_seconds: eta && eta.dataset.seconds ? Number(eta.dataset.seconds) : null,
    eta: eta ? eta.textContent : '',
    page: box.textContent,
  };
}"""


def sample_until_done(
    page: Page, started: float, shot: Path | None = None, timeout: float = 90
) -> list[Sample]:
    """Read the page four times a second until the progress box is gone (the job ended);
    ``shot``: a screenshot once the load is well under way."""
    samples: list[Sample] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = page.evaluate(_READ_STATE)
        except Exception:  # the page is reloading as the job ends
            state = {}
        if state is None:
            return samples
        if state:
            assert "Worker" not in state.pop("page")  # never a worker's name here
            samples.append(Sample(at=round(time.monotonic() - started, 2), **state))
            if shot and samples[-1].eta_seconds is not None and (samples[-1].bar or 0) >= 40:
                page.screenshot(path=shot)  # the window, as the docs show it
                shot = None
        time.sleep(0.25)
    pytest.fail(f"the job did not end in {timeout} s; last: {samples[-1:]}")


def check_load_samples(samples: list[Sample], total: int) -> list[Sample]:
    """The load stage as sampled: determinate from its first sample, in file rows, a time left
    only after 5 % and never far from what the rest of the load really took."""
    loading = [s for s in samples if s.stage == "load"]
    assert len(loading) >= 40, samples  # about 24 s at four samples a second
    ended = samples[-1].at  # the last sample before the page became the preview / result
    for s in loading:
        assert s.bar is not None, s  # determinate from the first second
        assert s.text.startswith("Loading: ") and f"of {total:,} rows" in s.text, s
    bars = [s.bar or 0 for s in loading]
    assert bars == sorted(bars), bars  # never backwards
    for s in loading:
        done = s.done or 0
        if done < 0.05 * total:
            assert s.eta_seconds is None, s
        if s.eta_seconds is not None:
            really = ended - s.at  # what the rest of the load took (plus at most a poll or two)
            assert s.eta_seconds <= 3 * really + 3, (s, really)
            assert s.eta_seconds >= really / 3 - 3, (s, really)
    assert any(s.eta_seconds is not None for s in loading), loading
    return loading


def test_progress_samples_of_a_scripted_slow_import(
    wizard: Wizard, db_workers: Workers, tmp_path: Path, screenshot_dir: Path
) -> None:
    workers = db_workers
    page = wizard.page
    csv = tmp_path / "tags.csv"
    csv.write_text("name\n" + "".join(f"t{i}\n" for i in range(SAMPLED_ROWS)))

    page.goto(wizard.url("/admin/winiadmin/importjob/start/testapp.slow_tags/"))
    page.fill("#id_option_pause_ms", "200")  # 500 rows a second
    wizard.submit_file(csv)
    page.wait_for_url(JOB_URL)
    started = time.monotonic()

    # No worker yet: waiting, on the Check step, no stage, no bar value, no worker name.
    progress = page.locator("#winiadmin-progress")
    expect(progress.locator("h2")).to_have_text("Waiting for a worker")
    expect(progress.locator('.winiadmin-steps [aria-current="step"]')).to_have_text("Check")
    expect(progress.locator('[data-state="current"]')).to_have_count(0)
    expect(progress).not_to_contain_text("Worker")
    page.screenshot(path=screenshot_dir / "background-waiting.png", full_page=True)

    workers.start()
    dry_run = sample_until_done(page, started, screenshot_dir / "background-progress-check.png")
    expect(page.locator(".winiadmin-plan")).to_be_visible(timeout=20_000)
    assert not Tag.objects.exists()

    wizard.confirm()
    started_real = time.monotonic()
    real_run = sample_until_done(
        page, started_real, screenshot_dir / "background-progress-import.png"
    )
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported", timeout=20_000)
    assert Tag.objects.count() == SAMPLED_ROWS

    # Kept for the report and the docs: what a person saw, second by second.
    name = f"progress-samples-{connection.vendor}.json"
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / name).write_text(
        json.dumps(
            {"dry_run": [asdict(s) for s in dry_run], "real_run": [asdict(s) for s in real_run]},
            indent=1,
        )
    )
    # The step bar, the heading and the box move together.
    for s in dry_run:
        assert s.step == "Check", s
        assert s.heading in {"Waiting for a worker", "Checking the file (dry run)"}, s
        if s.heading == "Waiting for a worker":
            assert s.stage == "" and s.bar is None, s
    for s in real_run:
        assert s.step == "Confirm", s
        assert s.heading in {"Waiting for a worker", "Importing"}, s
    dry_load = check_load_samples(dry_run, SAMPLED_ROWS)
    real_load = check_load_samples(real_run, SAMPLED_ROWS)

    assert dry_load and real_load


@needs_postgres  # SQLite: the worker holds the only write lock through its load (see above)
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
    assert bar == 100 * done // ROWS
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
    expect(page.locator('.winiadmin-steps [aria-current="step"]')).to_have_text("Confirm")
    # At 1,000 to 3,000 rows of 6,000 at least two seconds of load are left for the cancel to land.
    expect(progress).to_contain_text(re.compile(r"[1-3],?000 of 6,?000 rows"), timeout=20_000)
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("h2", has_text="Cancelled")).to_be_visible(timeout=20_000)
    expect(page.locator(".errornote")).to_have_text("Cancelled; nothing was written.")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CANCELLED
    assert not Tag.objects.exists()
