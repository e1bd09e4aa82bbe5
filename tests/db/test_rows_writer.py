"""The one writer of both load paths: rows given column by column end up in the table.

Every test runs on SQLite (executemany) and on PostgreSQL (COPY left open across chunks).
"""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl
import pytest
from django.db import IntegrityError, connection, transaction
from shop.models import Category, Product, Store

from tests.testapp.models import UUIDParent
from winiadmin.db.common import refused_as_load_error
from winiadmin.db.rows_writer import RowsWriter, key_mode
from winiadmin.exceptions import LoadError

pytestmark = pytest.mark.django_db

CREATED = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
#: As frame_values converts a timestamp (UTC; PostgreSQL's with its offset).
CREATED_TEXT = "2024-05-01 12:30:00" + ("+00:00" if connection.vendor == "postgresql" else "")


def _stores() -> list[tuple[str, str]]:
    return list(Store.objects.order_by("pk").values_list("name", "city"))


def test_columns_as_lists_are_written_chunk_by_chunk() -> None:
    with transaction.atomic(), RowsWriter(Store, ["name", "city"], using="default") as writer:
        assert writer.write([["north", "south"], ["Oslo", "Rome"]]) == []  # no keys asked
        assert writer.write([("east",), ("",)]) == []
    assert _stores() == [("north", "Oslo"), ("south", "Rome"), ("east", "")]
    assert not connection.execute_wrappers  # no COPY left open


def test_a_polars_frame_is_written_with_nulls_dates_and_decimals() -> None:
    store = Store.objects.create(name="north")
    frame = pl.DataFrame(
        {
            "sku": ["A1", None],
            "name": ['comma, "quoted"', "plain"],
            "price": ["1.50", "20.00"],  # as frame_values converts decimals: text
            "quantity": [3, 0],
            "store_id": [store.pk, None],
            "available_from": ["2024-02-29", None],
            "created_at": [CREATED_TEXT] * 2,
        }
    )
    with transaction.atomic(), RowsWriter(Product, frame.columns, using="default") as writer:
        writer.write(frame)
    rows = Product.objects.order_by("pk").values_list(
        "sku", "name", "price", "quantity", "store_id", "available_from", "created_at"
    )
    assert list(rows) == [
        ("A1", 'comma, "quoted"', Decimal("1.50"), 3, store.pk, date(2024, 2, 29), CREATED),
        (None, "plain", Decimal("20.00"), 0, None, None, CREATED),
    ]


def test_a_frame_holding_python_objects_is_written_row_by_row() -> None:
    # What frame_values leaves to Django's own conversion is a column of Python objects: polars
    # cannot write it as CSV, so COPY (PostgreSQL) takes it row by row.
    prices = pl.Series("price", [Decimal("2.25"), Decimal("3.00")], dtype=pl.Object)
    frame = pl.DataFrame([pl.Series("name", ["a", "b"]), prices]).with_columns(
        pl.lit(CREATED_TEXT).alias("created_at"), pl.lit(1).alias("quantity")
    )
    with transaction.atomic(), RowsWriter(Product, frame.columns, using="default") as writer:
        writer.write(frame)
    assert list(Product.objects.order_by("pk").values_list("name", "price")) == [
        ("a", Decimal("2.25")),
        ("b", Decimal("3.00")),
    ]


def test_keys_of_an_auto_increment_key_come_back_in_row_order() -> None:
    Category.objects.create(name="before")  # the keys do not start at 1
    mode = key_mode(Category, "default", given=False)
    assert mode == {"postgresql": "reserve", "sqlite": "rowid"}[connection.vendor]
    with transaction.atomic():
        with RowsWriter(Category, ["name"], using="default", keys=True) as writer:
            assert writer.key_mode == mode
            first = writer.write([["a", "b"]])
            second = writer.write(pl.DataFrame({"name": ["c"]}))
        stored = dict(Category.objects.values_list("name", "pk"))
    assert first == [stored["a"], stored["b"]]
    assert second == [stored["c"]]


def test_keys_given_in_a_column_are_returned_as_given() -> None:
    ids = [uuid.uuid4(), uuid.uuid4()]
    text = [str(i) if connection.features.has_native_uuid_field else i.hex for i in ids]
    columns = ["name", "id"]
    with transaction.atomic(), RowsWriter(UUIDParent, columns, using="default", keys=True) as w:
        assert w.key_mode == "given"
        assert w.write([["x", "y"], text]) == text
    assert set(UUIDParent.objects.values_list("pk", flat=True)) == set(ids)


def test_without_keys_asked_the_mode_is_none_and_nothing_is_queried() -> None:
    writer = RowsWriter(Category, ["name"], using="default")
    assert writer.key_mode == "none"
    assert writer.write([[]]) == []  # an empty chunk sends nothing
    writer.close()
    assert not Category.objects.exists()


def test_a_writer_needs_a_column() -> None:
    with pytest.raises(ValueError, match=r"shop\.Category: a row writer needs at least one column"):
        RowsWriter(Category, [], using="default")


def test_a_query_between_writes_ends_the_copy_and_sees_the_rows() -> None:
    with transaction.atomic(), RowsWriter(Category, ["name"], using="default") as writer:
        writer.write([["a", "b"]])
        assert Category.objects.count() == 2
        writer.write([["c"]])
    assert Category.objects.count() == 3


def test_two_writers_on_one_connection_take_turns() -> None:
    # Through rows written next to their model's rows: opening one COPY ends the other's.
    with transaction.atomic():
        stores = RowsWriter(Store, ["name", "city"], using="default")
        categories = RowsWriter(Category, ["name"], using="default")
        stores.write([["s1"], ["Oslo"]])
        categories.write([["c1"]])
        stores.write([["s2"], [""]])
        categories.write([["c2"]])
        stores.close()
        categories.close()
    assert sorted(Store.objects.values_list("name", flat=True)) == ["s1", "s2"]
    assert sorted(Category.objects.values_list("name", flat=True)) == ["c1", "c2"]
    assert not connection.execute_wrappers


def test_what_the_database_refuses_is_raised_and_named_by_the_caller() -> None:
    def twice() -> None:
        with (
            transaction.atomic(),
            refused_as_load_error(Category),
            RowsWriter(Category, ["name"], using="default") as writer,
        ):
            writer.write([["same"]])
            writer.write([["same"]])

    with pytest.raises(LoadError, match=r"^shop\.Category: the database refused the rows: "):
        twice()
    assert not connection.execute_wrappers
    assert not Category.objects.exists()  # the connection is usable, nothing was kept


def test_an_error_while_writing_cancels_and_rolls_back() -> None:
    def broken() -> None:
        with transaction.atomic(), RowsWriter(Category, ["name"], using="default") as writer:
            writer.write([["kept?"]])
            msg = "the importer broke"
            raise RuntimeError(msg)

    with pytest.raises(RuntimeError, match="the importer broke"):
        broken()
    assert not connection.execute_wrappers
    assert not Category.objects.exists()


def test_a_null_in_a_required_column_is_the_databases_error() -> None:
    def null_name() -> None:
        with transaction.atomic(), RowsWriter(Category, ["name"], using="default") as writer:
            writer.write([[None]])

    with pytest.raises(IntegrityError):
        null_name()
    assert not Category.objects.exists()
