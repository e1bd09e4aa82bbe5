"""A workbook whose sheets hold different models: one transaction, references across sheets,
problems naming their sheet."""

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from shop.models import Customer, Order, OrderLine, Product

from winiadmin.exceptions import WiniadminError
from winiadmin.importers import CleaningDF, Importer, Lookup, Sheet
from winiadmin.problems import ProblemKind
from winiadmin.results import ImportStatus

pytestmark = pytest.mark.django_db


def cleaning(columns: dict[str, type[pl.DataType]]) -> type[CleaningDF]:
    class Cleaning(CleaningDF):
        @classmethod
        def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
            return columns

    return Cleaning


class OrdersWorkbook(Importer):
    models = (Customer, Order, OrderLine)
    lookups = (Lookup(OrderLine, "product", by="sku"),)
    sheets = (
        # Listed children first: the load orders them by their foreign keys.
        Sheet(
            "Order lines",
            OrderLine,
            cleaning(
                {
                    "order": pl.Utf8,
                    "product": pl.Utf8,
                    "quantity": pl.Int64,
                    "unit_price": pl.Float64,
                }
            ),
            references=("order",),
        ),
        Sheet(
            "Orders",
            Order,
            cleaning({"order_id": pl.Utf8, "customer": pl.Utf8, "amount": pl.Float64}),
            ref="order_id",
            references=("customer",),
        ),
        Sheet("Customers", Customer, cleaning({"email": pl.Utf8, "name": pl.Utf8}), ref="email"),
    )


CUSTOMERS: list[list[object]] = [
    ["email", "name"],
    ["ada@example.com", "Ada"],
    ["bob@example.com", "Bob"],
]
ORDERS: list[list[object]] = [
    ["order_id", "customer", "amount"],
    ["O-1", "ada@example.com", 4.0],
    ["O-2", "bob@example.com", 1.5],
]
LINES: list[list[object]] = [
    ["order", "product", "quantity", "unit_price"],
    ["O-1", "A-1", 2, 1.5],
    ["O-1", "A-2", 1, 1.0],
    ["O-2", "A-1", 1, 1.5],
]


def workbook(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    book.close()
    return path


@pytest.fixture
def products() -> None:
    Product.objects.create(sku="A-1", name="One", price=Decimal("1.50"))
    Product.objects.create(sku="A-2", name="Two", price=Decimal("1.00"))


@pytest.mark.usefixtures("products")
def test_each_sheet_loads_into_its_model_and_refers_to_the_others(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "orders.xlsx", {"Customers": CUSTOMERS, "Orders": ORDERS, "Order lines": LINES}
    )
    result = OrdersWorkbook().run(path)
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    assert [(c.label, c.count) for c in result.created] == [
        ("shop.Customer", 2),
        ("shop.Order", 2),
        ("shop.OrderLine", 3),
    ]
    assert result.rows.read == result.rows.imported == 7
    lines = OrderLine.objects.values_list(
        "order__customer__name", "order__order_id", "product__sku"
    )
    assert sorted(lines) == [("Ada", "O-1", "A-1"), ("Ada", "O-1", "A-2"), ("Bob", "O-2", "A-1")]
    assert result.source_info["sheets"] == "Order lines, Orders, Customers"


@pytest.mark.usefixtures("products")
def test_problems_name_their_sheet_row_and_column_and_nothing_is_written(tmp_path: Path) -> None:
    lines: list[list[object]] = [*LINES, ["O-3", "A-1", 1, 1.5], ["O-2", "A-1", "many", 1.5]]
    orders: list[list[object]] = [*ORDERS, ["O-4", "eve@example.com", 2.0]]
    path = workbook(
        tmp_path / "orders.xlsx", {"Customers": CUSTOMERS, "Orders": orders, "Order lines": lines}
    )
    result = OrdersWorkbook().run(path)
    assert result.status is ImportStatus.INVALID
    where = sorted((p.sheet or "", p.row or 0, p.column or "") for p in result.problems.errors())
    assert where == [
        ("Order lines", 5, "order"),  # O-3: no such order in the workbook
        ("Order lines", 6, "quantity"),  # not a number
        ("Orders", 4, "customer"),  # eve: no such customer in the workbook
    ]
    unknown = [p for p in result.problems if p.kind is ProblemKind.UNKNOWN_KEY]
    assert {str(p) for p in unknown} >= {
        "Sheet 'Orders', row 4, column 'customer', value 'eve@example.com': "
        "No customer of this import has email 'eve@example.com'."
    }
    assert not Customer.objects.exists()
    assert not Order.objects.exists()


@pytest.mark.usefixtures("products")
def test_a_missing_sheet_is_named(tmp_path: Path) -> None:
    path = workbook(tmp_path / "orders.xlsx", {"Customers": CUSTOMERS, "Orders": ORDERS})
    result = OrdersWorkbook().run(path)
    assert result.status is ImportStatus.INVALID
    assert "Order lines" in (result.error or "")
    assert not Customer.objects.exists()


def test_skipping_invalid_rows_is_refused_for_a_workbook(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "orders.xlsx", {"Customers": CUSTOMERS, "Orders": ORDERS, "Order lines": LINES}
    )
    result = OrdersWorkbook().run(path, skip_invalid=True)
    assert result.status is ImportStatus.FAILED
    assert "all or nothing" in (result.error or "")
    assert not Customer.objects.exists()


def test_a_file_of_one_table_is_refused_with_the_sheets_expected() -> None:
    result = OrdersWorkbook().run(b"email,name\nada@example.com,Ada\n", file_name="c.csv")
    assert result.status is ImportStatus.INVALID
    assert result.error == (
        "This importer reads a workbook (sheets: Order lines, Orders, Customers); "
        "this file has none."
    )


@pytest.mark.usefixtures("products")
def test_every_sheet_commits_in_the_runs_one_transaction(tmp_path: Path) -> None:
    """The workbook is one batch of the one run: ``before_commit`` is called once, with every
    sheet's rows written; when it refuses, none of them stays."""
    path = workbook(
        tmp_path / "orders.xlsx", {"Customers": CUSTOMERS, "Orders": ORDERS, "Order lines": LINES}
    )
    seen: list[tuple[int, int, int]] = []

    def note() -> None:
        seen.append((Customer.objects.count(), Order.objects.count(), OrderLine.objects.count()))

    assert OrdersWorkbook().run(path, before_commit=note).status is ImportStatus.SUCCEEDED
    assert seen == [(2, 2, 3)]

    def refuse() -> None:
        raise WiniadminError("Refused right before the commit.")

    Customer.objects.all().delete()
    refused = OrdersWorkbook().run(path, before_commit=refuse)
    assert refused.status is ImportStatus.FAILED
    assert refused.error == "Refused right before the commit."
    assert (Customer.objects.count(), Order.objects.count(), OrderLine.objects.count()) == (0, 0, 0)


@pytest.mark.usefixtures("products")
def test_a_dry_run_counts_every_sheet_and_writes_nothing(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "orders.xlsx", {"Customers": CUSTOMERS, "Orders": ORDERS, "Order lines": LINES}
    )
    result = OrdersWorkbook().run(path, dry_run=True)
    assert result.status is ImportStatus.DRY_RUN, list(result.problems)
    assert [c.count for c in result.created] == [2, 2, 3]
    assert list(result.sheet_previews) == ["Order lines", "Orders", "Customers"]
    assert not Customer.objects.exists()
