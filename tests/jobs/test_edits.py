"""``apply_edits``: a job's edits over the table as read, in the order they were made."""

import polars as pl
import pytest

from winiadmin.jobs.edits import Edit, EditRefused, apply_edits, check_typed
from winiadmin.models import ImportEdit
from winiadmin.problems import Problem, ProblemKind, Severity
from winiadmin.readers import RawTable

CELL, EXCLUDE, REPLACE = ImportEdit.Kind.CELL, ImportEdit.Kind.EXCLUDE, ImportEdit.Kind.REPLACE


def _table() -> RawTable:
    frame = pl.DataFrame({"price": ["12,50 EUR", "3", None, "12,50 EUR"], "name": list("abcd")})
    bad = Problem(ProblemKind.INVALID_VALUE, Severity.ERROR, "bad bytes", 3, "price", "x")
    ragged = Problem(ProblemKind.INVALID_VALUE, Severity.ERROR, "too many values", 5)
    return RawTable(frame, pl.Series("row", [2, 3, 4, 5]), "csv", problems=(bad, ragged))


def test_edits_apply_in_order_and_leave_the_rest_alone() -> None:
    edits = [
        Edit(REPLACE, None, "price", "12,50 EUR", "12.50"),
        Edit(CELL, 2, "price", "12.50", "13"),  # after the replace: the cell wins
        Edit(REPLACE, None, "price", None, "0"),  # every empty cell
        Edit(EXCLUDE, 5, "", None, None),
    ]
    edited = apply_edits(_table(), edits)
    assert edited.frame.to_dict(as_series=False) == {
        "price": ["13", "3", "0"],
        "name": ["a", "b", "c"],
    }
    assert edited.row_numbers.to_list() == [2, 3, 4]
    assert edited.row_numbers.name == "row"
    # The excluded row's problem went with it; a problem of an edited cell only goes with its
    # cell (row 3's price was not edited).
    assert [p.row for p in edited.problems] == [3]


def test_an_edited_cell_takes_its_readers_problem_away() -> None:
    edited = apply_edits(_table(), [Edit(CELL, 3, "price", "3", "4")])
    assert [p.row for p in edited.problems] == [5]


def test_replace_inside_values_and_set_empty() -> None:
    edits = [
        Edit(REPLACE, None, "price", " EUR", "", whole=False),
        Edit(CELL, 3, "name", "b", None),
    ]
    edited = apply_edits(_table(), edits)
    assert edited.frame.get_column("price").to_list() == ["12,50", "3", None, "12,50"]
    assert edited.frame.get_column("name").to_list() == ["a", None, "c", "d"]


def test_no_edits_is_the_table_itself() -> None:
    table = _table()
    assert apply_edits(table, []) is table


def test_a_typed_column_takes_only_values_of_its_type() -> None:
    check_typed("12", pl.Int64())
    with pytest.raises(EditRefused, match="not a value of this column's type"):
        check_typed("twelve", pl.Int64())
    frame = pl.DataFrame({"n": [1, 2]})
    table = RawTable(frame, pl.Series("row", [2, 3]), "parquet")
    edited = apply_edits(table, [Edit(CELL, 3, "n", "2", "7")])
    assert edited.frame.get_column("n").to_list() == [1, 7]
