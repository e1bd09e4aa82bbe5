"""Foreign keys by reference to another frame of the same import (ModelFrame ref / references)."""

import uuid
from collections.abc import Sequence

import polars as pl
import pytest
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from tests.testapp.models import Leaf, Node, UUIDChild, UUIDParent
from winiadmin.db.frames import ROW_NUMBER_COLUMN, ModelFrame, UnresolvedKeysError, load_frames
from winiadmin.db.lookups import KeyResolver
from winiadmin.exceptions import LoadError

pytestmark = pytest.mark.django_db


def nodes(codes: list[str], names: list[str] | None = None, **options: object) -> ModelFrame:
    """Nodes identified in the import by ``code``, which is no field of Node (not stored)."""
    frame = pl.DataFrame({"code": codes, "name": names or [f"node {c}" for c in codes]})
    return ModelFrame(Node, frame, ref="code", **options)  # type: ignore[arg-type]


def leaves(codes: Sequence[str | None], first_row: int = 10) -> ModelFrame:
    frame = pl.DataFrame(
        {
            "node": list(codes),
            "label": [f"leaf {i}" for i in range(len(codes))],
            ROW_NUMBER_COLUMN: list(range(first_row, first_row + len(codes))),
        },
        schema_overrides={"node": pl.String},
    )
    return ModelFrame(Leaf, frame, references=("node",))


def leaf_nodes() -> list[tuple[str, str]]:
    return list(Leaf.objects.order_by("label").values_list("label", "node__name"))


def test_children_point_at_the_rows_their_identifiers_name() -> None:
    loaded = load_frames({Leaf: leaves(["b", "a", "b"]), Node: nodes(["a", "b"])}, using="default")
    assert loaded.counts == {Node: 2, Leaf: 3}
    assert leaf_nodes() == [("leaf 0", "node b"), ("leaf 1", "node a"), ("leaf 2", "node b")]
    # keys were needed for the references, not asked for: not reported
    assert loaded.pks == {}


def test_keys_line_up_across_chunks_and_with_rows_already_in_the_table() -> None:
    Node.objects.create(name="older")
    codes = [f"c{i}" for i in range(25)]
    load_frames({Node: nodes(codes), Leaf: leaves(codes[::-1])}, step=4, using="default")
    pairs = Leaf.objects.values_list("label", "node__name")
    assert sorted(pairs) == sorted((f"leaf {i}", f"node c{24 - i}") for i in range(25))


def test_an_identifier_that_is_a_field_is_stored() -> None:
    frame = pl.DataFrame({"name": ["a", "b"]})
    load_frames(
        {Node: ModelFrame(Node, frame, ref="name"), Leaf: leaves(["a", "b"])}, using="default"
    )
    assert leaf_nodes() == [("leaf 0", "a"), ("leaf 1", "b")]


def test_a_null_reference_stays_null_and_nothing_else_is_refused() -> None:
    # Leaf.node is NOT NULL: the database refuses the row, the whole load rolls back.
    with pytest.raises(LoadError):
        load_frames({Node: nodes(["a"]), Leaf: leaves(["a", None])}, using="default")
    assert Node.objects.count() == 0


def test_upserted_parents_give_the_stored_records_key() -> None:
    stored = Node.objects.create(name="node a")
    frames = {
        Node: nodes(["a", "b"], key=("name",)),
        Leaf: leaves(["a", "b", "a"]),
    }
    loaded = load_frames(frames, using="default")
    assert loaded.counts[Node] == 1 and loaded.tallies[Node].unchanged == 1
    assert Node.objects.count() == 2
    assert list(Leaf.objects.filter(node=stored).values_list("label", flat=True)) == [
        "leaf 0",
        "leaf 2",
    ]
    assert Leaf.objects.get(label="leaf 1").node.name == "node b"


def test_given_keys_are_used_as_they_are() -> None:
    ids = [uuid.uuid4(), uuid.uuid4()]
    parents = pl.DataFrame({"id": [str(i) for i in ids], "name": ["p", "q"]})
    children = pl.DataFrame({"parent": ["q", "p"], "name": ["c0", "c1"]})
    load_frames(
        {
            UUIDParent: ModelFrame(UUIDParent, parents, ref="name"),
            UUIDChild: ModelFrame(UUIDChild, children, references=("parent",)),
        },
        using="default",
    )
    assert dict(UUIDChild.objects.values_list("name", "parent_id")) == {"c0": ids[1], "c1": ids[0]}


def test_an_unknown_identifier_is_refused_with_row_column_and_value_and_nothing_is_written() -> (
    None
):
    with pytest.raises(UnresolvedKeysError, match="no node of this import has code 'x'") as caught:
        load_frames({Node: nodes(["a"]), Leaf: leaves(["a", "x", "x"])}, using="default")
    unresolved = caught.value.unresolved
    assert (unresolved.field, unresolved.values, unresolved.rows) == (
        "node",
        ["x"],
        {"x": [11, 12]},
    )
    assert unresolved.reference
    assert Node.objects.count() == Leaf.objects.count() == 0


def test_with_a_resolver_unknown_and_left_out_identifiers_are_recorded_and_left_out() -> None:
    """A parent left out (its natural key matched nothing) is named as left out, not unknown."""
    Node.objects.create(name="root")
    parents = pl.DataFrame(
        {"code": ["a", "b"], "name": ["node a", "node b"], "parent": ["root", "nowhere"]}
    )
    resolver = KeyResolver((), "default", create_missing=False)
    frames = {
        Node: ModelFrame(Node, parents, lookups={"parent": "name"}, ref="code"),
        Leaf: leaves(["a", "b", "zz", "a"]),
    }
    loaded = load_frames(frames, using="default", resolver=resolver)
    assert loaded.counts == {Node: 1, Leaf: 2}
    assert leaf_nodes() == [("leaf 0", "node a"), ("leaf 3", "node a")]
    reference = resolver.unmatched[Leaf, "node", False]
    assert reference.reference and not reference.can_create
    assert reference.counts == {"b": 1, "zz": 1}
    assert reference.all_rows == {"b": [11], "zz": [12]}
    assert reference.left_out == {"b"}
    assert (
        reference.describe()
        == "2 nodes not found in this import (code): 'b' (row 11), 'zz' (row 12)"
    )
    assert {11, 12} <= resolver.dropped_rows


def test_a_repeated_identifier_is_refused_naming_its_rows() -> None:
    frame = pl.DataFrame(
        {"code": ["a", "b", "a"], "name": ["x", "y", "z"], ROW_NUMBER_COLUMN: [2, 3, 4]}
    )
    with pytest.raises(
        LoadError, match=r"identifier 'a' appears twice in this import \(rows 2, 4\)"
    ):
        load_frames(
            {Node: ModelFrame(Node, frame, ref="code"), Leaf: leaves(["a"])}, using="default"
        )
    assert Node.objects.count() == 0


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        ({Leaf: leaves(["a"])}, "the import has no testapp.Node frame with a ref"),
        (
            {Node: ModelFrame(Node, pl.DataFrame({"name": ["a"]})), Leaf: leaves(["a"])},
            "with a ref",
        ),
        ({Node: ModelFrame(Node, pl.DataFrame({"name": ["a"]}), ref="code")}, "'code' is not in"),
        (
            {
                Node: nodes(["a"]),
                Leaf: ModelFrame(Leaf, pl.DataFrame({"label": ["l"]}), references=("node",)),
            },
            "needs a column",
        ),
        (
            {
                Node: nodes(["a"]),
                Leaf: ModelFrame(Leaf, pl.DataFrame({"label": ["l"]}), references=("label",)),
            },
            "is not a foreign key",
        ),
        (
            {
                Node: ModelFrame(
                    Node,
                    pl.DataFrame({"name": ["a"], "parent": ["a"]}),
                    ref="name",
                    references=("parent",),
                )
            },
            "references its own frame",
        ),
        (
            {
                Node: nodes(["a"]),
                Leaf: ModelFrame(
                    Leaf, leaves(["a"]).frame, references=("node",), lookups={"node": "name"}
                ),
            },
            "both a lookup and a reference",
        ),
        (
            {
                Node: nodes(["a"]),
                Leaf: ModelFrame(
                    Leaf, pl.DataFrame({"node": [1], "label": ["l"]}), references=("node",)
                ),
            },
            "holds Int64 values but the identifiers",
        ),
    ],
)
def test_declarations_that_cannot_work_are_refused(
    frames: dict[type[Model], ModelFrame], message: str
) -> None:
    with pytest.raises(LoadError, match=message):
        load_frames(frames, using="default")
    assert Node.objects.count() == 0


def test_backends_that_cannot_tell_the_keys_refuse_a_ref(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection, "vendor", "oracle")
    with pytest.raises(LoadError, match=r"this database \(oracle\) cannot tell"):
        load_frames({Node: nodes(["a"]), Leaf: leaves(["a"])}, using="default")
    monkeypatch.undo()
    assert Node.objects.count() == 0


def test_queries_do_not_grow_with_the_rows() -> None:
    def queries(n: int) -> int:
        codes = [f"c{i}" for i in range(n)]
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            load_frames({Node: nodes(codes), Leaf: leaves(codes * 3)}, using="default")
            transaction.set_rollback(True)
        return len(captured)

    assert queries(5) == queries(500)
