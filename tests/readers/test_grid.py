import polars as pl

from winiadmin.readers.grid import row_numbers, table_from_grid, unique_names


def test_unique_names() -> None:
    assert unique_names(["a", None, "a", " ", "a", "b"]) == [
        "a",
        "column_2",
        "a_2",
        "column_4",
        "a_3",
        "b",
    ]
    # A generated name never takes one the header already uses.
    assert unique_names(["a_2", "a", "a"]) == ["a_2", "a", "a_3"]
    assert unique_names(["column_2", None]) == ["column_2", "column_2_2"]
    assert unique_names([None, "x"], positions=[3, 4]) == ["column_3", "x"]


def test_row_numbers() -> None:
    numbers = row_numbers(2, 3)
    assert numbers.dtype == pl.Int64
    assert numbers.to_list() == [2, 3, 4]


def test_table_from_grid() -> None:
    grid = pl.DataFrame(
        {"c0": [None, "h1", "1", "", None, "3"], "c1": [None, "h2", "2", None, None, ""]},
    )
    table = table_from_grid(grid, first_row=5)
    assert table is not None
    frame, numbers, header_row = table.frame, table.row_numbers, table.header_row
    assert table.headers == ("h1", "h2")
    assert frame.columns == ["h1", "h2"]
    assert frame.rows() == [("1", "2"), ("3", None)]
    assert numbers.to_list() == [7, 10]
    assert header_row == 6


def test_table_from_grid_without_values() -> None:
    assert table_from_grid(pl.DataFrame()) is None
    assert table_from_grid(pl.DataFrame({"c": [None, ""]}, schema={"c": pl.String})) is None
