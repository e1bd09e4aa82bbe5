"""``ImportDataBaseCommand`` reads the declarations ``Importer`` reads (``ImportDeclarations``)."""

from argparse import ArgumentParser
from collections.abc import Iterable
from decimal import Decimal
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command
from django.db.models import Model
from shop.management.commands.import_products import ProductCleaningDF
from shop.models import Category, Product

from winiadmin.cleaning import CleaningDF
from winiadmin.commands.import_data import ImportDataBaseCommand
from winiadmin.exceptions import WiniadminDeprecationWarning
from winiadmin.importers import Lookup, with_keys
from winiadmin.pipeline.spec import ImportDeclarations

pytestmark = pytest.mark.django_db


class AliasedProductCleaningDF(ProductCleaningDF):
    @classmethod
    def get_column_aliases(cls) -> dict[str, tuple[str, ...]]:
        return {"price": ("prix",)}


class UpsertProductsCommand(ImportDataBaseCommand):
    """A seed-style command declaring an upsert key and a natural key, as an importer does."""

    upsert_keys = {Product: ("sku",)}
    lookups = (Lookup(Product, "category", by="name"),)

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--file", type=str, required=True)

    def handle_import(self) -> pl.DataFrame:
        return pl.read_csv(self.get_option("file"))

    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        return AliasedProductCleaningDF

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {
            Product: [
                with_keys(
                    Product(name=row["name"], price=row["price"], sku=row["sku"]),
                    category="Books",
                )
                for row in df.iter_rows(named=True)
            ]
        }


class AliasesOnTheCommand(UpsertProductsCommand):
    column_aliases = {"price": ("prix",)}

    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        return ProductCleaningDF


def test_the_seed_command_has_the_declarations_with_their_defaults() -> None:
    assert issubclass(ImportDataBaseCommand, ImportDeclarations)
    assert ImportDataBaseCommand.models is None  # not declared: whoever runs manage.py
    assert ImportDataBaseCommand.on_duplicate_key == "first"  # winiutils' rule
    assert ImportDataBaseCommand.lookups == ()
    assert ImportDataBaseCommand.upsert_keys == {}


def test_a_command_declaring_upsert_keys_and_lookups_updates_by_key(tmp_path: Path) -> None:
    books = Category.objects.create(name="Books")
    Product.objects.create(name="Old", price=1, sku="A1")
    csv = tmp_path / "p.csv"
    csv.write_text("name,prix,sku\nNew,2.5,A1\nOther,3,B1\n")
    call_command(UpsertProductsCommand(), "--file", str(csv), stdout=StringIO(), stderr=StringIO())
    assert list(Product.objects.order_by("sku").values_list("sku", "name", "price")) == [
        ("A1", "New", Decimal("2.50")),
        ("B1", "Other", Decimal("3.00")),
    ]
    assert Product.objects.get(sku="B1").category == books  # created: its key looked up


def test_an_upserted_row_keeps_its_looked_up_foreign_key(tmp_path: Path) -> None:
    books = Category.objects.create(name="Books")
    Product.objects.create(name="Old", price=1, sku="A1", category=books)
    csv = tmp_path / "p.csv"
    csv.write_text("name,prix,sku\nNew,2.5,A1\n")
    call_command(UpsertProductsCommand(), "--file", str(csv), stdout=StringIO(), stderr=StringIO())
    assert Product.objects.get(sku="A1").category == books


def test_aliases_on_the_command_still_work_with_a_warning(tmp_path: Path) -> None:
    Category.objects.create(name="Books")
    csv = tmp_path / "p.csv"
    csv.write_text("name,prix,sku\nNew,2.5,A1\n")
    with pytest.warns(WiniadminDeprecationWarning, match="AliasesOnTheCommand.column_aliases"):
        call_command(
            AliasesOnTheCommand(), "--file", str(csv), stdout=StringIO(), stderr=StringIO()
        )
    assert Product.objects.get(sku="A1").price == Decimal("2.50")
