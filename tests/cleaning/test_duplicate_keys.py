"""Rows sharing a unique key: an error when they disagree, or the first / last one used."""

import polars as pl
import pytest

from winiadmin.cleaning import CleaningDF, clean_table
from winiadmin.problems import ProblemKind, Severity


class Products(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"sku": pl.Utf8, "name": pl.Utf8, "price": pl.Float64}

    @classmethod
    def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return (("sku",),)


class Stock(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"sku": pl.Utf8, "store": pl.Utf8, "quantity": pl.Int64}

    @classmethod
    def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return (("store", "sku"),)

    @classmethod
    def get_add_on_duplicate_cols(cls) -> tuple[str, ...]:
        return ("quantity",)


def raw(**columns: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


# Rows 2 and 5 disagree about A-1 (name and price); row 6 repeats row 3 exactly.
FILE = raw(
    sku=["A-1", "B-2", "C-3", "A-1", "B-2"],
    name=["Lamp", "Desk", "Chair", "Lamp XL", "Desk"],
    price=["1", "2", "3", "9", "2"],
)


def test_rows_that_disagree_are_errors_naming_every_row() -> None:
    outcome = clean_table(FILE, Products, duplicate_keys="error")
    errors = [p for p in outcome.problems if p.is_error]
    assert [(p.kind, p.row, p.column, p.value) for p in errors] == [
        (ProblemKind.DUPLICATE_KEY, 2, "sku", "A-1"),
        (ProblemKind.DUPLICATE_KEY, 5, "sku", "A-1"),
    ]
    assert errors[0].message == "Rows 2 and 5 have the same sku 'A-1' but different name, price."
    assert outcome.invalid_rows == (2, 5)
    # The exact repeat stays a warning: the row is dropped, the first one kept.
    (warning,) = [p for p in outcome.problems if not p.is_error]
    assert (warning.kind, warning.row) == (ProblemKind.DUPLICATE_ROW, 6)
    assert "Duplicate of row 3 (the same values)" in warning.message
    assert outcome.row_numbers.to_list() == [3, 4]
    assert outcome.frame.get_column("sku").to_list() == ["B-2", "C-3"]


@pytest.mark.parametrize(
    ("policy", "kept", "dropped", "name", "repeat"),
    [("first", 2, 5, "Lamp", (3, 6)), ("last", 5, 2, "Lamp XL", (6, 3))],
)
def test_first_or_last_wins_and_the_warning_names_both_rows(
    policy: str, kept: int, dropped: int, name: str, repeat: tuple[int, int]
) -> None:
    outcome = clean_table(FILE, Products, duplicate_keys=policy)  # type: ignore[arg-type]
    assert outcome.invalid_rows == ()
    by_row = {p.row: p for p in outcome.problems}
    assert set(by_row) == {dropped, repeat[1]}
    warning = by_row[dropped]
    assert (warning.kind, warning.severity) == (ProblemKind.DUPLICATE_ROW, Severity.WARNING)
    assert warning.message == (
        f"Rows 2 and 5 have the same sku 'A-1' but different name, price; row {kept} is used "
        f"({policy} wins), row {dropped} is dropped."
    )
    assert outcome.row_numbers.to_list() == sorted([kept, repeat[0], 4])
    assert outcome.frame.filter(pl.col("sku") == "A-1").get_column("name").to_list() == [name]


def test_a_key_of_two_columns_and_summed_columns_are_not_a_disagreement() -> None:
    frame = raw(sku=["A", "A", "A"], store=["Paris", "Paris", "Lyon"], quantity=["1", "2", "5"])
    outcome = clean_table(frame, Stock, duplicate_keys="error")
    assert outcome.invalid_rows == ()
    (warning,) = outcome.problems
    assert (warning.row, warning.column, warning.value) == (3, "store, sku", "Paris, A")
    assert "(quantity added up into it.)" in warning.message
    assert outcome.frame.get_column("quantity").to_list() == [3, 5]


def test_a_two_column_key_that_disagrees_names_both_columns() -> None:
    class Strict(Stock):
        @classmethod
        def get_add_on_duplicate_cols(cls) -> tuple[str, ...]:
            return ()

    frame = raw(sku=["A", "A"], store=["Paris", "Paris"], quantity=["1", "2"])
    outcome = clean_table(frame, Strict, duplicate_keys="error")
    assert outcome.invalid_rows == (2, 3)
    assert outcome.problems[0].message == (
        "Rows 2 and 3 have the same store 'Paris' and sku 'A' but different quantity."
    )
