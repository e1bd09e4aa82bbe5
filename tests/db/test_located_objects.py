"""An object the database refuses during an instance-path load is found among those sent."""

import pytest
from shop.models import Store

from tests.testapp.models import Ruled
from winiadmin.db import located_objects
from winiadmin.db.bulk import load_bulks
from winiadmin.exceptions import LoadError, ObjectRefused

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("step", [1, 3, 100])
@pytest.mark.parametrize("collect", [True, False], ids=["bulk_create", "plain"])
def test_the_refused_object_is_found(step: int, collect: bool) -> None:
    Store.objects.create(name="taken")
    stores = [Store(name=n) for n in ["a", "b", "c", "d", "taken", "e", "f"]]
    with pytest.raises(ObjectRefused) as refused:
        load_bulks({Store: stores}, step, using="default", collect=collect)
    assert refused.value.obj is stores[4]
    problem = refused.value.problem
    assert (problem.row, problem.column, problem.value) == (None, "name", "taken")
    assert "COPY" not in problem.message
    assert Store.objects.count() == 1


def test_a_check_constraint_left_to_the_database() -> None:
    rows = [Ruled(code="a", label="ok"), Ruled(code="b", label="UP"), Ruled(code="c")]
    with pytest.raises(ObjectRefused) as refused:
        load_bulks({Ruled: rows}, 1, using="default", collect=False)
    assert refused.value.obj is rows[1]
    assert (refused.value.problem.column, refused.value.problem.value) == ("label", "UP")
    assert Ruled.objects.count() == 0


@pytest.mark.parametrize("position", [0, 3, 6])
def test_a_refusal_is_found_beyond_the_objects_kept(
    monkeypatch: pytest.MonkeyPatch, position: int
) -> None:
    """Few objects are kept, yet none is let go unjudged: the open COPY is ended first."""
    monkeypatch.setattr(located_objects, "KEPT_OBJECTS", 2)
    Store.objects.create(name="taken")
    names = ["a", "b", "c", "d", "e", "f", "g"]
    names[position] = "taken"
    stores = [Store(name=n) for n in names]
    with pytest.raises(ObjectRefused) as refused:
        load_bulks({Store: stores}, 1, using="default", collect=False)
    assert refused.value.obj is stores[position]
    assert Store.objects.count() == 1


def test_a_chunk_larger_than_the_objects_kept_is_judged_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(located_objects, "KEPT_OBJECTS", 2)
    Store.objects.create(name="taken")
    stores = [Store(name=n) for n in ["a", "b", "c", "taken", "d"]]
    with pytest.raises(LoadError, match=r"shop\.Store: the database refused") as refused:
        load_bulks({Store: stores}, 5, using="default", collect=False)
    assert isinstance(refused.value, ObjectRefused)
    assert refused.value.obj is stores[3]
