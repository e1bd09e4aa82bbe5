"""clean_table finds every problem, with the row a person sees (header = row 1)."""

from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

from winiadmin.cleaning import CleaningDF, clean_table
from winiadmin.exceptions import CleaningError
from winiadmin.problems import Problem, ProblemKind, Severity


class Products(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"sku": pl.Utf8, "price": pl.Float64, "quantity": pl.Int64}

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ("sku", "price")

    @classmethod
    def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return (("sku",),)


def raw(**columns: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


def by_kind(
    problems: list[Problem], kind: ProblemKind
) -> list[tuple[int | None, str | None, str | None]]:
    return [(p.row, p.column, p.value) for p in problems if p.kind is kind]


def test_clean_file_has_no_problems_and_typed_columns() -> None:
    outcome = clean_table(raw(sku=["a", "b"], price=["1.5", "2"], quantity=["3", None]), Products)
    assert outcome.problems == []
    assert outcome.frame.schema == pl.Schema(
        {"sku": pl.String, "price": pl.Float64, "quantity": pl.Int64}
    )
    assert outcome.frame.to_dicts() == [
        {"sku": "a", "price": 1.5, "quantity": 3},
        {"sku": "b", "price": 2.0, "quantity": None},
    ]
    assert outcome.row_numbers.to_list() == [2, 3]


def test_every_bad_cell_is_found_not_just_the_first() -> None:
    frame = raw(
        sku=["a", "b", "c", "d"],
        price=["1", "x", "2", "y"],
        quantity=["1", "2", "many", "4"],
    )
    outcome = clean_table(frame, Products)
    assert by_kind(outcome.problems, ProblemKind.INVALID_VALUE) == [
        (3, "price", "x"),
        (5, "price", "y"),
        (4, "quantity", "many"),
    ]
    assert outcome.invalid_rows == (3, 4, 5)
    assert outcome.frame["sku"].to_list() == ["a"]
    assert str(outcome.problems[0]) == "Row 3, column 'price', value 'x': Not a number."


def test_missing_required_values_are_errors_per_row() -> None:
    outcome = clean_table(
        raw(sku=["a", None, "c"], price=["1", "2", None], quantity=["1", "1", "1"]), Products
    )
    assert by_kind(outcome.problems, ProblemKind.MISSING_VALUE) == [
        (3, "sku", None),
        (4, "price", None),
    ]
    assert all(p.severity is Severity.ERROR for p in outcome.problems)
    assert outcome.invalid_rows == (3, 4)
    assert outcome.frame["sku"].to_list() == ["a"]


def test_duplicates_are_warnings_naming_the_kept_row() -> None:
    outcome = clean_table(
        raw(sku=["a", "b", "a"], price=["1", "2", "3"], quantity=["1", "1", "1"]), Products
    )
    (duplicate,) = outcome.problems
    assert (duplicate.kind, duplicate.severity, duplicate.row, duplicate.value) == (
        ProblemKind.DUPLICATE_ROW,
        Severity.WARNING,
        4,
        "a",
    )
    assert "row 2" in duplicate.message
    assert outcome.invalid_rows == ()
    assert outcome.frame["price"].to_list() == [1.0, 2.0]


def test_duplicates_can_be_errors() -> None:
    class Strict(Products):
        DUPLICATES = "error"

    outcome = clean_table(raw(sku=["a", "a"], price=["1", "2"], quantity=["1", "1"]), Strict)
    assert outcome.invalid_rows == (3,)
    assert outcome.problems[0].severity is Severity.ERROR


def test_missing_and_unexpected_columns() -> None:
    outcome = clean_table(raw(sku=["a"], notes=["n"]), Products)
    kinds = [(p.kind, p.severity, p.column) for p in outcome.problems]
    assert kinds == [
        (ProblemKind.MISSING_COLUMN, Severity.ERROR, "price"),
        (ProblemKind.MISSING_COLUMN, Severity.ERROR, "quantity"),
        (ProblemKind.UNEXPECTED_COLUMN, Severity.WARNING, "notes"),
    ]
    assert outcome.has_file_errors
    assert outcome.frame.is_empty()
    assert "The file has: sku, notes" in outcome.problems[0].message


def test_headers_match_loosely_and_extra_columns_are_ignored() -> None:
    outcome = clean_table(raw(SKU=["a"], Price=["1"], QUANTITY=["2"], notes=["x"]), Products)
    assert [p.kind for p in outcome.problems] == [ProblemKind.UNEXPECTED_COLUMN]
    assert outcome.frame.columns == ["sku", "price", "quantity"]


def test_rename_map_names_the_files_columns_in_problems() -> None:
    class Renamed(Products):
        @classmethod
        def get_rename_map(cls) -> dict[str, str]:
            return {"price": "Unit price"}

    frame = pl.DataFrame({"sku": ["a"], "Unit price": ["x"], "quantity": ["1"]})
    outcome = clean_table(frame, Renamed)
    assert by_kind(outcome.problems, ProblemKind.INVALID_VALUE) == [(2, "Unit price", "x")]


def test_null_subset_drops_are_reported() -> None:
    class DropNoQuantity(Products):
        @classmethod
        def get_drop_null_subsets(cls) -> tuple[tuple[str, ...], ...]:
            return (("quantity",),)

    outcome = clean_table(
        raw(sku=["a", "b"], price=["1", "2"], quantity=[None, "3"]), DropNoQuantity
    )
    assert by_kind(outcome.problems, ProblemKind.NULL_ROW_DROPPED) == [(2, None, None)]
    assert outcome.problems[0].severity is Severity.WARNING
    assert outcome.frame["sku"].to_list() == ["b"]


def test_fully_empty_rows_are_dropped_with_a_warning() -> None:
    outcome = clean_table(raw(sku=["a", None], price=["1", None], quantity=["1", None]), Products)
    assert by_kind(outcome.problems, ProblemKind.NULL_ROW_DROPPED) == [(3, None, None)]
    assert outcome.invalid_rows == ()


def test_given_row_numbers_are_used() -> None:
    rows = pl.Series([10, 20], dtype=pl.Int64)
    outcome = clean_table(
        raw(sku=["a", "b"], price=["1", "x"], quantity=["1", "1"]), Products, rows
    )
    assert outcome.invalid_rows == (20,)
    assert outcome.row_numbers.to_list() == [10]


def test_a_failing_hook_is_a_cleaning_error_naming_the_class_and_the_exception() -> None:
    class Broken(Products):
        @classmethod
        def get_col_converter_map(cls) -> dict[str, Callable[[pl.Series], pl.Series]]:
            def explode(_: pl.Series) -> pl.Series:
                msg = "boom"
                raise RuntimeError(msg)

            return {"sku": explode}

    with pytest.raises(CleaningError) as info:
        clean_table(raw(sku=["a"], price=["1"], quantity=["1"]), Broken)
    assert str(info.value) == "The cleaning rules of Broken failed: RuntimeError: boom"
    assert isinstance(info.value.__cause__, RuntimeError)


def test_cleaning_df_instance_has_the_clean_frame_without_tracking() -> None:
    outcome = clean_table(raw(sku=["a"], price=["1"], quantity=["1"]), Products)
    assert outcome.cleaning_df is not None
    assert outcome.cleaning_df.df.columns == ["sku", "price", "quantity"]


def test_plain_winiutils_classes_work_too() -> None:
    from winiutils.core.data.dataframe.cleaning import CleaningDF as Plain

    class Full(Plain):
        @classmethod
        def get_rename_map(cls) -> Any:
            return {"a": "a"}

        @classmethod
        def get_col_dtype_map(cls) -> Any:
            return {"a": pl.Int64}

        @classmethod
        def get_drop_null_subsets(cls) -> Any:
            return ()

        @classmethod
        def get_fill_null_map(cls) -> Any:
            return {"a": 0}

        @classmethod
        def get_sort_cols(cls) -> Any:
            return (("a", False),)

        @classmethod
        def get_unique_subsets(cls) -> Any:
            return ()

        @classmethod
        def get_no_null_cols(cls) -> Any:
            return ("a",)

        @classmethod
        def get_col_converter_map(cls) -> Any:
            return {"a": cls.skip_col_converter}

        @classmethod
        def get_add_on_duplicate_cols(cls) -> Any:
            return ()

        @classmethod
        def get_col_precision_map(cls) -> Any:
            return {}

    outcome = clean_table(raw(a=["3", "x", "1"]), Full)
    assert outcome.frame["a"].to_list() == [1, 3]
    assert by_kind(outcome.problems, ProblemKind.INVALID_VALUE) == [(3, "a", "x")]


def test_the_formula_guard_of_winiadmins_csv_files_is_removed() -> None:
    # What winiadmin's rejected-rows CSV writes for the text "=SUM" and "-x"; "'-5" is not its
    # doing (it leaves signed numbers alone), so it is kept as typed.
    outcome = clean_table(
        raw(sku=["'=SUM", "'-x", "'-5", "'plain"], price=["1", "-2", "3", "4"], quantity=["1"] * 4),
        Products,
    )
    assert outcome.frame.get_column("sku").to_list() == ["=SUM", "-x", "'-5", "'plain"]
    assert outcome.frame.get_column("price").to_list() == [1.0, -2.0, 3.0, 4.0]


def test_a_reason_column_is_ignored_without_a_warning() -> None:
    frame = raw(reason=["row 2: …"], sku=["a"], price=["1"], quantity=["2"], extra=["x"])
    outcome = clean_table(frame, Products)
    assert by_kind(outcome.problems, ProblemKind.UNEXPECTED_COLUMN) == [(None, "extra", None)]
    assert outcome.frame.columns == ["sku", "price", "quantity"]
