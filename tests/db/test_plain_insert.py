"""Leaf models (nobody in the import points at them, no keys wanted) skip bulk_create."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from shop.models import Category, Product, Store

from tests.db.test_bulk import inserts_into, product, products_by_store
from tests.testapp.models import Node, UUIDParent
from winiadmin.db.bulk import load_bulks
from winiadmin.db.plain_insert import plain_insert_possible
from winiadmin.exceptions import LoadError

pytestmark = pytest.mark.django_db


def test_leaf_rows_get_their_parents_keys_in_one_statement_per_chunk() -> None:
    north, south = Store(name="north"), Store(name="south")
    food = Category(name="food")
    products = [
        product(
            f"p{n}",
            sku=f"S{n}",
            store=(north, south)[n % 2],
            category=food if n == 0 else None,
            available_from=date(2024, 1, n + 1),
        )
        for n in range(5)
    ]
    with CaptureQueriesContext(connection) as queries:
        counts = load_bulks(
            {Product: iter(products), Store: [north, south], Category: [food]},
            step=2,
            collect=False,
        )
    assert counts == {Store: 2, Category: 1, Product: 5}
    assert products_by_store() == {f"p{n}": ("north", "south")[n % 2] for n in range(5)}
    stored = Product.objects.get(sku="S0")
    assert (stored.price, stored.category_id, stored.available_from) == (
        Decimal("1.50"),
        food.pk,
        date(2024, 1, 1),
    )
    assert stored.created_at == products[0].created_at
    # Saved, but their database-made keys are not read back (nobody needs them).
    assert all(not p._state.adding and p._state.db == "default" for p in products)
    # SQLite: one executemany per chunk, logged as "2 times: INSERT …"; PostgreSQL: COPY, which
    # Django does not log (no INSERT at all).
    many = [q["sql"].split(": ", 1)[0] for q in queries if 'INSERT INTO "shop_product"' in q["sql"]]
    assert many == (["2 times", "2 times", "1 times"] if connection.vendor == "sqlite" else [])
    assert inserts_into(queries, Product) == 0
    assert inserts_into(queries, Store) == 1  # parents: bulk_create, their keys come back


def test_a_generator_of_leaf_rows_is_consumed_chunk_by_chunk() -> None:
    events: list[str] = []

    def products() -> Iterator[Product]:
        for number in range(5):
            events.append(f"pull {number}")
            yield product(f"p{number}")

    def on_chunk(_model: type[object], rows: int) -> None:
        events.append(f"chunk of {rows}, {Product.objects.count()} in the database")

    load_bulks({Product: products()}, step=2, on_chunk=on_chunk, collect=False)
    assert events == [
        "pull 0",
        "pull 1",
        "chunk of 2, 2 in the database",
        "pull 2",
        "pull 3",
        "chunk of 2, 4 in the database",
        "pull 4",
        "chunk of 1, 5 in the database",
    ]


def test_rows_with_expressions_go_through_bulk_create() -> None:
    rows = [product("now", created_at=Now()), product("plain")]
    with CaptureQueriesContext(connection) as queries:
        assert load_bulks({Product: rows}, collect=False) == {Product: 2}
    assert Product.objects.filter(created_at__isnull=False).count() == 2
    assert inserts_into(queries, Product) == 1  # bulk_create's multi-row INSERT


def test_keys_known_before_the_insert_are_written() -> None:
    parents = [UUIDParent(name="a"), UUIDParent(name="b")]
    load_bulks({UUIDParent: parents}, collect=False)
    assert set(UUIDParent.objects.values_list("pk", "name")) == {(p.pk, p.name) for p in parents}


def test_given_and_missing_keys_in_one_chunk() -> None:
    load_bulks({Store: [Store(pk=50, name="given"), Store(name="made")]}, collect=False)
    assert Store.objects.get(name="given").pk == 50
    assert Store.objects.filter(name="made").exists()


def test_dangling_foreign_key_of_a_leaf_fails_inside_the_loader() -> None:
    with transaction.atomic():
        with pytest.raises(LoadError) as caught:
            load_bulks({Product: [product("p", store_id=999_999)]}, collect=False)
        assert not Product.objects.exists()
    assert str(caught.value).startswith("shop.Product: the database refused the rows: ")


def test_unsaved_parent_outside_the_import_is_named() -> None:
    stray = Store(name="stray")
    with pytest.raises(LoadError, match=r"shop\.Product\.store points at a Store that is not"):
        load_bulks({Product: [product("p", store=stray)]}, collect=False)
    assert not Product.objects.exists()


def test_which_models_can_skip_bulk_create(monkeypatch: pytest.MonkeyPatch) -> None:
    assert plain_insert_possible(Product, "default")
    assert plain_insert_possible(Node, "default")  # a tree: the loader keeps it on bulk_create
    monkeypatch.setattr(connection, "vendor", "mysql")  # not checked against other backends
    assert not plain_insert_possible(Product, "default")


def test_a_tree_keeps_bulk_create_for_its_keys() -> None:
    root = Node(name="root")
    child = Node(name="child", parent=root)
    assert load_bulks({Node: [child, root]}, collect=False) == {Node: 2}
    assert Node.objects.get(name="child").parent_id == root.pk
