"""The defaults base: seed-style classes that declare only some hooks work."""

import polars as pl
import pytest
from winiutils.core.data.dataframe.cleaning import CleaningDF as WiniutilsCleaningDF

from winiadmin.cleaning import CleaningDF


class OnlyDtypes(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"name": pl.Utf8, "price": pl.Float64}


class Partial(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"username": pl.Utf8, "email": pl.Utf8, "age": pl.Int64}

    @classmethod
    def get_rename_map(cls) -> dict[str, str]:
        return {"username": "user_name"}  # only one of three columns, as in the seed

    @classmethod
    def get_fill_null_map(cls) -> dict[str, object]:
        return {"age": 0}

    @classmethod
    def get_col_precision_map(cls) -> dict[str, int]:
        return {}

    @classmethod
    def get_sort_cols(cls) -> tuple[tuple[str, bool], ...]:
        return (("age", True),)


def test_is_a_winiutils_cleaning_df() -> None:
    assert issubclass(CleaningDF, WiniutilsCleaningDF)


def test_only_dtype_map_cleans_and_keeps_row_order() -> None:
    cleaned = OnlyDtypes(pl.DataFrame({"name": [" b ", "a"], "price": [2.5, 1.0]})).df
    assert cleaned.to_dicts() == [{"name": "b", "price": 2.5}, {"name": "a", "price": 1.0}]


def test_optional_empty_cells_do_not_drop_rows_but_empty_rows_do() -> None:
    frame = pl.DataFrame({"name": ["a", None, None], "price": [None, 3.0, None]})
    cleaned = OnlyDtypes(frame).df
    assert cleaned.to_dicts() == [{"name": "a", "price": None}, {"name": None, "price": 3.0}]


def test_partial_maps_are_completed() -> None:
    frame = pl.DataFrame({"user_name": ["x", "y"], "email": ["x@e", "y@e"], "age": [None, 3]})
    cleaned = Partial(frame).df
    assert cleaned.to_dicts() == [
        {"username": "y", "email": "y@e", "age": 3},
        {"username": "x", "email": "x@e", "age": 0},
    ]


def test_floats_are_rounded_only_where_a_precision_is_declared() -> None:
    class Rounded(OnlyDtypes):
        @classmethod
        def get_col_precision_map(cls) -> dict[str, int]:
            return {"price": 1}

    frame = pl.DataFrame({"name": ["a"], "price": [1.26]})
    assert OnlyDtypes(frame).df["price"].to_list() == [1.26]
    assert Rounded(frame).df["price"].to_list() == [pytest.approx(1.3)]


def test_declared_drop_null_subsets_keep_winiutils_semantics() -> None:
    class DropWithoutName(OnlyDtypes):
        @classmethod
        def get_drop_null_subsets(cls) -> tuple[tuple[str, ...], ...]:
            return (("name",),)

    frame = pl.DataFrame({"name": ["a", None], "price": [1.0, 2.0]})
    assert DropWithoutName(frame).df["name"].to_list() == ["a"]


def test_text_is_stripped_of_any_whitespace_and_a_clean_column_is_kept_as_it_is() -> None:
    frame = pl.DataFrame({"name": ["\tb\n", "\u00a0a", "c"], "price": [1.0, 2.0, 3.0]})
    assert OnlyDtypes(frame).df.get_column("name").to_list() == ["b", "a", "c"]
    clean = pl.Series("name", ["x", "y z", None])
    assert OnlyDtypes.strip_col(clean) is clean  # nothing to strip: not copied
