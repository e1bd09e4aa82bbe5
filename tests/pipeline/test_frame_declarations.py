"""Keys and natural keys are declared on the importer; frames saying them are deprecated."""

from collections.abc import Iterable
from decimal import Decimal

import polars as pl
import pytest
from django.db.models import Model
from shop.importers import PRODUCT_COLUMNS, CatalogueCleaningDF, ProductsImporter
from shop.models import Category, Product

from winiadmin.db.frames import ROW_NUMBER_COLUMN, ModelFrame
from winiadmin.exceptions import WiniadminDeprecationWarning
from winiadmin.importers import Importer, Lookup, with_keys
from winiadmin.results import ImportStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("known")]

CSV = (
    b"sku,name,price,quantity,category,store,available_from\n"
    b"A-1,Kettle,10.00,1,Kitchen,Online,2024-01-02\n"
    b"A-2,Atlas,20.00,2,Books,Berlin Mitte,2024-01-03\n"
)


class FrameLookupsOnly(Importer):
    """The old way: the frame says how its columns are looked up, the importer does not."""

    models = (Product,)
    cleaning_df_cls = CatalogueCleaningDF

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        frame = df.select(*PRODUCT_COLUMNS, ROW_NUMBER_COLUMN)
        return {Product: ModelFrame(Product, frame, lookups={"category": "name", "store": "name"})}


class FrameLookupsDisagree(ProductsImporter):
    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        frame = df.select(*PRODUCT_COLUMNS, ROW_NUMBER_COLUMN)
        return {Product: ModelFrame(Product, frame, lookups={"category": "pk"})}


class FrameKeyDisagrees(ProductsImporter):
    upsert_keys = {Product: ("sku",)}

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        frame = df.select(*PRODUCT_COLUMNS, ROW_NUMBER_COLUMN)
        return {Product: ModelFrame(Product, frame, key=("name",))}


class KeysWithoutLookups(Importer):
    """``with_keys`` gives values for a foreign key no Lookup declares."""

    models = (Product,)
    cleaning_df_cls = CatalogueCleaningDF
    lookups = (Lookup(Product, "category", by="name"),)

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {
            Product: [
                with_keys(
                    Product(sku=row["sku"], name=row["name"], price=Decimal(str(row["price"]))),
                    category=row["category"],
                    store=row["store"],
                )
                for row in df.iter_rows(named=True)
            ]
        }


def test_the_importers_lookups_resolve_a_frames_columns() -> None:
    result = ProductsImporter().run(CSV)
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    assert Product.objects.get(sku="A-2").category.name == "Books"  # type: ignore[union-attr]


def test_a_frames_own_lookups_still_work_with_a_warning() -> None:
    with pytest.warns(WiniadminDeprecationWarning, match=r"lookups = \(Lookup\(Product"):
        result = FrameLookupsOnly().run(CSV)
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    assert Product.objects.get(sku="A-1").store.name == "Online"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("importer", "said"),
    [
        (FrameLookupsDisagree, "looks category up by 'pk' but its importer declares Lookup("),
        (FrameKeyDisagrees, "has key=('name',) but its importer declares upsert_keys"),
    ],
)
def test_a_frame_contradicting_its_importer_is_refused_naming_both(
    importer: type[ProductsImporter], said: str
) -> None:
    result = importer().run(CSV)
    assert result.status is ImportStatus.FAILED
    assert said in " ".join(p.message for p in result.problems)
    assert not Product.objects.exists()


def test_natural_key_values_without_a_declared_lookup_are_refused() -> None:
    result = KeysWithoutLookups().run(CSV)
    assert result.status is ImportStatus.FAILED
    message = " ".join(p.message for p in result.problems)
    assert "given store by natural key (with_keys)" in message
    assert "no Lookup(Product, …)" in message
    assert not Product.objects.exists()
    assert Category.objects.count() == 2  # nothing created either
