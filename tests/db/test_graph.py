from collections.abc import Sequence

import pytest
from shop.models import Category, Customer, Order, OrderLine, Product, Store

from tests.testapp.models import (
    CycleA,
    CycleB,
    Leaf,
    Node,
    Place,
    Protected,
    Restaurant,
    UUIDChild,
    UUIDParent,
)
from winiadmin.db.graph import order_within_model, topological_sort_models
from winiadmin.exceptions import LoadError, ModelDependencyCycle


def names(levels: Sequence[Sequence[Node]]) -> list[list[str]]:
    return [[node.name for node in level] for level in levels]


def test_shop_chain_is_sorted_parents_first_and_stable() -> None:
    models = [OrderLine, Order, Customer, Product, Store, Category]
    # Customer is the first model free to go; Store keeps its place before Category.
    assert topological_sort_models(models) == [Customer, Order, Store, Category, Product, OrderLine]


def test_sorted_input_is_kept_as_is() -> None:
    models = [Category, Store, Product, Customer, Order, OrderLine]
    assert topological_sort_models(models) == models


def test_unrelated_models_keep_the_input_order() -> None:
    assert topological_sort_models([Store, Customer, Category]) == [Store, Customer, Category]
    assert topological_sort_models([Category, Customer, Store]) == [Category, Customer, Store]


def test_only_the_given_models_are_considered() -> None:
    # Product points at Category and Store, which are not part of this import.
    assert topological_sort_models([OrderLine, Product]) == [Product, OrderLine]
    assert topological_sort_models([Leaf]) == [Leaf]


@pytest.mark.parametrize(
    ("models", "expected"),
    [
        ([Leaf, Node], [Node, Leaf]),
        ([Protected, Leaf, Node], [Node, Protected, Leaf]),
        ([UUIDChild, UUIDParent], [UUIDParent, UUIDChild]),
        # The multi-table parent link orders the parent table first.
        ([Restaurant, Place], [Place, Restaurant]),
        # A self reference alone does not block its model.
        ([Node], [Node]),
    ],
)
def test_testapp_models_are_sorted(models: list[type], expected: list[type]) -> None:
    assert topological_sort_models(models) == expected


def test_duplicates_and_generators_are_accepted() -> None:
    assert topological_sort_models(m for m in [Leaf, Node, Leaf]) == [Node, Leaf]
    assert topological_sort_models([]) == []


def test_cycle_names_models_and_fields() -> None:
    with pytest.raises(ModelDependencyCycle) as caught:
        topological_sort_models([CycleA, CycleB])
    assert str(caught.value) == (
        "testapp.CycleA.b → testapp.CycleB.a → testapp.CycleA: these models reference each "
        "other, so no insert order exists. Create one side first in a separate import, or leave "
        "the nullable foreign key empty and fill it in afterwards."
    )
    assert isinstance(caught.value, LoadError)


def test_cycle_message_lists_only_the_cycle() -> None:
    # Node is free to go, and the stuck walk starts at CycleB: the message starts there.
    with pytest.raises(ModelDependencyCycle, match=r"^testapp\.CycleB\.a → testapp\.CycleA\.b → "):
        topological_sort_models([Node, CycleB, CycleA])


def test_tree_levels_put_parents_first() -> None:
    root = Node(name="root")
    child = Node(name="child", parent=root)
    grandchild = Node(name="grandchild", parent=child)
    other_root = Node(name="other")
    sibling = Node(name="sibling", parent=root)
    levels = order_within_model([grandchild, sibling, child, other_root, root])
    assert names(levels) == [["other", "root"], ["sibling", "child"], ["grandchild"]]


def test_parents_outside_the_batch_do_not_add_levels() -> None:
    saved_elsewhere = Node(pk=10, name="saved")
    by_id_only = Node(name="by-id", parent_id=10)
    levels = order_within_model([Node(name="a", parent=saved_elsewhere), by_id_only])
    assert names(levels) == [["a", "by-id"]]


def test_levels_of_nothing_and_of_models_without_self_reference() -> None:
    assert order_within_model([]) == []
    stores = [Store(name="a"), Store(name="b")]
    assert order_within_model(stores) == [stores]


def test_a_long_chain_does_not_recurse() -> None:
    chain = [Node(name="0")]
    for number in range(1, 3000):
        chain.append(Node(name=str(number), parent=chain[-1]))
    levels = order_within_model(chain[::-1])
    assert len(levels) == 3000
    assert [level[0].name for level in levels[:3]] == ["0", "1", "2"]


def test_instance_cycle_is_refused() -> None:
    first = Node(name="first")
    second = Node(name="second", parent=first)
    first.parent = second
    with pytest.raises(ModelDependencyCycle) as caught:
        order_within_model([Node(name="free"), first, second])
    assert str(caught.value) == (
        "testapp.Node rows point at each other through parent in a loop: Node(name='first') → "
        "Node(name='second') → Node(name='first'). No insert order exists; leave one of them "
        "empty and fill it in afterwards."
    )
