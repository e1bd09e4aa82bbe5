"""The frame-native loader on the real database: natural keys, conversions, defaults, COPY."""

import datetime as dt
import uuid
from decimal import Decimal

import polars as pl
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from shop.models import Category, Product, Store

from tests.testapp.models import UUIDChild, UUIDParent
from winiadmin.db.frames import ROW_NUMBER_COLUMN, ModelFrame, UnresolvedKeysError, load_frames
from winiadmin.exceptions import LoadError

pytestmark = pytest.mark.django_db


def catalogue() -> dict[type, ModelFrame]:
    products = pl.DataFrame(
        {
            "sku": ["A-1", "A-2", "A-3"],
            "name": ["Tea", "Cup", "Pot"],
            "price": [1.5, 2.25, 10.0],
            "quantity": [1, 2, None],
            "category": ["Drinks", "Kitchen", None],
            "store": ["Berlin", "Berlin", "Online"],
            "available_from": [dt.date(2026, 1, 2), None, dt.date(2026, 3, 4)],
        }
    ).with_columns(pl.col("quantity").fill_null(0))
    return {
        Product: ModelFrame(Product, products, lookups={"category": "name", "store": "name"}),
        Category: ModelFrame(Category, pl.DataFrame({"name": ["Drinks", "Kitchen"]})),
        Store: ModelFrame(Store, pl.DataFrame({"name": ["Berlin", "Online"]})),
    }


def test_loads_parents_first_and_resolves_natural_keys() -> None:
    loaded = load_frames(catalogue(), using="default", collect_pks=True)
    assert loaded.counts == {Category: 2, Store: 2, Product: 3}
    assert set(loaded.pks[Product]) == set(Product.objects.values_list("pk", flat=True))
    by_name = dict(Category.objects.values_list("name", "pk"))
    assert loaded.pks[Category] == [by_name["Drinks"], by_name["Kitchen"]]
    rows = list(
        Product.objects.order_by("sku").values_list(
            "sku", "price", "quantity", "category__name", "store__name", "available_from"
        )
    )
    assert rows == [
        ("A-1", Decimal("1.50"), 1, "Drinks", "Berlin", dt.date(2026, 1, 2)),
        ("A-2", Decimal("2.25"), 2, "Kitchen", "Berlin", None),
        ("A-3", Decimal("10.00"), 0, None, "Online", dt.date(2026, 3, 4)),
    ]
    # the callable default (created_at=timezone.now) is computed once for the load
    assert Product.objects.values("created_at").distinct().count() == 1
    assert Product.objects.get(sku="A-1").created_at.tzinfo is not None


def test_existing_parents_are_found_by_natural_key() -> None:
    Category.objects.create(name="Drinks")
    Category.objects.create(name="Kitchen")
    frames = catalogue()
    del frames[Category]
    load_frames(frames, using="default")
    assert Product.objects.filter(category__name="Drinks").count() == 1


def test_keys_are_not_collected_unless_asked() -> None:
    assert load_frames(catalogue(), using="default").pks == {}


def test_one_lookup_query_per_related_model() -> None:
    frames = catalogue()
    with CaptureQueriesContext(connection) as queries:
        load_frames(frames, using="default")
    lookups = [q["sql"] for q in queries if "SELECT" in q["sql"] and "shop_" in q["sql"]]
    assert len(lookups) == 2  # categories by name, stores by name


def test_unknown_natural_keys_are_refused_with_rows_and_nothing_is_written() -> None:
    frames = catalogue()
    products = frames[Product].frame.with_columns(
        pl.Series(ROW_NUMBER_COLUMN, [2, 3, 4]), store=pl.Series(["Berlin", "Paris", "Paris"])
    )
    frames[Product] = ModelFrame(Product, products, lookups={"category": "name", "store": "name"})
    with pytest.raises(UnresolvedKeysError, match="no store has name 'Paris'") as caught:
        load_frames(frames, using="default")
    assert caught.value.unresolved.rows == {"Paris": [3, 4]}
    assert Category.objects.count() == Product.objects.count() == 0


def test_chunks_and_progress() -> None:
    names = [f"C{i}" for i in range(25)]
    seen: list[int] = []
    load_frames(
        {Category: pl.DataFrame({"name": names})},
        step=10,
        using="default",
        on_chunk=lambda _model, n: seen.append(n),
    )
    assert seen == [10, 10, 5]
    assert Category.objects.count() == 25


def test_a_database_error_rolls_back_everything() -> None:
    Store.objects.create(name="Online")
    with pytest.raises(LoadError, match=r"shop\.Store: the database refused this row"):
        load_frames(catalogue(), using="default")
    assert Category.objects.count() == 0
    assert Store.objects.count() == 1


def test_inside_an_outer_transaction_it_rolls_back_with_it() -> None:
    with transaction.atomic():
        load_frames(catalogue(), using="default")
        assert Product.objects.count() == 3
        transaction.set_rollback(True)
    assert Product.objects.count() == 0


def test_unknown_columns_and_missing_required_values_are_refused() -> None:
    with pytest.raises(LoadError, match="has no field named 'colour'"):
        load_frames({Store: pl.DataFrame({"name": ["x"], "colour": ["red"]})}, using="default")
    with pytest.raises(LoadError, match=r"shop.Product.name has no column in the frame"):
        load_frames({Product: pl.DataFrame({"sku": ["x"], "price": [1.0]})}, using="default")


def test_uuid_keys_and_fk_by_attname() -> None:
    parent_id = uuid.uuid4()
    load_frames(
        {
            UUIDParent: pl.DataFrame({"id": [str(parent_id)], "name": ["p"]}),
            UUIDChild: pl.DataFrame({"parent_id": [str(parent_id)], "name": ["c"]}),
        },
        using="default",
    )
    assert UUIDChild.objects.get().parent.pk == parent_id


def test_lookup_on_a_field_that_is_not_a_foreign_key() -> None:
    with pytest.raises(LoadError, match="is not a foreign key"):
        load_frames(
            {Store: ModelFrame(Store, pl.DataFrame({"name": ["x"]}), lookups={"name": "id"})},
            using="default",
        )


def test_dangling_ids_are_found_before_commit_even_in_a_rolled_back_transaction() -> None:
    with transaction.atomic():
        with pytest.raises(LoadError, match=r"shop\.Product"):
            load_frames(
                {Product: pl.DataFrame({"name": ["x"], "price": [1.0], "category_id": [999]})},
                using="default",
            )
        transaction.set_rollback(True)
    assert Product.objects.count() == 0
