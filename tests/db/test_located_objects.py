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


def test_an_object_let_go_is_reported_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the last objects sent are kept: a refusal among older ones still names the model."""
    monkeypatch.setattr(located_objects, "KEPT_OBJECTS", 2)
    Store.objects.create(name="taken")
    stores = [Store(name=n) for n in ["taken", "a", "b", "c", "d"]]
    with pytest.raises(LoadError, match=r"shop\.Store: the database refused") as refused:
        load_bulks({Store: stores}, 1, using="default", collect=False)
    if isinstance(refused.value, ObjectRefused):  # SQLite's INSERT refuses at once: kept
        assert refused.value.obj is stores[0]
