"""A row the database refuses during a frame load is named by its file row, column and value."""

import polars as pl
import pytest
from shop.models import Store

from winiadmin.db.frames import ROW_NUMBER_COLUMN, load_frames
from winiadmin.exceptions import RowRefused

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("step", [1, 3, 100])
def test_the_refused_row_of_a_chunk_is_found(step: int) -> None:
    Store.objects.create(name="taken")
    names = ["a", "b", "c", "d", "taken", "e", "f"]
    frame = pl.DataFrame({"name": names, ROW_NUMBER_COLUMN: [10 + i for i in range(len(names))]})
    with pytest.raises(RowRefused) as refused:
        load_frames({Store: frame}, step, using="default")
    problem = refused.value.problem
    assert problem.row == 14
    assert (problem.column, problem.value) == ("name", "taken")
    assert "COPY" not in problem.message
    assert "line" not in problem.message
    assert Store.objects.count() == 1


def test_without_row_numbers_the_refusal_still_names_the_model() -> None:
    Store.objects.create(name="taken")
    with pytest.raises(RowRefused, match=r"shop\.Store: the database refused this row"):
        load_frames({Store: pl.DataFrame({"name": ["x", "taken"]})}, using="default")
