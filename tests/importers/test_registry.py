from collections.abc import Iterable, Iterator

import polars as pl
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from shop.importers import (
    CatalogueImporter,
    OrderLinesImporter,
    OrdersImporter,
    ProductsImporter,
)
from shop.models import Customer, Product

from winiadmin.exceptions import ImporterNotFound, WiniadminError
from winiadmin.importers import (
    Importer,
    IntegerOption,
    all_importers,
    get_importer,
    importers_for_model,
    register,
)
from winiadmin.importers.registry import unregister


class Throwaway(Importer):
    options = (IntegerOption(name="limit", required=True),)

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {}


@pytest.fixture
def registered() -> Iterator[type[Throwaway]]:
    register(Throwaway)
    yield Throwaway
    unregister(Throwaway)


def test_demo_importers_are_autodiscovered() -> None:
    assert get_importer("shop.catalogue") is CatalogueImporter
    names = [i.get_name() for i in all_importers()]
    assert names == [
        "shop.catalogue",
        "shop.order_lines",
        "shop.orders",
        "shop.products",
        "testapp.Gadget",  # derived from the model: its admin has ImportMixin, no importer
        "testapp.filed_note_frames",
        "testapp.filed_notes",
        "testapp.note_frames",
        "testapp.notes",
        "testapp.slow_lines",
        "testapp.slow_tags",
    ]
    assert importers_for_model(Product) == [CatalogueImporter, ProductsImporter]
    assert importers_for_model(Customer) == [OrderLinesImporter, OrdersImporter]


def test_default_name_and_verbose_name(registered: type[Throwaway]) -> None:
    assert registered.get_name() == "tests.importers.test_registry.Throwaway"
    assert registered.get_verbose_name() == "Throwaway"
    assert get_importer(registered.get_name()) is registered


def test_registering_twice_is_harmless_but_a_name_clash_is_refused(
    registered: type[Throwaway],
) -> None:
    register(registered)

    class Other(Throwaway):
        name = registered.get_name()

    with pytest.raises(ImproperlyConfigured, match="Two importers are named"):
        register(Other)


def test_unknown_importer() -> None:
    with pytest.raises(ImporterNotFound, match="No importer is named 'x'"):
        get_importer("x")


def test_options_are_checked() -> None:
    with pytest.raises(WiniadminError, match="needs the option"):
        Throwaway()
    with pytest.raises(WiniadminError, match=r"Unknown option\(s\) for .*: size \(known: limit\)"):
        Throwaway({"limit": 1, "size": 2})
    assert Throwaway({"limit": 3}).get_option("limit") == 3
    assert Throwaway.parse_options({"limit": "4", "free": "text"}) == {"limit": 4, "free": "text"}


def test_an_importer_without_cleaning_class_says_so() -> None:
    with pytest.raises(WiniadminError, match="declares no cleaning_df_cls"):
        Throwaway({"limit": 1}).get_cleaning_df_cls()
