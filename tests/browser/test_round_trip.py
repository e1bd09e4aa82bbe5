"""The round trip in a real browser: export the filtered list, change two cells in the file,
upload it, see exactly those changes, confirm."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import fastexcel
import polars as pl
from playwright.sync_api import Page, expect
from shop.importers import CatalogueImporter
from shop.models import Product

from tests.browser.test_wizard import table_rows
from winiadmin.models import ImportJob

if TYPE_CHECKING:
    from pathlib import Path

    from tests.browser.conftest import Wizard


def test_export_edit_import_shows_exactly_the_edits(
    wizard: Wizard, page: Page, samples: Path, tmp_path: Path, screenshot_dir: Path
) -> None:
    assert CatalogueImporter().run(samples / "catalogue.csv").committed
    books = Product.objects.filter(category__name="Books").count()
    assert 0 < books < Product.objects.count()

    wizard.changelist()
    page.get_by_role("link", name="Books").first.click()  # the category filter
    page.wait_for_url("**category__id__exact=**")
    page.click(".winiadmin-export-link")
    expect(page.locator(".winiadmin-export-count")).to_contain_text(f"{books} rows")
    page.select_option("#id_format", "xlsx")
    page.locator(".winiadmin-export-form").screenshot(path=screenshot_dir / "export-form.png")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    assert exported.suffix == ".xlsx"

    sheet = fastexcel.read_excel(exported.read_bytes()).load_sheet(0, dtypes="string")
    frame = sheet.to_polars()
    assert frame.height == books
    assert set(frame["category"].to_list()) == {"Books"}
    first, second = frame["sku"][0], frame["sku"][1]
    old_price = Product.objects.get(sku=first).price
    old_name = Product.objects.get(sku=second).name
    edited = frame.with_columns(
        pl.when(pl.col("sku") == first).then(pl.lit("1234.50")).otherwise(pl.col("price"))
        .alias("price"),
        pl.when(pl.col("sku") == second).then(pl.lit("Renamed")).otherwise(pl.col("name"))
        .alias("name"),
    )  # fmt: skip
    upload = tmp_path / "edited.xlsx"
    edited.write_excel(upload)

    wizard.upload(upload)
    changes = table_rows(page, "#winiadmin-changes")
    assert sorted(row[2:] for row in changes) == sorted(
        [[first, f"price {old_price} → 1234.50"], [second, f"name {old_name} → Renamed"]]
    )
    assert ["Products shop.Product", "0", "2", str(books - 2)] in table_rows(
        page, ".winiadmin-plan"
    )
    assert Product.objects.get(sku=first).price == old_price  # a dry run so far

    wizard.confirm()
    expect(page.locator(".winiadmin-result")).to_contain_text("Imported")
    assert ImportJob.objects.latest("pk").status == ImportJob.Status.SUCCEEDED
    assert Product.objects.get(sku=first).price == Decimal("1234.50")
    assert Product.objects.get(sku=second).name == "Renamed"
