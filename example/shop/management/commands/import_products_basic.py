"""The seed's ``ABCBaseCommand`` complete example; import paths changed and ``load_products``
(left to the reader in the seed) written against the demo models."""

from argparse import ArgumentParser

import polars as pl

from shop.models import Category, Product
from winiadmin.commands.base import ABCBaseCommand
from winiadmin.db.bulk import bulk_create_in_steps


class ImportProductsCommand(ABCBaseCommand):
    """Import products from CSV file."""

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--file", type=str, required=True, help="Path to CSV file")
        parser.add_argument("--category", type=str, help="Filter by category")

    def handle_command(self) -> None:
        file_path = self.get_option("file")
        category = self.get_option("category")
        dry_run = self.get_option("dry_run")
        batch_size = self.get_option("batch_size") or 1000

        self.stdout.write(f"Processing {file_path}")

        # Load data
        products = self.load_products(file_path, category)
        self.stdout.write(f"Loaded {len(products)} products")

        if dry_run:
            self.stdout.write(self.style.WARNING("DRY RUN - No changes made"))
            return

        # Create in database
        created = bulk_create_in_steps(Product, products, step=batch_size)
        self.stdout.write(self.style.SUCCESS(f"Created {len(created)} products"))

    def load_products(self, file_path: str, category: str | None) -> list[Product]:
        df = pl.read_csv(file_path, infer_schema=False)
        if category is not None:
            df = df.filter(pl.col("category") == category)
        categories = {c.name: c for c in Category.objects.filter(name__in=df["category"].unique())}
        return [
            Product(
                sku=row["sku"],
                name=row["name"],
                price=row["price"],
                quantity=int(row["quantity"] or 0),
                category=categories.get(row["category"]),
            )
            for row in df.iter_rows(named=True)
        ]


class Command(ImportProductsCommand):
    help = "Import products from a CSV file (the seed's ABCBaseCommand example)."
