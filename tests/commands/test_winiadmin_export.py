"""``manage.py winiadmin_export``: rows to a file, filtered, then imported back with
``winiadmin_import``: unchanged, then exactly the edited cells."""

from __future__ import annotations

import csv
from decimal import Decimal
from io import StringIO
from typing import TYPE_CHECKING

import fastexcel
import pytest
from django.core.management import CommandError, call_command
from shop.models import Category, Product, Store

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.django_db

HEADER = ["sku", "name", "price", "quantity", "category", "store", "available_from"]


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def products() -> None:
    books = Category.objects.create(name="Books")
    berlin = Store.objects.create(name="Berlin Mitte")
    for n in range(1, 6):
        Product.objects.create(
            sku=f"SKU-{n}", name=f"Book {n}", price=Decimal(f"{n}.25"), quantity=n,
            category=books if n % 2 else None, store=berlin,
        )  # fmt: skip


def test_export_then_import_is_unchanged_then_an_edit_is_the_change(
    products: None, tmp_path: Path
) -> None:
    target = tmp_path / "products.csv"
    out, _ = run("winiadmin_export", "shop.catalogue", str(target))
    assert f"Exported 5 rows of shop.Product to {target}" in out
    assert "with the columns of the importer shop.catalogue" in out
    rows = list(csv.reader(target.open()))
    assert rows[0] == HEADER
    assert rows[1] == ["SKU-1", "Book 1", "1.25", "1", "Books", "Berlin Mitte", ""]

    out, _ = run("winiadmin_import", "shop.catalogue", str(target))
    assert "unchanged" in out.lower()
    assert Product.objects.count() == 5

    rows[3][2] = "9.99"  # SKU-3's price
    with target.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    out, _ = run("winiadmin_import", "shop.catalogue", str(target), "--dry_run")
    assert "3.25 → 9.99" in out
    assert Product.objects.get(sku="SKU-3").price == Decimal("3.25")


def test_filters_and_columns(products: None, tmp_path: Path) -> None:
    target = tmp_path / "books.xlsx"
    run(
        "winiadmin_export", "shop.catalogue", str(target),
        "--filter", "category__name=Books", "--filter", "quantity__in=1,5",
        "--columns", "sku,price",
    )  # fmt: skip
    frame = fastexcel.read_excel(target.read_bytes()).load_sheet(0).to_polars()
    assert frame.columns == ["sku", "price"]
    assert frame.rows() == [("SKU-1", 1.25), ("SKU-5", 5.25)]


def test_a_model_label_uses_the_importer_holding_its_rows(products: None, tmp_path: Path) -> None:
    # shop.catalogue writes stores too, but its rows are products: the derived importer.
    target = tmp_path / "stores.csv"
    out, _ = run("winiadmin_export", "shop.Store", str(target))
    assert "with the columns of the importer shop.Store" in out
    assert target.read_text().splitlines() == [
        "name,city",
        'Berlin Mitte,""',
    ]  # empty text, not NULL


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["shop.catalogue", "x.exe"], "Cannot tell the format of 'x.exe'"),
        (["shop.nothing", "x.csv"], "No importer is named 'shop.nothing'"),
        (["shop.Product", "x.csv"], "Several importers hold shop.Product's rows"),
        (["shop.catalogue", "x.csv", "--filter", "colour=red"], "Cannot filter by colour=red"),
        (["shop.catalogue", "x.csv", "--filter", "quantity=many"], "Cannot filter"),
        (["shop.catalogue", "x.csv", "--columns", "sku,colour"], "No export column is named"),
    ],
)
def test_mistakes_are_command_errors(
    products: None, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [args[0], str(tmp_path / args[1]), *args[2:]]
    with pytest.raises(CommandError, match=message):
        run("winiadmin_export", *args)


def test_the_progress_bar_on_a_terminal(products: None, tmp_path: Path) -> None:
    class Terminal(StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    call_command("winiadmin_export", "shop.catalogue", str(tmp_path / "p.ndjson"), stderr=err,
                 stdout=StringIO())  # fmt: skip
    assert "5/5" in err.getvalue()


def test_a_cell_too_long_for_xlsx_is_a_command_error(products: None, tmp_path: Path) -> None:
    from django.db import connection
    from shop.models import Product

    if connection.vendor != "sqlite":
        pytest.skip("the name is a varchar(200) on PostgreSQL")
    Product.objects.update(name="x" * 32_768)
    with pytest.raises(CommandError, match=r"Row 2, column B \(name\): 32768 characters"):
        run("winiadmin_export", "shop.catalogue", str(tmp_path / "p.xlsx"))
