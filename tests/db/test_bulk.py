from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from shop.models import Category, Product, Store

from tests.testapp.models import (
    CycleA,
    CycleB,
    Leaf,
    Node,
    Place,
    Restaurant,
    UUIDChild,
    UUIDParent,
)
from winiadmin.db.bulk import (
    STANDARD_BULK_SIZE,
    bulk_create_bulks_in_steps,
    bulk_create_in_steps,
    load_bulks,
)
from winiadmin.exceptions import LoadError, ModelDependencyCycle

pytestmark = pytest.mark.django_db


def product(name: str, **fields: object) -> Product:
    return Product(name=name, price=Decimal("1.50"), **fields)


def inserts_into(queries: CaptureQueriesContext, model: type[Model]) -> int:
    return sum(
        query["sql"].startswith(f'INSERT INTO "{model._meta.db_table}"')
        for query in queries.captured_queries
    )


def products_by_store() -> dict[str, str | None]:
    return dict(Product.objects.values_list("name", "store__name"))


def test_standard_bulk_size() -> None:
    assert STANDARD_BULK_SIZE == 1000


def test_single_model_is_inserted_and_returned_with_keys() -> None:
    stores = [Store(name="a"), Store(name="b")]
    created = bulk_create_in_steps(Store, stores)
    assert created == stores
    assert all(store.pk is not None for store in created)
    assert set(Store.objects.values_list("pk", "name")) == {(s.pk, s.name) for s in stores}


@pytest.mark.parametrize(("count", "chunks"), [(0, []), (3, [3]), (4, [3, 1]), (7, [3, 3, 1])])
def test_step_boundaries(count: int, chunks: list[int]) -> None:
    seen: list[int] = []
    created = bulk_create_in_steps(
        Store, [Store(name=f"s{n}") for n in range(count)], step=3, on_chunk=seen.append
    )
    assert seen == chunks
    assert len(created) == count
    assert Store.objects.count() == count


@pytest.mark.parametrize("step", [0, -1])
def test_step_below_one_is_refused(step: int) -> None:
    with pytest.raises(ValueError, match="step must be a positive number of rows"):
        bulk_create_in_steps(Store, [Store(name="a")], step=step)
    with pytest.raises(ValueError, match="step must be a positive"):
        load_bulks({Store: [Store(name="a")]}, step)
    assert not Store.objects.exists()


def test_generator_is_consumed_chunk_by_chunk() -> None:
    events: list[str] = []

    def stores() -> Iterator[Store]:
        for number in range(5):
            events.append(f"pull {number}")
            yield Store(name=f"s{number}")

    def on_chunk(rows: int) -> None:
        events.append(f"chunk of {rows}, {Store.objects.count()} in the database")

    created = bulk_create_in_steps(Store, stores(), step=2, on_chunk=on_chunk)
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
    assert [store.name for store in created] == ["s0", "s1", "s2", "s3", "s4"]


def test_children_get_the_keys_of_unsaved_parents_of_the_same_import() -> None:
    north, south = Store(name="north"), Store(name="south")
    food = Category(name="food")
    products = [
        product("apple", store=north, category=food),
        product("bread", store=south),
        product("cheese"),
    ]
    # Children first in the mapping and as generators: the order comes from the foreign keys.
    created = bulk_create_bulks_in_steps(
        {Product: (p for p in products), Store: iter([north, south]), Category: [food]}, step=2
    )
    assert list(created) == [Store, Category, Product]
    assert created[Product] == products
    assert created[Store] == [north, south]
    assert products_by_store() == {"apple": "north", "bread": "south", "cheese": None}
    assert Product.objects.get(name="apple").category_id == food.pk


def test_on_chunk_reports_each_model_and_chunk() -> None:
    calls: list[tuple[str, int]] = []
    stores = [Store(name="a"), Store(name="b")]
    bulk_create_bulks_in_steps(
        {Product: [product(f"p{n}", store=stores[0]) for n in range(3)], Store: stores},
        2,
        on_chunk=lambda model, rows: calls.append((model.__name__, rows)),
    )
    assert calls == [("Store", 2), ("Product", 2), ("Product", 1)]


def test_load_bulks_keeps_counts_or_instances() -> None:
    store = Store(name="a")
    counted = load_bulks({Product: [product("x", store=store)], Store: [store]}, collect=False)
    assert counted == {Store: 1, Product: 1}
    other = Store(name="b")
    listed = load_bulks({Store: iter([other])})
    assert listed == {Store: [other]}
    assert Store.objects.count() == 2


def test_nothing_to_load() -> None:
    assert load_bulks({}) == {}
    assert bulk_create_bulks_in_steps({Store: []}) == {Store: []}


def test_self_referencing_tree_three_levels_deep() -> None:
    root = Category(name="root")
    child = Category(name="child", parent=root)
    grandchild = Category(name="grandchild", parent=child)
    twig = Category(name="twig", parent=child)
    # Children before parents in the input, one row per chunk.
    calls: list[int] = []
    bulk_create_in_steps(
        Category, iter([grandchild, twig, child, root]), step=1, on_chunk=calls.append
    )
    assert calls == [1, 1, 1, 1]
    parents = dict(Category.objects.values_list("name", "parent__name"))
    assert parents == {"root": None, "child": "root", "grandchild": "child", "twig": "child"}


def test_tree_and_leaves_pointing_at_unsaved_nodes() -> None:
    existing = Node.objects.create(name="existing")
    top = Node(name="top", parent=existing)
    below = Node(name="below", parent=top)
    leaves = [Leaf(node=below, label="deep"), Leaf(node=top, label="high")]
    bulk_create_bulks_in_steps({Leaf: leaves, Node: [below, top]})
    assert dict(Node.objects.values_list("name", "parent__name")) == {
        "existing": None,
        "top": "existing",
        "below": "top",
    }
    assert dict(Leaf.objects.values_list("label", "node__name")) == {"deep": "below", "high": "top"}


def test_uuid_parents_have_their_key_before_insert() -> None:
    parent = UUIDParent(name="p")
    known = parent.pk
    children = [UUIDChild(parent=parent, name="c1"), UUIDChild(parent=parent, name="c2")]
    bulk_create_bulks_in_steps({UUIDChild: children, UUIDParent: [parent]})
    assert parent.pk == known
    assert set(UUIDChild.objects.values_list("name", "parent_id")) == {("c1", known), ("c2", known)}


def test_unsaved_parent_outside_the_import_is_refused() -> None:
    stray = Store(name="X")
    kept = Store(name="kept")
    with pytest.raises(LoadError) as caught:
        bulk_create_bulks_in_steps({Store: [kept], Product: [product("p", store=stray)]})
    assert str(caught.value) == (
        "shop.Product.store points at a Store that is not saved and not part of this import "
        "(Store(name='X'))."
    )
    assert not Store.objects.exists()
    assert not Product.objects.exists()


def test_multi_table_inheritance_is_refused_before_any_insert() -> None:
    with pytest.raises(LoadError, match=r"^testapp\.Restaurant uses multi-table inheritance"):
        bulk_create_bulks_in_steps({Place: [Place(name="p")], Restaurant: [Restaurant(name="r")]})
    assert not Place.objects.exists()


def test_model_cycle_is_refused_before_any_insert() -> None:
    with pytest.raises(ModelDependencyCycle, match=r"testapp\.CycleA\.b → testapp\.CycleB\.a"):
        bulk_create_bulks_in_steps({Store: [Store(name="s")], CycleA: [], CycleB: []})
    assert not Store.objects.exists()


def test_instance_cycle_is_refused() -> None:
    first = Node(name="first")
    first.parent = Node(name="second", parent=first)
    with pytest.raises(ModelDependencyCycle, match=r"testapp\.Node rows point at each other"):
        bulk_create_in_steps(Node, [first, first.parent])
    assert not Node.objects.exists()


def test_integrity_error_in_second_model_undoes_the_first() -> None:
    store = Store(name="s")
    duplicates = [product("a", sku="SKU-1", store=store), product("b", sku="SKU-1")]
    with pytest.raises(LoadError) as caught:
        bulk_create_bulks_in_steps({Product: duplicates, Store: [store]}, step=1)
    message = str(caught.value)
    assert message.startswith("shop.Product: the database refused the rows: ")
    assert "sku" in message
    assert caught.value.__cause__ is not None
    assert not Store.objects.exists()
    assert not Product.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_failure_leaves_a_committed_database_unchanged() -> None:
    Store.objects.create(name="before")
    # The refused object is named (its column and value), the model too.
    with pytest.raises(LoadError, match=r"value 'before': shop\.Store: the database refused"):
        bulk_create_bulks_in_steps(
            {Category: [Category(name="c")], Store: [Store(name="new"), Store(name="before")]}
        )
    assert list(Store.objects.values_list("name", flat=True)) == ["before"]
    assert not Category.objects.exists()


def test_dangling_foreign_key_fails_inside_the_loader() -> None:
    # Foreign keys are deferred to COMMIT; inside an outer transaction (a dry run) there is none.
    with transaction.atomic():
        Store.objects.create(name="kept")
        with pytest.raises(LoadError) as caught:
            bulk_create_bulks_in_steps(
                {Store: [Store(name="new")], Product: [product("p", store_id=999_999)]}
            )
        assert list(Store.objects.values_list("name", flat=True)) == ["kept"]
    assert str(caught.value).startswith("shop.Product: the database refused the rows: ")
    assert "999999" in str(caught.value)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite ignores max_length")
def test_data_error_becomes_a_load_error() -> None:
    with pytest.raises(LoadError, match=r"Column 'name'.*shop\.Store: .*value too long"):
        bulk_create_in_steps(Store, [Store(name="x" * 101)])


def test_rollback_of_an_outer_transaction_undoes_the_load() -> None:
    store = Store(name="s")
    linked: list[int | None] = []

    class UndoError(Exception):
        pass

    def load_then_undo() -> None:
        with transaction.atomic():
            bulk_create_bulks_in_steps({Store: [store], Product: [product("p", store=store)]})
            linked.append(Product.objects.get().store_id)
            raise UndoError

    with pytest.raises(UndoError):
        load_then_undo()
    assert linked == [store.pk]
    assert not Store.objects.exists()
    assert not Product.objects.exists()


def test_unneeded_keys_use_plain_bulk_create_without_returning(without_returning: str) -> None:
    stores = [Store(name="a"), Store(name="b"), Store(name="c")]
    with CaptureQueriesContext(connection) as queries:
        bulk_create_in_steps(Store, stores)
    assert inserts_into(queries, Store) == 1
    assert Store.objects.count() == 3


def test_parents_get_keys_without_bulk_returning(without_returning: str) -> None:
    north, south = Store(name="north"), Store(name="south")
    given = Store(pk=500, name="given")
    products = [product("a", store=north), product("b", store=south), product("c", store=given)]
    with CaptureQueriesContext(connection) as queries:
        bulk_create_bulks_in_steps({Product: products, Store: [north, given, south]})
    # Only the rows whose key the database makes are inserted one by one.
    assert inserts_into(queries, Store) == 3
    assert inserts_into(queries, Product) == 1
    assert north.pk is not None
    assert south.pk is not None
    assert dict(Store.objects.values_list("name", "pk")) == {
        "north": north.pk,
        "south": south.pk,
        "given": 500,
    }
    assert products_by_store() == {"a": "north", "b": "south", "c": "given"}
    assert north._state.adding is False
    assert north._state.db == "default"


def test_tree_without_bulk_returning(without_returning: str) -> None:
    root = Category(name="root")
    child = Category(name="child", parent=root)
    grandchild = Category(name="grandchild", parent=child)
    products = [product("p", category=grandchild)]
    bulk_create_bulks_in_steps({Product: products, Category: [grandchild, child, root]})
    parents = dict(Category.objects.values_list("name", "parent__name"))
    assert parents == {"root": None, "child": "root", "grandchild": "child"}
    assert Product.objects.get().category_id == grandchild.pk


def test_uuid_parents_need_no_fallback(without_returning: str) -> None:
    parents = [UUIDParent(name="p1"), UUIDParent(name="p2")]
    children = [UUIDChild(parent=parents[1], name="c")]
    with CaptureQueriesContext(connection) as queries:
        bulk_create_bulks_in_steps({UUIDChild: children, UUIDParent: parents})
    assert inserts_into(queries, UUIDParent) == 1
    assert UUIDChild.objects.get().parent_id == parents[1].pk


def test_fallback_failure_rolls_back(without_returning: str) -> None:
    with pytest.raises(LoadError, match=r"^shop\.Store: the database refused the rows"):
        bulk_create_bulks_in_steps(
            {Store: [Store(name="dup"), Store(name="dup")], Product: [product("p")]}
        )
    assert not Store.objects.exists()
