"""The seed's ``ImportDataBaseCommand`` complete example; only the import paths changed."""

from argparse import ArgumentParser
from collections.abc import Iterable

import polars as pl
from django.db.models import Model

from shop.models import Product
from winiadmin.cleaning import CleaningDF
from winiadmin.commands.import_data import ImportDataBaseCommand


class ProductCleaningDF(CleaningDF):
    """Cleaning rules for product data."""

    NAME_COL = "name"
    PRICE_COL = "price"
    SKU_COL = "sku"

    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {
            cls.NAME_COL: pl.Utf8,
            cls.PRICE_COL: pl.Float64,
            cls.SKU_COL: pl.Utf8,
        }

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return (cls.NAME_COL, cls.SKU_COL)

    @classmethod
    def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return ((cls.SKU_COL,),)


class ImportProductsCommand(ImportDataBaseCommand):
    """Import products from CSV with automatic cleaning."""

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--file", type=str, required=True)
        parser.add_argument("--category-id", type=int, required=True)

    def handle_import(self) -> pl.DataFrame:
        file_path = self.get_option("file")
        return pl.read_csv(file_path)

    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        return ProductCleaningDF

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        category_id = self.get_option("category_id")

        products = [
            Product(
                name=row["name"],
                price=row["price"],
                sku=row["sku"],
                category_id=category_id,
            )
            for row in df.iter_rows(named=True)
        ]

        return {Product: products}


class Command(ImportProductsCommand):
    help = "Import products from a CSV file (the seed's ImportDataBaseCommand example)."
