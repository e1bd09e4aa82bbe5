"""ConflictFilter: lazy, and its queries do not grow with the rows (one per chunk at most)."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import cast

import polars as pl
import pytest
from shop.models import Product

from winiadmin.pipeline.conflicts import ConflictFilter
from winiadmin.problems import ProblemKind

pytestmark = pytest.mark.django_db

type NumQueries = Callable[[int], AbstractContextManager[object]]


def products(skus: list[str]) -> list[Product]:
    return [Product(sku=sku, name=sku, price=Decimal(1)) for sku in skus]


def conflict_filter(skus: list[str], step: int) -> ConflictFilter:
    frame = pl.DataFrame({"sku": skus})
    rows = pl.int_range(2, len(skus) + 2, eager=True)
    return ConflictFilter("default", frame, rows, step)


def test_an_empty_table_costs_one_query_whatever_the_rows(
    django_assert_num_queries: NumQueries,
) -> None:
    skus = [f"S{n}" for n in range(25)]
    checker = conflict_filter(skus, step=10)
    with django_assert_num_queries(1):  # is the table empty? then no query per chunk
        kept = list(checker.wrap(Product, iter(products(skus))))
    assert [p.sku for p in cast("list[Product]", kept)] == skus
    assert checker.problems == []


def test_a_stored_table_costs_one_query_per_chunk(django_assert_num_queries: NumQueries) -> None:
    Product.objects.create(sku="S7", name="stored", price=1)
    skus = [f"S{n}" for n in range(25)]
    checker = conflict_filter(skus, step=10)
    with django_assert_num_queries(1 + 3):  # emptiness, then one per chunk of 10
        kept = list(checker.wrap(Product, iter(products(skus))))
    assert [p.sku for p in cast("list[Product]", kept)] == [s for s in skus if s != "S7"]
    assert [(p.kind, p.row, p.value) for p in checker.problems] == [
        (ProblemKind.DATABASE_CONFLICT, 9, "S7")
    ]


def test_repeats_across_chunks_name_their_rows(django_assert_num_queries: NumQueries) -> None:
    skus = ["A", "B", "A", "C", "A", "D"]
    checker = conflict_filter(skus, step=2)
    with django_assert_num_queries(1):
        kept = list(checker.wrap(Product, iter(products(skus))))
    assert [p.sku for p in cast("list[Product]", kept)] == ["A", "B", "C", "D"]
    assert [(p.row, p.value) for p in checker.problems] == [(4, "A"), (6, "A")]


def test_objects_are_pulled_one_chunk_at_a_time() -> None:
    pulled: list[int] = []

    def lazily() -> Iterator[Product]:
        for n in range(7):
            pulled.append(n)
            yield Product(sku=f"S{n}", name="x", price=Decimal(1))

    wrapped = conflict_filter([], step=3).wrap(Product, lazily())
    next(wrapped)
    assert pulled == [0, 1, 2]
    assert len(list(wrapped)) == 6
    assert pulled == list(range(7))


def test_children_of_a_left_out_parent_are_left_out() -> None:
    checker = conflict_filter(["dup", "dup"], step=10)
    parent = Product(sku="dup", name="p", price=Decimal(1))
    twin = Product(sku="dup", name="twin", price=Decimal(1))
    kept = list(checker.wrap(Product, iter([parent, twin])))
    assert kept == [parent]
    assert [(p.row, p.value) for p in checker.problems] == [(3, "dup")]
    child = Product(sku="child", name="c", price=Decimal(1))
    child._state.fields_cache["store"] = twin  # as if it pointed at the left-out object
    assert list(checker.wrap(Product, iter([child]))) == []


def test_frame_conflicts_of_a_field_ending_in_id_that_is_no_foreign_key() -> None:
    """Order.order_id is a CharField: its column is found by attname, not as ``order``."""
    from shop.models import Customer, Order

    from winiadmin.db.frames import ROW_NUMBER_COLUMN, ModelFrame
    from winiadmin.pipeline.frame_conflicts import frame_conflicts

    customer = Customer.objects.create(name="Ada", email="ada@example.com")
    Order.objects.create(order_id="A-1", customer=customer, amount=1)
    frame = pl.DataFrame({"order_id": ["A-1", "A-2", "A-2"], ROW_NUMBER_COLUMN: [2, 3, 4]})
    problems, mask = frame_conflicts(ModelFrame(Order, frame), "default")
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "order_id", "A-1"),
        (4, "order_id", "A-2"),
    ]
    assert mask.to_list() == [True, False, True]
