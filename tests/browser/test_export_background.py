"""A big export in a real browser: queued for a worker, the page follows its progress, then
offers the download; a second one is cancelled from its page."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl
from django.test import override_settings
from playwright.sync_api import Page, expect
from shop.models import Product

from winiadmin.jobs.exports import run_export_job
from winiadmin.models import ExportJob

if TYPE_CHECKING:
    from pathlib import Path

    from tests.browser.conftest import Wizard


def _start_export(wizard: Wizard, page: Page) -> ExportJob:
    wizard.changelist()
    page.click(".winiadmin-export-link")
    page.select_option("#id_format", "parquet")
    page.get_by_role("button", name="Export").click()
    expect(page.locator(".winiadmin-export-job")).to_have_attribute("data-status", "queued")
    return ExportJob.objects.latest("created_at")


def test_a_background_export_then_its_download(
    wizard: Wizard, page: Page, tmp_path: Path, screenshot_dir: Path
) -> None:
    Product.objects.bulk_create(
        Product(sku=f"SKU-{n:03}", name=f"P{n}", price=Decimal(n)) for n in range(120)
    )
    with override_settings(WINIADMIN={"EXPORT_BACKGROUND_ROWS": 100}):
        job = _start_export(wizard, page)
        expect(page.locator(".winiadmin-export-cancel")).to_be_visible()
        run_export_job(str(job.pk))  # what the worker's task does
        # The page reloads itself while the job is active: the link appears on its own.
        link = page.locator(".winiadmin-export-download")
        expect(link).to_be_visible(timeout=10_000)
        expect(page.locator(".winiadmin-export-status")).to_contain_text("120 / 120")
        page.locator(".winiadmin-export-job").screenshot(path=screenshot_dir / "export-job.png")
        with page.expect_download() as download:
            link.click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
    frame = pl.read_parquet(saved)
    assert frame.height == 120
    assert frame.columns[:3] == ["sku", "name", "price"]


def test_cancel_from_the_page(wizard: Wizard, page: Page) -> None:
    Product.objects.bulk_create(Product(sku=f"S{n}", name="x", price=1) for n in range(5))
    with override_settings(WINIADMIN={"EXPORT_BACKGROUND_ROWS": 0}):
        job = _start_export(wizard, page)
        page.locator(".winiadmin-export-cancel").click()
        expect(page.locator(".winiadmin-export-job")).to_have_attribute("data-status", "cancelled")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.CANCELLED
    assert run_export_job(str(job.pk)) == ExportJob.Status.CANCELLED
