"""Leaf rows stream into one COPY left open across chunks (PostgreSQL); queries still work.

On SQLite the same loads run with executemany: the outcomes asserted here hold on both.
"""

from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from shop.models import Product, Store

from tests.db.test_bulk import product
from winiadmin.db.bulk import load_bulks
from winiadmin.db.open_copy import OpenCopy
from winiadmin.exceptions import LoadError

pytestmark = pytest.mark.django_db


def test_a_query_between_chunks_ends_the_open_copy_first() -> None:
    store = Store.objects.create(name="north")
    seen: list[int] = []

    def products() -> Iterator[Product]:
        for number in range(6):
            # An importer's generator may query while the loader pulls it: the rows of the
            # chunks before are stored by then, in the same transaction.
            seen.append(Product.objects.count())
            yield product(f"p{number}", store_id=store.pk)

    assert load_bulks({Product: products()}, step=2, collect=False) == {Product: 6}
    assert seen == [0, 0, 2, 2, 4, 4]
    assert Product.objects.filter(store=store).count() == 6
    assert not connection.execute_wrappers  # nothing left behind


def test_rows_the_database_refuses_fail_the_load_naming_the_model() -> None:
    # The loader alone does not check unique keys (the pipeline does): the database refuses.
    rows = [product("a", sku="SAME"), product("b"), product("c", sku="SAME")]
    with pytest.raises(LoadError, match=r"^shop\.Product: the database refused the rows: "):
        load_bulks({Product: rows}, step=1, collect=False)
    assert not connection.execute_wrappers
    assert not Product.objects.exists()  # the connection is usable again, nothing was kept


def test_an_error_in_the_generator_cancels_the_copy_and_rolls_back() -> None:
    def products() -> Iterator[Product]:
        yield product("kept?")
        yield product("kept??")
        msg = "the importer broke"
        raise RuntimeError(msg)

    with pytest.raises(RuntimeError, match="the importer broke"):
        load_bulks({Product: products()}, step=1, collect=False)
    assert not connection.execute_wrappers
    assert not Product.objects.exists()


def test_a_rolled_back_outer_transaction_keeps_nothing() -> None:
    with transaction.atomic():
        load_bulks({Product: [product(f"p{n}") for n in range(5)]}, step=2, collect=False)
        assert Product.objects.count() == 5
        transaction.set_rollback(True)
    assert not Product.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_closing_twice_and_closing_with_an_error() -> None:
    table = Product._meta.db_table
    with transaction.atomic():
        columns = "name, price, quantity, created_at"
        copy = OpenCopy(connection, f'COPY "{table}" ({columns}) FROM STDIN')
        copy.write([("x", "1.00", 1, "2024-01-01T00:00:00Z")])
        copy.close()
        copy.close()
        assert Product.objects.get().name == "x"
        aborted = OpenCopy(connection, f'COPY "{table}" (name) FROM STDIN')
        aborted.close(RuntimeError("stop"))
        transaction.set_rollback(True)
    assert not connection.execute_wrappers
    assert not Product.objects.exists()
