"""The seed's "Data Import with Validation" example; only the import paths changed."""

from argparse import ArgumentParser
from collections.abc import Iterable

import polars as pl
from django.db.models import Model

from shop.models import Customer, Order
from winiadmin.cleaning import CleaningDF
from winiadmin.commands.import_data import ImportDataBaseCommand


class OrderCleaningDF(CleaningDF):
    ORDER_ID_COL = "order_id"
    CUSTOMER_ID_COL = "customer_id"
    AMOUNT_COL = "amount"

    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {
            cls.ORDER_ID_COL: pl.Utf8,
            cls.CUSTOMER_ID_COL: pl.Int64,
            cls.AMOUNT_COL: pl.Float64,
        }

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return (cls.ORDER_ID_COL, cls.CUSTOMER_ID_COL, cls.AMOUNT_COL)


class ImportOrdersCommand(ImportDataBaseCommand):
    """Import orders with customer validation."""

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--file", type=str, required=True)
        parser.add_argument("--validate-customers", action="store_true")

    def handle_import(self) -> pl.DataFrame:
        return pl.read_csv(self.get_option("file"))

    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        return OrderCleaningDF

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        validate = self.get_option("validate_customers")

        # Validate customers exist
        if validate:
            customer_ids = df["customer_id"].to_list()
            existing = set(
                Customer.objects.filter(id__in=customer_ids).values_list("id", flat=True)
            )

            missing = set(customer_ids) - existing
            if missing:
                self.stdout.write(self.style.ERROR(f"Missing customers: {missing}"))
                return {}

        # Create orders
        orders = [
            Order(
                order_id=row["order_id"],
                customer_id=row["customer_id"],
                amount=row["amount"],
            )
            for row in df.iter_rows(named=True)
        ]

        return {Order: orders}


class Command(ImportOrdersCommand):
    help = "Import orders from a CSV file (the seed's validation example)."
