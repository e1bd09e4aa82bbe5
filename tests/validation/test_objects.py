"""Unsaved objects checked a chunk at a time; their rows found through the cleaned frame."""

from decimal import Decimal

import polars as pl

from tests.testapp.models import Leaf, Node, Ruled
from winiadmin.db.lookups import with_keys
from winiadmin.validation.objects import ObjectRules, objects_frame


def rules(frame: pl.DataFrame) -> ObjectRules:
    return ObjectRules(frame, pl.Series(range(2, frame.height + 2)))


def test_the_nth_refused_object_is_the_nth_row_holding_its_value() -> None:
    cleaned = pl.DataFrame({"code": ["ok", "a b", "fine", "a b"]})
    checker = rules(cleaned)
    first = [Ruled(code="ok"), Ruled(code="a b")]
    second = [Ruled(code="fine"), Ruled(code="a b")]
    problems, refused = checker.check(Ruled, first)
    assert refused == [False, True]
    later, refused_later = checker.check(Ruled, second)
    assert [(p.row, p.column, p.value) for p in [*problems, *later]] == [
        (3, "code", "a b"),
        (5, "code", "a b"),
    ]
    assert refused_later == [False, True]


def test_a_value_the_importer_computed_has_no_row() -> None:
    problems, _refused = rules(pl.DataFrame({"name": ["x"]})).check(Ruled, [Ruled(code="a b")])
    assert [(p.row, p.column) for p in problems] == [(None, "code")]


def test_a_key_given_as_an_unsaved_parent_or_a_natural_key_is_set() -> None:
    parent = Node(name="root")
    leaves = [
        Leaf(node=parent, label="a"),
        with_keys(Leaf(label="b"), node="root"),
        Leaf(label="c"),
    ]
    cleaned = pl.DataFrame({"label": ["a", "b", "c"], "node": ["root", "root", None]})
    problems, refused = rules(cleaned).check(Leaf, leaves)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (4, "node", "This field cannot be null.")
    ]
    assert refused == [False, False, True]


def test_decimals_of_mixed_scales_keep_their_digits() -> None:
    frame = objects_frame(
        Ruled, [Ruled(code="a", amount=Decimal("1.5")), Ruled(code="b", amount=Decimal("1.505"))]
    )
    assert frame.get_column("amount").to_list() == [1.5, 1.505]
    cleaned = pl.DataFrame({"amount": [1.5, 1.505]})
    objs = [Ruled(code="a", amount=Decimal("1.5")), Ruled(code="b", amount=Decimal("1.505"))]
    problems, _refused = rules(cleaned).check(Ruled, objs)
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "amount", "1.505")]
