import datetime as dt

import polars as pl
import pytest

from winiadmin.cleaning.coerce import CoercedColumn, ParseFormats, coerce_column

FORMATS = ParseFormats()


def coerce(values: list[str | None], dtype: pl.DataType | type[pl.DataType]) -> CoercedColumn:
    return coerce_column(pl.Series("c", values, dtype=pl.String), dtype, FORMATS)


def test_integers_accept_spaces_signs_and_whole_floats() -> None:
    column = coerce([" 12 ", "-3", "+4", "7.00", None, "  "], pl.Int64)
    assert column.values.to_list() == [12, -3, 4, 7, None, None]
    assert not column.failed.any()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "Not a whole number"),
        ("1.5", "Not a whole number"),
        ("99999999999999999999999", "Out of range for Int64"),
    ],
)
def test_integer_failures_say_why(text: str, reason: str) -> None:
    column = coerce(["1", text], pl.Int64)
    assert column.failed.to_list() == [False, True]
    assert column.reasons.to_list() == [None, reason]


def test_out_of_range_for_small_integers() -> None:
    column = coerce(["300"], pl.Int8)
    assert column.reasons.to_list() == ["Out of range for Int8"]


def test_floats_refuse_nan_and_infinity() -> None:
    column = coerce(["1.5", "1e3", "nan", "inf", "-inf", "x"], pl.Float64)
    assert column.values.to_list()[:2] == [1.5, 1000.0]
    assert column.failed.to_list() == [False, False, True, True, True, True]


def test_booleans() -> None:
    column = coerce(["Yes", "no", "TRUE", "0", "maybe"], pl.Boolean)
    assert column.values.to_list() == [True, False, True, False, None]
    assert column.failed.to_list() == [False, False, False, False, True]


def test_dates_iso_and_spreadsheet_midnight() -> None:
    column = coerce(["2024-01-31", "2024-01-31 00:00:00", "2024-02-30", "31/01/2024"], pl.Date)
    assert column.values.to_list()[:2] == [dt.date(2024, 1, 31)] * 2
    assert column.failed.to_list() == [False, False, True, True]


def test_extra_date_formats_are_tried_in_order() -> None:
    formats = ParseFormats(dates=("%Y-%m-%d", "%d/%m/%Y"))
    column = coerce_column(pl.Series("c", ["31/01/2024"]), pl.Date, formats)
    assert column.values.to_list() == [dt.date(2024, 1, 31)]


def test_datetimes() -> None:
    column = coerce(["2024-01-31 10:00:00", "2024-01-31T10:30", "2024-01-31", "noon"], pl.Datetime)
    assert column.values.to_list()[:3] == [
        dt.datetime(2024, 1, 31, 10, 0),
        dt.datetime(2024, 1, 31, 10, 30),
        dt.datetime(2024, 1, 31, 0, 0),
    ]
    assert column.failed.to_list() == [False, False, False, True]


def test_times() -> None:
    column = coerce(["10:15", "10:15:30", "25:00"], pl.Time)
    assert column.values.to_list()[:2] == [dt.time(10, 15), dt.time(10, 15, 30)]
    assert column.failed.to_list() == [False, False, True]


def test_text_is_stripped_and_blank_is_null() -> None:
    column = coerce([" a ", "", "   ", None, "0012"], pl.Utf8)
    assert column.values.to_list() == ["a", None, None, None, "0012"]


def test_typed_input_of_the_right_dtype_is_kept() -> None:
    raw = pl.Series("c", [1, 2, None], dtype=pl.Int64)
    column = coerce_column(raw, pl.Int64, FORMATS)
    assert column.values.to_list() == [1, 2, None]
    assert not column.failed.any()


def test_typed_input_of_another_dtype_is_cast_with_failures() -> None:
    raw = pl.Series("c", [1.0, 2.5], dtype=pl.Float64)
    column = coerce_column(raw, pl.Int64, FORMATS)
    assert column.values.to_list() == [1, None]
    assert column.failed.to_list() == [False, True]


def test_a_later_date_format_alone_parses_and_a_failure_still_says_why() -> None:
    midnight = coerce(["2024-01-31 00:00:00", None, "2024-02-01 00:00:00"], pl.Date)
    assert midnight.values.to_list() == [dt.date(2024, 1, 31), None, dt.date(2024, 2, 1)]
    assert midnight.failed.to_list() == [False, False, False]
    assert midnight.reasons.to_list() == [None, None, None]
    mixed = coerce(["2024-01-31", "soon"], pl.Date)
    assert mixed.reasons.to_list() == [None, "Not a date (expected YYYY-MM-DD)"]
