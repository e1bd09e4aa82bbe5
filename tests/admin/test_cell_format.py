"""The preview's values and types as the user reads them (winiadmin.admin.cell_format)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client, override_settings
from django.utils import translation
from shop.models import Category, Product, Store

from tests.admin.helpers import html, job_url, uploaded_job
from winiadmin.admin.cell_format import (
    ColumnFormat,
    column_formats,
    dtype_in_words,
    format_count,
    format_percent,
    format_share,
    format_text,
    format_value,
    model_field,
)
from winiadmin.import_report import StoredColumn


@pytest.mark.parametrize(
    ("dtype", "words"),
    [
        ("String", "text"),
        ("Float64", "number"),
        ("Int64", "whole number"),
        ("UInt32", "whole number"),
        ("Boolean", "yes/no"),
        ("Date", "date"),
        ("Datetime(time_unit='us', time_zone=None)", "date and time"),
        ("Time", "time"),
        ("Duration(time_unit='us')", "duration"),
        ("Decimal(precision=12, scale=2)", "decimal number"),
    ],
)
def test_dtypes_in_words(dtype: str, words: str) -> None:
    assert dtype_in_words(dtype) == words


def test_a_decimal_field_behind_a_float_column_is_a_decimal_number() -> None:
    price = Product._meta.get_field("price")
    assert dtype_in_words("Float64", price) == "decimal number"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (60.0, 2, "60.00"),  # as a DecimalField(decimal_places=2) stores it
        (8.1, 2, "8.10"),
        (60.005, 2, "60.005"),  # more decimals than the field: all shown, never rounded
        (89.1, None, "89.1"),  # no field known: as many decimals as the value has
        (1234567.5, 2, "1,234,567.50"),
        (Decimal("3.10"), None, "3.10"),
        (150000, None, "150000"),  # whole numbers: grouped as the admin groups them
        (True, None, "yes"),
        (False, None, "no"),
        (dt.date(2026, 6, 19), None, "June 19, 2026"),
        (dt.datetime(2026, 6, 19, 13, 5), None, "June 19, 2026, 1:05 p.m."),
        (dt.time(13, 5), None, "1:05 p.m."),
        (dt.timedelta(hours=1, seconds=100), None, "01:01:40"),
        ("Golden Puzzle", None, "Golden Puzzle"),
        (None, 2, None),  # empty: the template shows an empty cell, never "null"
    ],
)
def test_format_value(value: object, places: int | None, shown: str | None) -> None:
    with translation.override("en"):
        assert format_value(value, places) == shown


def test_not_finite_numbers_are_named() -> None:
    assert format_value(float("nan"), 2) == "nan"
    assert format_value(float("inf")) == "inf"


def test_thousands_of_whole_numbers_grouped_when_the_project_asks() -> None:
    with override_settings(USE_THOUSAND_SEPARATOR=True), translation.override("en"):
        assert format_value(150000) == "150,000"


def test_another_locale_formats_its_own_way() -> None:
    with translation.override("de"):
        assert format_value(1234567.5, 2) == "1.234.567,50"
        assert format_value(dt.date(2026, 6, 19)) == "19. Juni 2026"
        assert format_count(150000) == "150.000"


def test_counts_always_grouped() -> None:
    with translation.override("en"):
        assert format_count(150000) == "150,000"
        assert format_count(1) == "1"
        assert format_count(999) == "999"


def test_model_field_skips_relations_and_prefers_the_first_model() -> None:
    assert model_field("price", [Product]) is Product._meta.get_field("price")
    assert model_field("category", [Product, Category]) is None  # a foreign key by name
    assert model_field("name", [Store, Product]) is Store._meta.get_field("name")
    assert model_field("nothing", [Product]) is None


def test_column_formats_take_decimal_places_from_the_field() -> None:
    columns = [
        StoredColumn("price", "Float64"),
        StoredColumn("quantity", "Int64"),
        StoredColumn("weight", "Float64"),
    ]
    shown = column_formats(columns, [Product])
    assert [(c.name, c.words, c.decimal_places) for c in shown] == [
        ("price", "decimal number", 2),
        ("quantity", "whole number", None),
        ("weight", "number", None),
    ]


@pytest.mark.parametrize(
    ("text", "dtype", "places", "shown"),
    [
        ("60.0", "Float64", 2, "60.00"),
        ("1234567.5", "Float64", None, "1,234,567.5"),
        ("150000", "Int64", None, "150000"),
        ("2026-06-19", "Date", None, "June 19, 2026"),
        ("2026-06-19 13:05:00", "Datetime(time_unit='us', time_zone=None)", None,
         "June 19, 2026, 1:05 p.m."),
        ("Books", "String", None, "Books"),
        ("not a number", "Float64", 2, "not a number"),  # kept as it is
        (None, "Float64", 2, None),
    ],
)  # fmt: skip
def test_format_text_reads_the_profile_back_by_type(
    text: str | None, dtype: str, places: int | None, shown: str | None
) -> None:
    column = ColumnFormat("c", dtype, dtype_in_words(dtype), places)
    with translation.override("en"):
        assert format_text(text, column) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(150000, "150,000"), (1, "1"), (None, ""), ("n/a", "n/a"), (True, "True")],
)
def test_count_filter(value: object, shown: str) -> None:
    template = Template("{% load winiadmin_format %}{{ value|winiadmin_count }}")
    with translation.override("en"):
        assert template.render(Context({"value": value})) == shown


def test_dtype_filter() -> None:
    template = Template("{% load winiadmin_format %}{{ value|winiadmin_dtype }}")
    assert template.render(Context({"value": "Int64"})) == "whole number"


@pytest.mark.parametrize(
    ("language", "share", "shown"),
    [
        ("en", 0.0, "0%"),
        ("en", 0.125, "12.5%"),
        ("de", 0.0, "0\u00a0%"),
        ("de", 0.125, "12,5\u00a0%"),
        ("fr", 1.0, "100\u00a0%"),
        ("it", 0.125, "12,5%"),
    ],
)
def test_percentages_in_the_locale_s_words(language: str, share: float, shown: str) -> None:
    template = Template("{% load winiadmin_format %}{{ share|winiadmin_share }}")
    with translation.override(language):
        assert format_share(share) == shown
        assert template.render(Context({"share": share})) == shown
        assert format_percent(int(share * 100)) == shown.replace(".5", "").replace(",5", "")


@pytest.mark.django_db
def test_the_profile_writes_empty_shares_as_the_locale_does(su_client: Client) -> None:
    su_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    content = b"sku,name,price,quantity,category,store,available_from\n"
    content += b"S-1,Thing,1.50,2,Books,Online,\nS-2,Other,2.50,3,Books,Online,2026-01-02\n"
    job = uploaded_job(su_client, content=content, name="c.csv")
    page = html(su_client.get(job_url(job)))
    assert "winiadmin-profile" in page
    assert "> 50\u00a0%</td>" in page  # available_from: one of two rows empty
    assert "> 0\u00a0%</td>" in page
    assert "0%<" not in page
