"""``grouped_batches``: batches ending at a change of the group column's value."""

from collections.abc import Iterator

import polars as pl

from winiadmin.pipeline.stream_groups import grouped_batches
from winiadmin.readers import RawTable


def tables(*batches: list[str | None]) -> Iterator[RawTable]:
    row = 2
    for values in batches:
        numbers = pl.Series("row", range(row, row + len(values)), dtype=pl.Int64)
        row += len(values)
        yield RawTable(pl.DataFrame({"g": values}, schema={"g": pl.String}), numbers, "csv")


def regroup(*batches: list[str | None]) -> list[list[tuple[int, str | None]]]:
    out = grouped_batches(tables(*batches), lambda _table: "g")
    return [list(zip(t.row_numbers, t.frame["g"], strict=True)) for t in out]


def test_a_group_cut_by_a_batch_moves_to_the_next_batch() -> None:
    assert regroup(["a", "a", "b"], ["b", "c", "c"], ["d"]) == [
        [(2, "a"), (3, "a")],
        [(4, "b"), (5, "b")],
        [(6, "c"), (7, "c")],
        [(8, "d")],  # the rows held back at the end come last
    ]


def test_a_group_longer_than_a_batch_makes_one_longer_batch() -> None:
    assert regroup(["a", "b"], ["b", "b"], ["b", "c"]) == [
        [(2, "a")],
        [(3, "b"), (4, "b"), (5, "b"), (6, "b")],
        [(7, "c")],
    ]


def test_empty_values_are_a_group_of_their_own() -> None:
    assert regroup(["a", None], [None, "b"]) == [[(2, "a")], [(3, None), (4, None)], [(5, "b")]]


def test_the_last_batch_keeps_every_held_row_and_nothing_is_lost() -> None:
    batches = regroup(["a", "a"], ["a", "a"])
    assert batches == [[(2, "a"), (3, "a"), (4, "a"), (5, "a")]]


def test_without_the_column_batches_are_left_as_read() -> None:
    out = grouped_batches(tables(["a", "b"], ["b"]), lambda _table: None)
    assert [t.frame.height for t in out] == [2, 1]
