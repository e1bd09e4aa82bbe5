"""Frame references through the pipeline: the demo's orders and their lines from one flat file."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from shop.importers import OrderLinesImporter
from shop.models import Customer, Order, OrderLine, Product

from tests.testapp.models import Leaf, Node
from winiadmin.cleaning import CleaningDF
from winiadmin.db.frames import ROW_NUMBER_COLUMN, ModelFrame
from winiadmin.importers import Importer
from winiadmin.problems import ProblemKind
from winiadmin.results import ImportStatus

pytestmark = pytest.mark.django_db

SAMPLE = "order_lines.csv"
HEADER = "order_id,customer_email,customer_name,sku,quantity,unit_price\n"
SKUS = ("SKU-0001", "SKU-0002", "SKU-0007", "SKU-0013", "SKU-0018", "SKU-0029", "SKU-0040")


@pytest.fixture(autouse=True)
def products() -> None:
    for sku in SKUS:
        Product.objects.create(sku=sku, name=sku, price=1)


def lines_by_order() -> dict[str, list[tuple[str | None, int]]]:
    found: dict[str, list[tuple[str | None, int]]] = {}
    for order, sku, quantity in OrderLine.objects.order_by("pk").values_list(
        "order__order_id", "product__sku", "quantity"
    ):
        found.setdefault(order, []).append((sku, quantity))
    return found


def errors(result: Any) -> list[tuple[int | None, str | None, str | None]]:
    return [(p.row, p.column, p.value) for p in result.problems.errors()]


def test_orders_and_their_lines_from_one_file(samples: Path) -> None:
    Customer.objects.create(name="Grace", email="grace@example.com")
    result = OrderLinesImporter().run(samples / SAMPLE, collect_pks=True)
    assert result.status is ImportStatus.SUCCEEDED, errors(result)
    assert [(c.label, c.count) for c in result.created] == [
        ("shop.Customer", 2),
        ("shop.Order", 4),
        ("shop.OrderLine", 7),
    ]
    assert lines_by_order() == {
        "WEB-1001": [("SKU-0001", 2), ("SKU-0007", 1)],
        "WEB-1002": [("SKU-0013", 3)],
        "WEB-1003": [("SKU-0002", 1), ("SKU-0029", 3), ("SKU-0040", 2)],
        "WEB-1004": [("SKU-0018", 4)],
    }
    assert Order.objects.get(order_id="WEB-1001").amount == Decimal("222.44")
    assert Order.objects.get(order_id="WEB-1003").customer.name == "Grace"
    assert set(result.created_pks["shop.Order"]) == set(Order.objects.values_list("pk", flat=True))


def test_dry_run_counts_and_writes_nothing(samples: Path) -> None:
    result = OrderLinesImporter().run(samples / SAMPLE, dry_run=True)
    assert result.status is ImportStatus.DRY_RUN, errors(result)
    assert result.count_for("shop.OrderLine") == 7
    assert Customer.objects.count() == Order.objects.count() == OrderLine.objects.count() == 0


def stored_order(order_id: str) -> Order:
    customer = Customer.objects.create(name="Ada", email="ada@example.com")
    return Order.objects.create(order_id=order_id, customer=customer, amount=1)


def test_lines_of_an_order_left_out_are_problems_and_nothing_is_written(samples: Path) -> None:
    stored_order("WEB-1001")
    result = OrderLinesImporter().run(samples / SAMPLE)
    assert result.status is ImportStatus.INVALID
    assert errors(result) == [
        (2, "order_id", "WEB-1001"),  # the order: already stored
        (2, "order", "WEB-1001"),  # its lines: their order was left out
        (3, "order", "WEB-1001"),
    ]
    left_out = [p.message for p in result.problems.errors() if p.kind is ProblemKind.UNKNOWN_KEY]
    assert left_out[0] == (
        "The order with order_id 'WEB-1001' was left out of this import (see its row)."
    )
    assert "1 value matches no row of this import" in (result.error or "")
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 0


def test_skip_invalid_leaves_the_lines_of_a_left_out_order_out_and_lists_them(
    samples: Path,
) -> None:
    stored_order("WEB-1001")
    result = OrderLinesImporter().run(samples / SAMPLE, skip_invalid=True)
    assert result.status is ImportStatus.SUCCEEDED
    assert result.skipped_rows == (2, 3)
    assert [u.describe() for u in result.unmatched] == [
        "1 order not found in this import (order_id): 'WEB-1001' (rows 2, 3)"
    ]
    assert set(lines_by_order()) == {"WEB-1002", "WEB-1003", "WEB-1004"}
    assert OrderLine.objects.count() == 5


class WithoutSomeOrders(OrderLinesImporter):
    """Builds no order for WEB-1002: its line references an identifier the import lacks."""

    name = "tests.without_some_orders"

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        frames = super().get_frames_by_model(df)
        orders = frames[Order]
        assert isinstance(orders, ModelFrame)
        kept = orders.frame.filter(pl.col("order_id") != "WEB-1002")
        return {**frames, Order: ModelFrame(Order, kept, orders.lookups, ref="order_id")}


def test_an_identifier_not_in_the_parent_frame_names_row_column_and_value(samples: Path) -> None:
    result = WithoutSomeOrders().run(samples / SAMPLE)
    assert result.status is ImportStatus.INVALID
    assert errors(result) == [(4, "order", "WEB-1002")]
    assert result.problems.errors()[0].message == (
        "No order of this import has order_id 'WEB-1002'."
    )
    assert result.problems.errors()[0].kind is ProblemKind.UNKNOWN_KEY
    assert Customer.objects.count() == Order.objects.count() == OrderLine.objects.count() == 0

    skipped = WithoutSomeOrders().run(samples / SAMPLE, skip_invalid=True)
    assert skipped.status is ImportStatus.SUCCEEDED
    assert skipped.skipped_rows == (4,)
    assert OrderLine.objects.count() == 6


def order_file(path: Path, orders: int, lines: int = 3) -> Path:
    rows = [
        f"W-{n:05d},c{n % 7}@example.com,C {n % 7},{SKUS[(n + i) % len(SKUS)]},{i + 1},2.50"
        for n in range(orders)
        for i in range(lines)
    ]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_queries_do_not_grow_with_the_rows(tmp_path: Path) -> None:
    def queries(orders: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            result = OrderLinesImporter().run(order_file(tmp_path / f"{orders}.csv", orders))
        assert result.status is ImportStatus.SUCCEEDED, errors(result)
        OrderLine.objects.all().delete()
        Order.objects.all().delete()
        Customer.objects.all().delete()
        return len(captured)

    assert queries(5) == queries(300)
    assert queries(300) == queries(5)  # the same with the tables' sequences advanced


class GroupCleaningDF(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"group": pl.Utf8, "label": pl.Utf8}

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ("group", "label")


class GroupsImporter(Importer):
    """One node per group (identified by ``group``, not stored) and one leaf per row."""

    name = "tests.groups"
    models = (Node, Leaf)
    cleaning_df_cls = GroupCleaningDF

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        nodes = df.group_by("group", maintain_order=True).agg(pl.col(ROW_NUMBER_COLUMN).first())
        # The name differs per batch, so only the identifier check can tell a split group.
        nodes = nodes.with_columns(
            name=pl.format("{} #{}", "group", ROW_NUMBER_COLUMN),
        )
        leaves = df.select(pl.col("group").alias("node"), "label", ROW_NUMBER_COLUMN)
        return {
            Node: ModelFrame(Node, nodes, ref="group"),
            Leaf: ModelFrame(Leaf, leaves, references=("node",)),
        }


@pytest.fixture
def streamed(settings: Any) -> None:
    settings.WINIADMIN = {"STREAM_THRESHOLD_BYTES": 1, "STREAM_BATCH_ROWS": 4}


def groups_file(path: Path, groups: list[str]) -> Path:
    rows = [f"{group},leaf {n}" for n, group in enumerate(groups)]
    path.write_text("group,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.usefixtures("streamed")
def test_streamed_batches_resolve_their_own_references(tmp_path: Path) -> None:
    # Batches of 4 records, the header being the first one's: rows 2-4, 5-8, 9-10.
    path = groups_file(tmp_path / "g.csv", ["a", "a", "b", "c", "c", "d", "d", "e", "e"])
    result = GroupsImporter().run(path)
    assert result.status is ImportStatus.SUCCEEDED, errors(result)
    assert result.source_info["streamed"] == "4"
    assert dict(Leaf.objects.values_list("label", "node__name")) == {
        "leaf 0": "a #2",
        "leaf 1": "a #2",
        "leaf 2": "b #4",
        "leaf 3": "c #5",
        "leaf 4": "c #5",
        "leaf 5": "d #7",
        "leaf 6": "d #7",
        "leaf 7": "e #9",
        "leaf 8": "e #9",
    }


@pytest.mark.usefixtures("streamed")
def test_an_identifier_spanning_batches_is_a_conflict_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    # b: row 4 (first batch) and rows 5-6 (second batch)
    path = groups_file(tmp_path / "g.csv", ["a", "a", "b", "b", "b", "c"])
    result = GroupsImporter().run(path)
    assert result.status is ImportStatus.INVALID
    conflict = result.problems.errors()[0]
    assert conflict.kind is ProblemKind.DATABASE_CONFLICT
    assert (conflict.row, conflict.column, conflict.value) == (5, "group", "b")
    assert "must not span batches" in conflict.message
    assert errors(result)[1:] == [(5, "node", "b"), (6, "node", "b")]
    assert Node.objects.count() == Leaf.objects.count() == 0


class KeptGroupsImporter(GroupsImporter):
    """The same, telling the streamed reader not to cut a group."""

    name = "tests.kept_groups"
    stream_group_by = "group"


@pytest.mark.usefixtures("streamed")
def test_a_group_column_keeps_each_group_in_one_batch(tmp_path: Path) -> None:
    # Cut every 4 records, b (rows 4-6) would straddle batches as in the test above.
    path = groups_file(tmp_path / "g.csv", ["a", "a", "b", "b", "b", "c", "c", "c", "c", "c", "d"])
    result = KeptGroupsImporter().run(path)
    assert result.status is ImportStatus.SUCCEEDED, errors(result)
    assert result.source_info["streamed"] == "4"
    assert dict(Leaf.objects.values_list("label", "node__name")) == {
        "leaf 0": "a #2",
        "leaf 1": "a #2",
        "leaf 2": "b #4",
        "leaf 3": "b #4",
        "leaf 4": "b #4",
        "leaf 5": "c #7",  # a group longer than a batch: one longer batch
        "leaf 6": "c #7",
        "leaf 7": "c #7",
        "leaf 8": "c #7",
        "leaf 9": "c #7",
        "leaf 10": "d #12",
    }
    assert Node.objects.count() == 4


@pytest.mark.usefixtures("streamed")
def test_the_group_column_is_found_under_the_header_the_file_gives(tmp_path: Path) -> None:
    rows = ["a,x", "b,y", "b,z", "b,w", "c,v"]
    path = tmp_path / "g.csv"
    path.write_text("Group,Label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = KeptGroupsImporter().run(path)
    assert result.status is ImportStatus.SUCCEEDED, errors(result)
    assert list(Node.objects.order_by("pk").values_list("name", flat=True)) == [
        "a #2",
        "b #3",
        "c #6",
    ]


class OneNodePerRow(GroupsImporter):
    """A node per row, so a group named twice repeats the identifier."""

    name = "tests.one_node_per_row"

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        nodes = df.select("group", pl.col("label").alias("name"), ROW_NUMBER_COLUMN)
        leaves = df.select(pl.col("group").alias("node"), "label", ROW_NUMBER_COLUMN)
        return {
            Node: ModelFrame(Node, nodes, ref="group"),
            Leaf: ModelFrame(Leaf, leaves, references=("node",)),
        }


def test_a_repeated_identifier_is_a_conflict_and_skipping_keeps_the_first(tmp_path: Path) -> None:
    path = groups_file(tmp_path / "g.csv", ["a", "b", "a"])
    result = OneNodePerRow().run(path)
    assert result.status is ImportStatus.INVALID
    assert errors(result) == [(4, "group", "a")]
    assert "appears twice in this import" in result.problems.errors()[0].message
    assert Node.objects.count() == 0

    skipped = OneNodePerRow().run(path, skip_invalid=True)
    assert skipped.status is ImportStatus.SUCCEEDED
    assert skipped.skipped_rows == (4,)
    assert dict(Leaf.objects.values_list("label", "node__name")) == {
        "leaf 0": "leaf 0",
        "leaf 1": "leaf 1",
        "leaf 2": "leaf 0",
    }
