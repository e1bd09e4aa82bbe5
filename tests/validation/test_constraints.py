"""Check conditions translated into polars: what is evaluated, and what is left to the database."""

import polars as pl
import pytest
from django.db.models import F, Q
from django.db.models.functions import Lower

from winiadmin.validation.constraints import condition_expr

FRAME = pl.DataFrame({"a": [1, 5, None, 3], "b": [2, 4, 1, None], "s": ["Ab", "x", "ab", None]})
COLUMNS = {"a": "a", "b": "b", "s": "s"}


def passes(condition: Q) -> list[bool]:
    expr = condition_expr(condition, COLUMNS)
    assert expr is not None
    return FRAME.select(expr.fill_null(value=True)).to_series().to_list()


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (Q(a__lte=F("b")), [True, False, True, True]),  # unknown (NULL) passes, as in SQL
        (Q(a__gt=1) | Q(b=2), [True, True, True, True]),
        (~Q(a__in=[1, 3]), [False, True, True, False]),
        (Q(a__range=(2, 4)), [False, False, True, True]),
        (Q(b__isnull=False), [True, True, True, False]),
        (Q(s__istartswith="a"), [True, False, True, True]),
        (Q(s__contains="b") & Q(a__gte=0), [True, False, True, True]),
        (Q(s__iexact="AB"), [True, False, True, True]),
        (Q(a=None), [False, False, True, False]),
    ],
)
def test_lookups(condition: Q, expected: list[bool]) -> None:
    assert passes(condition) == expected


@pytest.mark.parametrize(
    "condition",
    [
        Q(s=Lower("s")),  # an expression
        Q(a__gt=F("missing")),  # a field the frame does not carry
        Q(s__regex="^a"),  # a lookup winiadmin does not translate
        Q(other__name="x"),  # across a relation
    ],
)
def test_what_is_left_to_the_database(condition: Q) -> None:
    assert condition_expr(condition, COLUMNS) is None
