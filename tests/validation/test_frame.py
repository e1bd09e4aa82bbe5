"""Each rule ``full_clean()`` applies, over a frame: good values pass, bad ones are named."""

from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from django.db import connection

from tests.testapp.models import Ruled
from winiadmin.db.model_frame import ROW_NUMBER_COLUMN
from winiadmin.problems import ProblemKind
from winiadmin.validation.frame import FrameChecker


def check(**columns: list[Any]) -> list[tuple[int | None, str | None, str | None, str]]:
    """(row, column, value, message) of every problem; rows numbered from 2 like a file."""
    height = len(next(iter(columns.values())))
    frame = pl.DataFrame({**columns, ROW_NUMBER_COLUMN: list(range(2, height + 2))}, strict=False)
    found = FrameChecker(Ruled).check(frame)
    assert found.refused.to_list() == [
        any(p.row == row for p in found.problems) for row in range(2, height + 2)
    ]
    return [(p.row, p.column, p.value, p.message) for p in found.problems]


def test_null_and_blank() -> None:
    assert check(code=["ok", None, ""]) == [
        (3, "code", None, "This field cannot be null."),
        (4, "code", "", "This field cannot be blank."),
    ]
    assert check(label=["", None]) == []  # blank=True: full_clean skips empty values


def test_max_length() -> None:
    assert check(label=["abcde", "abcdef"]) == [
        (3, "label", "abcdef", "Ensure this value has at most 5 characters (it has 6).")
    ]


def test_choices_flattened_from_groups() -> None:
    assert check(size=["S", "M", "L", "X", ""]) == [
        (5, "size", "X", "Value 'X' is not a valid choice.")
    ]


def test_min_and_max_value_validators() -> None:
    assert check(score=[0, 100, -1, 101]) == [
        (4, "score", "-1", "Ensure this value is greater than or equal to 0."),
        (5, "score", "101", "Ensure this value is less than or equal to 100."),
    ]


def test_the_backends_integer_range() -> None:
    low, high = connection.ops.integer_field_range("SmallIntegerField")
    assert low is not None and high is not None
    # PostgreSQL's smallint, SQLite's one 64-bit range for every integer field.
    assert check(level=[low, high, high + 1]) == [
        (4, "level", str(high + 1), f"Ensure this value is less than or equal to {high}.")
    ]


def test_decimal_digits_of_floats_and_decimals() -> None:
    assert check(amount=[12.34, 999.99, 12.345, 1000.0]) == [
        (4, "amount", "12.345", "Ensure that there are no more than 2 decimal places."),
        (
            5,
            "amount",
            "1000.0",
            "Ensure that there are no more than 3 digits before the decimal point.",
        ),
    ]
    decimals = pl.Series([Decimal("1.50"), Decimal("1.505")], dtype=pl.Decimal(10, 3))
    assert check(amount=decimals.to_list()) == [
        (3, "amount", "1.505", "Ensure that there are no more than 2 decimal places.")
    ]


@pytest.mark.parametrize(
    ("column", "good", "bad", "message"),
    [
        ("code", "a-slug_1", "not a slug", "Enter a valid “slug”"),
        ("email", "ann@example.com", "ann@", "Enter a valid email address."),
        ("site", "https://example.com/x", "example com", "Enter a valid URL."),
        ("ip", "192.168.0.1", "300.1.1.1", "Enter a valid IPv4 or IPv6 address."),
        ("token", "12345678-1234-5678-1234-567812345678", "not-a-uuid", "is not a valid UUID."),
    ],
)
def test_validators_of_email_url_slug_ip_uuid(
    column: str, good: str, bad: str, message: str
) -> None:
    problems = check(**{column: [good, bad]})
    assert [(row, col, value) for row, col, value, _m in problems] == [(3, column, bad)]
    assert message in problems[0][3]


def test_a_projects_own_validator_runs_once_per_distinct_value() -> None:
    calls: list[int] = []
    field = Ruled._meta.get_field("even")
    original = field.validators[0]

    def counting(value: int) -> None:
        calls.append(value)
        original(value)

    field._validators = [counting]  # type: ignore[attr-defined]
    field.__dict__.pop("validators", None)
    try:
        problems = check(even=[2, 3, 3, 4, 3])
    finally:
        field._validators = [original]  # type: ignore[attr-defined]
        field.__dict__.pop("validators", None)
    assert [(r, v, m) for r, _c, v, m in problems] == [
        (3, "3", "3 is odd."),
        (4, "3", "3 is odd."),
        (6, "3", "3 is odd."),
    ]
    assert sorted(calls) == [2, 3, 4]


def test_missing_and_invalid_values_are_told_apart() -> None:
    frame = pl.DataFrame({"code": [None, "a b"], ROW_NUMBER_COLUMN: [2, 3]})
    kinds = [p.kind for p in FrameChecker(Ruled).check(frame).problems]
    assert kinds == [ProblemKind.MISSING_VALUE, ProblemKind.INVALID_VALUE]


def test_check_constraints_in_bulk() -> None:
    assert check(low=[1, 5, 2], high=[2, 4, 2]) == [
        (3, "low, high", "5, 4", "Constraint “ruled_low_lte_high” is violated.")
    ]


def test_file_headers_name_the_columns() -> None:
    frame = pl.DataFrame({"label": ["abcdefg"], ROW_NUMBER_COLUMN: [7]})
    checked = FrameChecker(Ruled, labels={"label": "Label (short)"}).check(frame)
    assert [(p.row, p.column) for p in checked.problems] == [(7, "Label (short)")]
