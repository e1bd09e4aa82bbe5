"""Plain-row values: the shortcuts give exactly what ``get_db_prep_save`` gives, on each backend."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models.functions import Now
from shop.models import Category, Product, Store

from winiadmin.db.prepared_values import (
    ExpressionValueError,
    column_preparers,
    prepared_rows,
)

pytestmark = pytest.mark.django_db


class Label(str):
    """A str subclass: not the exact type a shortcut covers."""


class UpperCharField(models.CharField[str, str]):
    """A project's field: its own get_prep_value must run."""

    def get_prep_value(self, value: Any) -> Any:
        return str(value).upper()


def full(field: models.Field[Any, Any], value: object) -> object:
    return field.get_db_prep_save(value, connection=connection)


def prepared(field: models.Field[Any, Any], obj: models.Model) -> object:
    return prepared_rows([obj], column_preparers([field], connection))[0][0]


VALUES: dict[str, list[object]] = {
    "sku": ["S-1", "", None, Label("x"), 12],
    "name": ["Golden Puzzle", "ä ☃", ""],
    "price": [Decimal("1.50"), Decimal("1.505"), Decimal("-0"), None, 3, 2.25, "4.10"],
    "quantity": [0, 7, -3, 2**40, True, "12"],
    "category_id": [None, 1, 2**40, "3"],
    "available_from": [
        date(2024, 2, 29),
        None,
        datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
        "2024-05-06",
    ],
    "created_at": [
        datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(2024, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=-5))),
        None,
    ],
}


@pytest.mark.parametrize(
    ("attname", "value"), [(name, v) for name, values in VALUES.items() for v in values]
)
def test_each_value_is_what_get_db_prep_save_gives(attname: str, value: object) -> None:
    field = next(f for f in Product._meta.concrete_fields if f.attname == attname)
    obj = Product(name="p", price=Decimal(1))
    obj.__dict__[attname] = value
    expected = full(field, value)
    got = prepared(field, obj)
    assert got == expected
    assert type(got) is type(expected)


def test_whole_rows_of_every_field_match() -> None:
    category, store = Category.objects.create(name="c"), Store.objects.create(name="s")
    fields = Product._meta.concrete_fields
    objs = [
        Product(sku=f"S{n}", name="n", price=Decimal("9.99"), category=category, store=store)
        for n in range(3)
    ] + [Product(name="bare", price=Decimal("0.01"), available_from=date(2020, 1, 1))]
    expected = [tuple(full(f, f.pre_save(obj, True)) for f in fields) for obj in objs]
    assert prepared_rows(objs, column_preparers(fields, connection)) == expected


def test_a_value_django_refuses_is_refused_the_same_way() -> None:
    field = Product._meta.get_field("price")
    with pytest.raises(ValidationError):
        prepared(field, Product(name="p", price=Decimal("NaN")))


def test_an_expression_is_left_to_bulk_create() -> None:
    field = Product._meta.get_field("created_at")
    with pytest.raises(ExpressionValueError):
        prepared(field, Product(name="p", price=Decimal(1), created_at=Now()))


def test_a_project_field_class_gets_no_shortcut() -> None:
    field = UpperCharField(max_length=10)
    field.set_attributes_from_name("name")
    (preparer,) = column_preparers([field], connection)
    assert not preparer.unchanged
    assert not preparer.adapters
    assert prepared(field, Product(name="golden", price=Decimal(1))) == "GOLDEN"


def test_auto_now_fields_are_set_by_pre_save() -> None:
    field = models.DateTimeField(auto_now_add=True)
    field.set_attributes_from_name("created_at")
    obj = Product(name="p", price=Decimal(1))
    obj.__dict__["created_at"] = None
    before = datetime.now(tz=UTC)
    assert prepared(field, obj) is not None
    assert obj.created_at >= before  # pre_save ran and set the attribute


def test_a_deferred_field_is_loaded_like_pre_save_loads_it() -> None:
    Product.objects.create(sku="D1", name="deferred", price=Decimal("2.50"))
    obj = Product.objects.defer("name").get(sku="D1")
    field = Product._meta.get_field("name")
    assert prepared(field, obj) == "deferred"


def test_every_field_of_the_demo_product_has_a_shortcut() -> None:
    """Plain-row inserts are fast because of these: a Django change that loses one shows here."""
    preparers = column_preparers(Product._meta.concrete_fields, connection)
    assert all(p.reads_attribute and (p.unchanged or p.adapters) for p in preparers)
