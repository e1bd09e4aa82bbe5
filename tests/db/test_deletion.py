"""Chunked update and delete, and the deletion preview, against rows in the database."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from shop.models import Category, Customer, Order, OrderLine, Product, Store

from tests.testapp.models import Leaf, Node, Protected
from winiadmin.db.bulk import (
    bulk_delete_in_steps,
    bulk_update_in_steps,
    multi_simulate_bulk_deletion,
    simulate_bulk_deletion,
)
from winiadmin.db.deletion import delete_keys_in_steps
from winiadmin.exceptions import LoadError

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders() -> list[Order]:
    """Two orders of one customer, with two lines and one line."""
    customer = Customer.objects.create(name="c", email="c@example.com")
    item = Product.objects.create(name="item", price=Decimal(2))
    first = Order.objects.create(order_id="o1", customer=customer, amount=Decimal(4))
    second = Order.objects.create(order_id="o2", customer=customer, amount=Decimal(2))
    for order, quantity in [(first, 1), (first, 2), (second, 3)]:
        OrderLine.objects.create(
            order=order, product=item, quantity=quantity, unit_price=Decimal(2)
        )
    return [first, second]


@pytest.fixture
def tree() -> dict[str, Node]:
    root = Node.objects.create(name="root")
    child = Node.objects.create(name="child", parent=root)
    grandchild = Node.objects.create(name="grandchild", parent=child)
    Leaf.objects.create(node=grandchild, label="leaf")
    return {"root": root, "child": child, "grandchild": grandchild}


def store_names() -> set[str]:
    return set(Store.objects.values_list("name", flat=True))


# --- update ---------------------------------------------------------------------------------


def test_update_in_steps_counts_and_writes_rows() -> None:
    stores = [Store.objects.create(name=f"s{n}") for n in range(5)]
    for store in stores:
        store.city = f"city of {store.name}"
    assert bulk_update_in_steps(Store, iter(stores), ["city"], step=2) == 5
    assert dict(Store.objects.values_list("name", "city")) == {
        f"s{n}": f"city of s{n}" for n in range(5)
    }


def test_update_of_nothing() -> None:
    assert bulk_update_in_steps(Store, [], ["city"]) == 0


def test_update_failure_undoes_earlier_chunks() -> None:
    stores = [Store.objects.create(name=f"s{n}") for n in range(3)]
    stores[0].name = "renamed"
    stores[2].name = "s1"  # clashes with the unique name of stores[1]
    with pytest.raises(LoadError, match=r"^shop\.Store: the database refused the rows: "):
        bulk_update_in_steps(Store, stores, ["name"], step=1)
    assert store_names() == {"s0", "s1", "s2"}


def test_update_step_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="step must be a positive number of rows, not 0"):
        bulk_update_in_steps(Store, [], ["city"], step=0)


# --- delete ---------------------------------------------------------------------------------


def test_delete_in_steps_sums_cascades_per_model(orders: list[Order]) -> None:
    def lazily() -> Iterator[Order]:
        yield from orders

    assert bulk_delete_in_steps(Order, lazily(), step=1) == (
        5,
        {"shop.Order": 2, "shop.OrderLine": 3},
    )
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()
    assert Customer.objects.count() == 1


def test_delete_of_nothing() -> None:
    assert bulk_delete_in_steps(Store, []) == (0, {})


def test_delete_blocked_by_protect_undoes_earlier_chunks(tree: dict[str, Node]) -> None:
    free = Node.objects.create(name="free")
    Protected.objects.create(node=tree["child"])
    Protected.objects.create(node=tree["grandchild"])
    with pytest.raises(LoadError) as caught:
        bulk_delete_in_steps(Node, [free, tree["child"]], step=1)
    assert str(caught.value) == (
        "These rows cannot be deleted: other rows point at them through a protected foreign key "
        "(on_delete=PROTECT or RESTRICT): 2 testapp.Protected rows. Delete or change those rows "
        "first."
    )
    assert Node.objects.count() == 4


def test_delete_of_unsaved_rows_is_refused() -> None:
    Store.objects.create(name="kept")
    with pytest.raises(LoadError, match=r"cannot delete a row that was never saved \(Store"):
        bulk_delete_in_steps(Store, [*Store.objects.all(), Store(name="new")])
    assert store_names() == {"kept"}


def test_delete_step_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="step must be a positive number of rows"):
        bulk_delete_in_steps(Store, [], step=-3)


# --- simulate -------------------------------------------------------------------------------


def test_simulation_lists_cascades_and_deletes_nothing(orders: list[Order]) -> None:
    doomed = simulate_bulk_deletion(Order, orders[:1])
    assert doomed == {Order: {orders[0]}, OrderLine: set(OrderLine.objects.filter(order=orders[0]))}
    assert len(doomed[OrderLine]) == 2
    assert Order.objects.count() == 2
    assert OrderLine.objects.count() == 3


def test_simulation_follows_cascades_several_levels(tree: dict[str, Node]) -> None:
    doomed = simulate_bulk_deletion(Node, [tree["root"]])
    assert doomed == {Node: set(tree.values()), Leaf: set(Leaf.objects.all())}
    assert Node.objects.count() == 3
    assert Leaf.objects.count() == 1


def test_simulation_blocked_by_protect_names_model_and_count(tree: dict[str, Node]) -> None:
    Protected.objects.create(node=tree["grandchild"])
    blocked = r"^These rows cannot be deleted: .*: 1 testapp\.Protected row\."
    with pytest.raises(LoadError, match=blocked):
        simulate_bulk_deletion(Node, [tree["root"]])
    assert Node.objects.count() == 3


def test_simulation_blocked_by_protected_products(orders: list[Order]) -> None:
    category = Category.objects.create(name="cat")
    Product.objects.update(category=category)
    with pytest.raises(LoadError, match=r"RESTRICT\): 1 shop\.Product row\. "):
        simulate_bulk_deletion(Category, [category])
    assert Product.objects.filter(category=category).count() == 1


def test_multi_simulation_merges_models(orders: list[Order], tree: dict[str, Node]) -> None:
    customer = Customer.objects.get()
    doomed = multi_simulate_bulk_deletion(
        {Order: [*orders[1:]], Customer: [customer], Node: [tree["grandchild"]], Store: []}
    )
    assert doomed == {
        Order: set(orders),
        OrderLine: set(OrderLine.objects.all()),
        Customer: {customer},
        Node: {tree["grandchild"]},
        Leaf: set(Leaf.objects.all()),
    }
    assert Order.objects.count() == 2


def test_simulation_of_nothing() -> None:
    assert simulate_bulk_deletion(Store, []) == {}
    assert multi_simulate_bulk_deletion({}) == {}


def test_delete_keys_in_steps_cascades_and_refuses_protected(tree: dict[str, Node]) -> None:
    child = tree["child"].pk
    assert delete_keys_in_steps(Node, [child], step=1) == (
        3,
        {"testapp.Leaf": 1, "testapp.Node": 2},
    )
    assert list(Node.objects.values_list("name", flat=True)) == ["root"]
    Protected.objects.create(node=tree["root"])
    with pytest.raises(LoadError, match=r"1 testapp\.Protected row"):
        delete_keys_in_steps(Node, [tree["root"].pk])
    assert Node.objects.count() == 1
    with pytest.raises(ValueError, match="step must be a positive number"):
        delete_keys_in_steps(Node, [], step=0)
