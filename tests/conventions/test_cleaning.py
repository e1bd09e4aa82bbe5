"""Numbers and dates in the file's conventions, in the clean stage (no database): a declared
convention is applied to every cell, a cell not in it is an error naming the value as typed,
and an undeclared convention is only proposed — ambiguous ones as several readings."""

import datetime as dt

import polars as pl
import pytest

from winiadmin.cleaning import CleaningDF, clean_table
from winiadmin.cleaning.conventions import FileConventions


class Cleaning(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"price": pl.Float64, "qty": pl.Int64, "day": pl.Date, "at": pl.Datetime}


def frame(**columns: list[str]) -> pl.DataFrame:
    height = len(next(iter(columns.values())))
    base = {name: [""] * height for name in ("price", "qty", "day", "at")}
    return pl.DataFrame(base | columns)


GERMAN = FileConventions(
    decimal_separator=",",
    thousands_separator=".",
    date_formats=("%d.%m.%Y",),
    datetime_formats=("%d.%m.%Y %H:%M",),
)


def test_a_declared_convention_reads_every_cell() -> None:
    outcome = clean_table(
        frame(
            price=["12,50", "1.234,50", "-0,5", "1.000.000"],
            qty=["1.000", "2", "", "12.345"],
            day=["31.12.2026", "1.2.2026", "2026-03-04", ""],
            at=["31.12.2026 10:30", "", "", ""],
        ),
        Cleaning,
        conventions=GERMAN,
    )
    assert outcome.problems == []
    assert outcome.frame.get_column("price").to_list() == [12.5, 1234.5, -0.5, 1_000_000.0]
    assert outcome.frame.get_column("qty").to_list() == [1000, 2, None, 12345]
    assert outcome.frame.get_column("day").to_list() == [
        dt.date(2026, 12, 31),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 4),  # ISO is never ambiguous: still read
        None,
    ]
    assert outcome.frame.get_column("at").to_list()[0] == dt.datetime(2026, 12, 31, 10, 30)
    assert outcome.proposals == []


def test_a_cell_not_in_the_declared_convention_is_an_error_naming_it() -> None:
    outcome = clean_table(
        frame(price=["12.50", "1.23,4", "1,234.5", "12,50"]), Cleaning, conventions=GERMAN
    )
    refused = {(p.row, p.value) for p in outcome.problems}
    # 12.50 is not twelve and a half in a file that writes 12,50: never read in another way.
    assert refused == {(2, "12.50"), (3, "1.23,4"), (4, "1,234.5")}
    assert "decimal separator ','" in outcome.problems[0].message
    assert outcome.frame.get_column("price").to_list() == [12.5]


def test_currency_and_percent_are_stripped_only_when_declared() -> None:
    cells = frame(price=["€ 12,50", "3,00 €", "12,5%"])
    plain = clean_table(cells, Cleaning, conventions=FileConventions(decimal_separator=","))
    assert len(plain.problems) == 3
    declared = FileConventions(decimal_separator=",", currency_symbols=("€",), percent="number")
    outcome = clean_table(cells, Cleaning, conventions=declared)
    assert outcome.frame.get_column("price").to_list() == [12.5, 3.0, 12.5]
    fraction = FileConventions(decimal_separator=",", percent="fraction")
    outcome = clean_table(frame(price=["12,5%", "2"]), Cleaning, conventions=fraction)
    assert outcome.frame.get_column("price").to_list() == [0.125, 2.0]


def test_a_percentage_as_a_fraction_is_refused_in_an_integer_column() -> None:
    fraction = FileConventions(percent="fraction")
    outcome = clean_table(frame(qty=["12%", "3"]), Cleaning, conventions=fraction)
    assert [(p.row, p.value) for p in outcome.problems] == [(2, "12%")]


def test_a_column_may_have_its_own_convention() -> None:
    conventions = FileConventions(
        decimal_separator=",",
        columns={"qty": FileConventions(decimal_separator=".", thousands_separator=",")},
    )
    outcome = clean_table(frame(price=["12,5"], qty=["1,234"]), Cleaning, conventions=conventions)
    assert outcome.problems == []
    assert outcome.frame.row(0)[:2] == (12.5, 1234)


def test_two_digit_years_are_refused_unless_declared() -> None:
    cells = frame(day=["31.12.26"])
    outcome = clean_table(cells, Cleaning, conventions=FileConventions(date_formats=("%d.%m.%Y",)))
    assert [p.value for p in outcome.problems] == ["31.12.26"]
    assert clean_table(cells, Cleaning).proposals == []  # never proposed either
    declared = FileConventions(date_formats=("%d.%m.%y",))
    outcome = clean_table(cells, Cleaning, conventions=declared)
    assert outcome.frame.get_column("day").to_list() == [dt.date(2026, 12, 31)]


def test_default_convention_refuses_and_proposes_decimal_commas() -> None:
    outcome = clean_table(frame(price=["12,50", "3", "1.234,50"]), Cleaning)
    assert [p.value for p in outcome.problems] == ["12,50", "1.234,50"]  # the problems stay
    (proposal,) = outcome.proposals
    assert not proposal.ambiguous
    assert proposal.column == "price"
    (reading,) = proposal.readings
    assert reading.conventions == FileConventions(decimal_separator=",", thousands_separator=".")
    assert reading.examples == (("12,50", "12.5"), ("1.234,50", "1234.5"))
    assert "read 12,50 as 12.5?" in proposal.message


def test_an_ambiguous_value_is_offered_both_ways_and_applied_neither() -> None:
    outcome = clean_table(frame(price=["1,234", "2,500"]), Cleaning)
    assert len(outcome.problems) == 2
    assert outcome.frame.height == 0
    (proposal,) = outcome.proposals
    assert proposal.ambiguous
    readings = {r.conventions.decimal_separator: r.examples[0][1] for r in proposal.readings}
    assert readings == {",": "1.234", ".": "1234.0"}


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["31/12/2026", "01/02/2026"], ["%d/%m/%Y"]),  # 31 in the first place decides
        (["12/31/2026", "01/02/2026"], ["%m/%d/%Y"]),
        (["01/02/2026", "03/04/2026"], ["%d/%m/%Y", "%m/%d/%Y"]),  # the user decides
        (["31.12.2026"], ["%d.%m.%Y"]),
        (["05/05/2026"], ["%d/%m/%Y"]),  # both read it the same way: offered once
    ],
)
def test_day_first_or_month_first_is_detected_from_the_column(
    cells: list[str], expected: list[str]
) -> None:
    (proposal,) = clean_table(frame(day=cells), Cleaning).proposals
    assert [
        r.conventions.date_formats[0] for r in proposal.readings if r.conventions.date_formats
    ] == expected


def test_a_declared_convention_is_not_proposed_again() -> None:
    outcome = clean_table(
        frame(price=["12.50"]), Cleaning, conventions=FileConventions(decimal_separator=",")
    )
    assert outcome.proposals == []


def test_conventions_round_trip_through_json_and_merge() -> None:
    importer = FileConventions(decimal_separator=",", date_formats=("%d.%m.%Y",))
    run = FileConventions(
        thousands_separator=".", columns={"qty": FileConventions(percent="number")}
    )
    merged = run.over(importer)
    assert merged.decimal_separator == ","
    assert merged.thousands_separator == "."
    assert merged.for_column("qty").percent == "number"
    assert FileConventions.from_json(merged.to_json()) == merged
    with pytest.raises(ValueError, match="decimal separator"):
        FileConventions(decimal_separator=";")
    with pytest.raises(ValueError, match="cannot be the decimal"):
        FileConventions(decimal_separator=",", thousands_separator=",")


def test_a_thousand_with_a_thousands_dot_in_a_whole_number_column_is_proposed() -> None:
    # 1.000 reads as 1 (a whole number with decimals, as spreadsheets export 1.0) or as 1000
    # (a thousands dot): no error, but the other reading is offered, never applied.
    outcome = clean_table(frame(qty=["1.000", "12.000", "7"]), Cleaning)
    assert outcome.problems == []
    assert outcome.frame.get_column("qty").to_list() == [1, 12, 7]
    (proposal,) = outcome.proposals
    (reading,) = proposal.readings
    assert reading.conventions.thousands_separator == "."
    assert reading.examples == (("1.000", "1000"), ("12.000", "12000"))
    assert clean_table(frame(qty=["1.0", "7"]), Cleaning).proposals == []


def test_spaces_around_a_number_and_blank_cells_in_a_declared_convention() -> None:
    # The convention's rewrite leaves the stripping to the parser (one pass fewer): a cell
    # with spaces around it is still read, a blank one is still empty, and a space inside
    # a number is still refused.
    outcome = clean_table(
        frame(price=["  1.234,50 ", "   ", "\t12,5", "1 234,5"], qty=[" 1.000", "", " ", "7 "]),
        Cleaning,
        conventions=GERMAN,
    )
    errors = {(p.row, p.value) for p in outcome.problems if p.is_error}
    assert errors == {(5, "1 234,5")}
    # Row 3 is blank in every column: dropped with a warning, as in any convention.
    assert [p.row for p in outcome.problems if not p.is_error] == [3]
    assert outcome.frame.get_column("price").to_list() == [1234.5, 12.5]
    assert outcome.frame.get_column("qty").to_list() == [1000, None]
