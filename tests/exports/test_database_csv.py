"""CSV written by the database (``COPY`` on PostgreSQL, a plain cursor on SQLite) is the very
file the ORM's rows give: the same cells, the same formula guard, the same row count; and it
is the path an export of these columns takes."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.db.models import Count
from shop.models import Category, Product, Store

from tests.testapp.models import Restaurant, Ruled
from winiadmin.exports import ExportOptions, export_columns, export_queryset
from winiadmin.exports.database_csv import _CsvRows, database_csv
from winiadmin.exports.stream import _orm_rows
from winiadmin.importers import get_importer, model_importer

if TYPE_CHECKING:
    from pathlib import Path

    from django.db.models import Model, QuerySet

    from winiadmin.exports import ExportColumns
    from winiadmin.progress import Progress

pytestmark = pytest.mark.django_db

TRICKY = [
    "=cmd|' /C calc'!A0",
    "-5 Mugs",
    "-5",
    "+3.2e5",
    "-\u0663",  # an Arabic-Indic digit: not a plain number to the guard, on every path
    "-5\n",
    "@SUM(A1)",
    "\t=x",
    "a,b",
    'say "hi"',
    'two\nlines, "quoted"\r\n',
    "",
    "Zoë ☕",
]


def _both(queryset: QuerySet[Model], columns: ExportColumns, tmp_path: Path) -> tuple[bytes, bytes]:
    assert database_csv(queryset, columns.columns) is not None
    fast, orm = tmp_path / "fast.csv", tmp_path / "orm.csv"
    count = export_queryset(queryset, columns, fast, ExportOptions("csv", chunk_size=3))
    assert count == queryset.count()
    total = queryset.count()
    assert _orm_rows(queryset, columns, orm, ExportOptions("csv", chunk_size=3), total) == count
    return fast.read_bytes(), orm.read_bytes()


def test_products_by_the_database_are_the_orms_file(tmp_path: Path) -> None:
    books = Category.objects.create(name="=Books")
    berlin = Store.objects.create(name="Berlin, Mitte")
    for index, name in enumerate(TRICKY):
        Product.objects.create(
            sku=f"SKU-{index}", name=name, price=Decimal(index) + Decimal("0.5"),
            quantity=index, category=books if index % 2 else None,
            store=berlin if index % 3 else None,
            available_from=dt.date(999 + index, 1, 2) if index % 4 else None,
        )  # fmt: skip
    columns = export_columns(get_importer("shop.catalogue"))
    fast, orm = _both(Product.objects.order_by("sku"), columns, tmp_path)
    assert fast == orm
    text = fast.decode()
    assert text.startswith("sku,name,price,quantity,category,store,available_from\n")
    assert "SKU-0,'=cmd|' /C calc'!A0,0.50,0,,,\n" in text  # guarded
    assert ",'=Books," in text
    assert 'SKU-2,-5,2.50,2,,"Berlin, Mitte",1001-01-02' in text  # a plain number unguarded
    assert "SKU-4,'-\u0663," in text


def test_booleans_uuids_and_small_decimals(tmp_path: Path) -> None:
    token = uuid.UUID("12345678-1234-5678-9abc-def012345678")
    Ruled.objects.create(code="a", label="=x", amount=Decimal("-1.05"), token=token, level=3)
    Ruled.objects.create(code="b", email="b@example.com", amount=None, token=None)
    Restaurant.objects.create(name="+Pizza", serves_pizza=True)
    Restaurant.objects.create(name="Salad", serves_pizza=False)
    ruled = export_columns(model_importer(Ruled)).chosen(
        ["code", "label", "level", "amount", "email", "token"]
    )
    fast, orm = _both(Ruled.objects.order_by("code"), ruled, tmp_path)
    assert fast == orm
    assert 'a,\'=x,3,-1.05,"",12345678-1234-5678-9abc-def012345678' in fast.decode()
    places = export_columns(model_importer(Restaurant))
    fast, orm = _both(Restaurant.objects.order_by("name"), places, tmp_path)
    assert fast == orm
    assert "true" in fast.decode()
    assert "false" in fast.decode()


def test_an_empty_queryset_is_the_header(tmp_path: Path) -> None:
    columns = export_columns(get_importer("shop.catalogue"))
    out = tmp_path / "none.csv"
    assert export_queryset(Product.objects.none(), columns, out, ExportOptions("csv")) == 0
    assert out.read_text() == "sku,name,price,quantity,category,store,available_from\n"


def test_rows_are_counted_across_blocks_and_quoted_newlines() -> None:
    counter = _CsvRows()
    for block in [b'a,"x\n', b'y""\n",b\nc,d', b"\n", b'"\n\n"', b",e\n"]:
        counter.feed(block)
    assert counter.rows == 3


def test_dates_are_iso_whatever_the_servers_date_style(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's DateStyle")
    Product.objects.create(sku="A", name="a", price=Decimal(1), available_from=dt.date(2026, 6, 19))
    with connection.cursor() as cursor:
        cursor.execute("SET DateStyle TO 'SQL, DMY'")
    try:
        columns = export_columns(get_importer("shop.catalogue"))
        fast, orm = _both(Product.objects.all(), columns, tmp_path)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET DateStyle TO 'ISO, MDY'")
    assert fast == orm
    assert fast.decode().endswith(",2026-06-19\n")


def test_querysets_whose_rows_the_cells_would_change_go_through_the_orm(tmp_path: Path) -> None:
    books = Category.objects.create(name="Books")
    for sku in ("A", "B"):
        Product.objects.create(sku=sku, name="same", price=Decimal(1), category=books)
    columns = export_columns(get_importer("shop.catalogue")).chosen(["name", "price"])
    distinct = Product.objects.filter(category__name="Books").distinct().order_by("sku")
    assert database_csv(distinct, columns.columns) is None
    assert database_csv(Product.objects.order_by("sku")[:1], columns.columns) is None
    counted = Product.objects.annotate(n=Count("pk")).order_by("sku")
    assert database_csv(counted, columns.columns) is None
    out = tmp_path / "d.csv"
    assert export_queryset(distinct, columns, out, ExportOptions("csv")) == 2
    assert out.read_text() == "name,price\nsame,1.00\nsame,1.00\n"


def test_progress_and_cancel_may_query_the_database_during_copy(tmp_path: Path) -> None:
    """PostgreSQL's connection is busy with COPY: the callbacks (a background job's progress
    and cancel check query its row) run on a connection of their own."""
    Product.objects.bulk_create(
        Product(sku=f"SKU-{n:06}", name=f"Product number {n}", price=Decimal(n))
        for n in range(40_000)
    )
    columns = export_columns(get_importer("shop.catalogue"))
    seen: list[int] = []

    def progress(step: Progress) -> None:
        seen.append(step.done)
        Category.objects.filter(name="nothing").exists()  # a query while the rows stream

    def cancelled() -> bool:
        return Store.objects.filter(name="stop").exists()

    out = tmp_path / "p.csv"
    options = ExportOptions("csv", chunk_size=5_000, progress=progress, cancelled=cancelled)
    assert export_queryset(Product.objects.order_by("sku"), columns, out, options) == 40_000
    assert (
        0 < seen[1] < 40_000 == seen[-1]
    )  # during the rows (every megabyte or so), and at the end
    assert sum(1 for _ in out.open()) == 40_001
