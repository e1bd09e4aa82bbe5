"""The seed's "Multi-Model Import" example; only the import paths changed."""

from argparse import ArgumentParser
from collections.abc import Iterable

import polars as pl
from django.db.models import Model

from shop.models import Product, Store
from winiadmin.cleaning import CleaningDF
from winiadmin.commands.import_data import ImportDataBaseCommand


class StoreDataCleaningDF(CleaningDF):
    STORE_NAME_COL = "store_name"
    PRODUCT_NAME_COL = "product_name"
    PRICE_COL = "price"

    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {
            cls.STORE_NAME_COL: pl.Utf8,
            cls.PRODUCT_NAME_COL: pl.Utf8,
            cls.PRICE_COL: pl.Float64,
        }


class ImportStoreDataCommand(ImportDataBaseCommand):
    """Import stores and their products."""

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--file", type=str, required=True)

    def handle_import(self) -> pl.DataFrame:
        return pl.read_csv(self.get_option("file"))

    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        return StoreDataCleaningDF

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        # Get unique stores
        store_names = df["store_name"].unique().to_list()
        stores = [Store(name=name) for name in store_names]

        # Create store name to instance mapping
        store_map = {store.name: store for store in stores}

        # Create products
        products = [
            Product(
                name=row["product_name"],
                price=row["price"],
                store=store_map[row["store_name"]],
            )
            for row in df.iter_rows(named=True)
        ]

        # Return both - automatic dependency resolution
        return {
            Store: stores,
            Product: products,  # Created after Store
        }


class Command(ImportStoreDataCommand):
    help = "Import stores and their products from one CSV file (the seed's multi-model example)."
