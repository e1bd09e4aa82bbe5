"""Export → import of the same file: everything unchanged, nothing written; an edited cell is
exactly the change the import finds. Every format, the explicit and the derived importer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl
import pytest
from shop.models import Category, Product, Store

from winiadmin.exports import FORMATS, ExportOptions, export_columns, export_queryset
from winiadmin.importers import get_importer
from winiadmin.importers.model import ModelImporter

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.django_db


class UpsertProducts(ModelImporter):
    """The derived importer of products, upserting by SKU, categories and stores by name."""

    model = Product
    name = "tests.upsert_products"
    natural_keys = {"category": "name", "store": "name"}
    upsert_key = ("sku",)


@pytest.fixture
def products() -> None:
    books = Category.objects.create(name="Books")
    berlin = Store.objects.create(name="Berlin Mitte")
    Product.objects.create(
        sku="SKU-1", name="=cmd|' /C calc'!A0", price=Decimal("66.67"), quantity=6,
        category=books, store=berlin, available_from=dt.date(2026, 6, 19),
    )  # fmt: skip
    Product.objects.create(sku="SKU-2", name="Kettle", price=Decimal("12.50"), quantity=0)
    Product.objects.create(
        sku="SKU-3", name="-5 Mugs", price=Decimal("1234567890.99"), category=books,
        created_at=dt.datetime(2025, 3, 30, 1, 30, 15, 123456, tzinfo=dt.UTC),
    )  # fmt: skip


def _export(path: Path, fmt: str, importer: type) -> Path:
    out = path / f"products.{fmt}"
    columns = export_columns(importer)
    export_queryset(Product.objects.order_by("sku"), columns, out, ExportOptions(fmt))
    return out


def _snapshot() -> list[tuple[object, ...]]:
    return list(Product.objects.order_by("sku").values_list())


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("importer", [UpsertProducts, "shop.catalogue"])
def test_an_exported_file_imports_back_unchanged(
    products: None, tmp_path: Path, fmt: str, importer: type | str
) -> None:
    cls = get_importer(importer) if isinstance(importer, str) else importer
    before = _snapshot()
    out = _export(tmp_path, fmt, cls)
    result = cls().run(out)
    assert result.ok, (result.error, [p.message for p in result.problems.problems])
    assert (result.rows.unchanged, result.rows.updated, result.rows.imported) == (3, 0, 0)
    assert _snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_an_edited_cell_is_the_one_change_found(products: None, tmp_path: Path, fmt: str) -> None:
    out = _export(tmp_path, fmt, UpsertProducts)
    edited = tmp_path / f"edited.{fmt}"
    frame = _read(out, fmt).with_columns(
        pl.when(pl.col("sku") == "SKU-2").then(pl.lit("Tea kettle")).otherwise(pl.col("name"))
        .alias("name")
    )  # fmt: skip
    _write(frame, edited, fmt)
    result = UpsertProducts().run(edited, dry_run=True)
    assert result.ok, result.error
    (change,) = result.changes["shop.Product"]
    assert change.changes == {"name": ("Kettle", "Tea kettle")}
    assert Product.objects.get(sku="SKU-2").name == "Kettle"


def _read(path: Path, fmt: str) -> pl.DataFrame:
    if fmt == "csv":
        return pl.read_csv(path, infer_schema=False)
    if fmt == "xlsx":
        return pl.read_excel(path)
    return pl.read_json(path)


def _write(frame: pl.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        frame.write_csv(path)
    elif fmt == "xlsx":
        frame.write_excel(path)
    else:
        frame.write_json(path)
