"""Lookup declarations: what is checked at setup (system check winiadmin.E008)."""

from collections.abc import Iterator

import pytest
from shop.importers import CatalogueCleaningDF
from shop.models import Order, OrderLine, Product

from winiadmin.checks import check_lookups
from winiadmin.importers import Importer, Lookup, register
from winiadmin.importers.registry import unregister


def test_a_creatable_lookup_needs_defaults_for_required_fields() -> None:
    assert Lookup(Product, "category", by="name", create=True).setup_errors() == []
    assert Lookup(OrderLine, "order", by="order_id").setup_errors() == []  # no create: fine
    (message,) = Lookup(OrderLine, "order", by="order_id", create=True).setup_errors()
    assert message == (
        "Lookup shop.OrderLine.order: create=True but shop.Order has required fields without "
        "defaults: customer, amount; give them in defaults={...}."
    )
    half = Lookup(OrderLine, "order", by="order_id", create=True, defaults={"amount": 0})
    assert "defaults: customer;" in half.setup_errors()[0]
    computed = Lookup(OrderLine, "order", by="order_id", create=True, defaults=lambda v: {})
    assert computed.setup_errors() == []  # a callable's result is only known at run time


def test_wrong_fields_are_named() -> None:
    assert Lookup(Product, "name", by="x").setup_errors() == [
        "Lookup shop.Product.name: shop.Product.name is not a foreign key; it cannot have a lookup."
    ]
    assert Lookup(Product, "category", by="title").setup_errors() == [
        "Lookup shop.Product.category: shop.Category has no field 'title'."
    ]


class BadLookups(Importer):
    name = "tests.bad_lookups"
    models = (Order, OrderLine)
    cleaning_df_cls = CatalogueCleaningDF
    lookups = (
        Lookup(OrderLine, "order", by="order_id", create=True),
        Lookup(Product, "category", by="name", create=True),
    )


@pytest.fixture
def bad() -> Iterator[None]:
    register(BadLookups)
    yield
    unregister(BadLookups)


def test_the_system_check_reports_bad_declarations_of_registered_importers(bad: None) -> None:
    messages = check_lookups(None)
    assert [m.id for m in messages] == ["winiadmin.E008"]
    assert messages[0].msg.startswith("tests.bad_lookups: Lookup shop.OrderLine.order: create=True")


def test_the_demo_declarations_pass() -> None:
    assert check_lookups(None) == []
