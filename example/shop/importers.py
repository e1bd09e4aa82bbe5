"""The demo's importers, registered for the admin wizard and ``manage.py winiadmin_import``."""

from collections.abc import Iterable
from decimal import Decimal
from typing import cast

import polars as pl
from django.db.models import Model

from shop.models import Category, Customer, Order, OrderLine, Product, Store
from winiadmin.importers import (
    ROW_NUMBER_COLUMN,
    BooleanOption,
    CleaningDF,
    Importer,
    LazyBulk,
    Lookup,
    ModelFrame,
    ModelOption,
    Problem,
    ProblemKind,
    RowProblems,
    Severity,
    register,
    with_keys,
)


def existing_or_new[M: Model](model: type[M], names: Iterable[str]) -> dict[str, M]:
    """Name → object: the stored one when it exists, else a new unsaved one (one query)."""
    wanted = {name for name in names if name}
    found: dict[str, M] = {
        obj.name: obj  # type: ignore[attr-defined]
        for obj in model._default_manager.filter(name__in=wanted)
    }
    return found | {name: model(name=name) for name in wanted - found.keys()}


class CatalogueCleaningDF(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {
            "sku": pl.Utf8,
            "name": pl.Utf8,
            "price": pl.Float64,
            "quantity": pl.Int64,
            "category": pl.Utf8,
            "store": pl.Utf8,
            "available_from": pl.Date,
        }

    @classmethod
    def get_column_aliases(cls) -> dict[str, tuple[str, ...]]:
        """Other names suppliers use for the columns (case, accents and spacing do not matter)."""
        return {
            "name": ("product name", "title"),
            "price": ("prix", "unit price"),
            "quantity": ("qty", "stock"),
        }

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ("sku", "name", "price")

    @classmethod
    def get_fill_null_map(cls) -> dict[str, object]:
        return {"quantity": 0}

    @classmethod
    def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return (("sku",),)


class CatalogueObjectsImporter(Importer):
    """Products with their categories and stores, as model objects (the instance path).

    Not registered: the demo registers the frame-native :class:`CatalogueImporter`; this one is
    the same import written the seed's way, kept for comparison and tests.
    """

    name = "shop.catalogue_objects"
    verbose_name = "Catalogue (products, categories, stores)"
    description = (
        "Columns: sku, name, price, quantity, category, store, available_from (YYYY-MM-DD). "
        "Categories and stores are matched by name and created when missing."
    )
    models = (Category, Store, Product)
    cleaning_df_cls = CatalogueCleaningDF
    #: The example row of the import template (see ``manage.py winiadmin_template``).
    example_row = {
        "sku": "SKU-0001",
        "name": "Golden Puzzle",
        "price": 66.67,
        "quantity": 6,
        "category": "Books",
        "store": "Berlin Mitte",
        "available_from": "2026-06-19",
    }
    options = (
        ModelOption(
            name="default_category",
            model=Category,
            to_field="name",
            help="Category for rows whose category cell is empty.",
        ),
    )

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        default = cast("Category | None", self.get_option("default_category"))
        categories = existing_or_new(Category, df["category"].drop_nulls().unique())
        stores = existing_or_new(Store, df["store"].drop_nulls().unique())
        columns = ("sku", "name", "price", "quantity", "category", "store", "available_from")
        # A generator: the loader pulls one chunk at a time (after the categories and stores are
        # inserted), so a million products are never all in memory at once.
        products = (
            Product(
                sku=sku,
                name=name,
                price=Decimal(str(price)),
                quantity=quantity,
                category=categories[category] if category else default,
                store=stores.get(store) if store else None,
                available_from=available_from,
            )
            for sku, name, price, quantity, category, store, available_from in df.select(
                columns
            ).iter_rows()
        )
        return {
            Category: [c for c in categories.values() if c.pk is None],
            Store: [s for s in stores.values() if s.pk is None],
            Product: LazyBulk(products, df.height),
        }


@register
class CatalogueImporter(CatalogueObjectsImporter):
    """Products with their categories and stores, created when they do not exist yet.

    Frame-native: no Product object per row; categories and stores resolved by name in bulk.
    """

    name = "shop.catalogue"
    #: Products are matched by SKU: a known SKU updates the product (see catalogue_update.csv).
    upsert_keys = {Product: ("sku",)}
    #: The frame's category and store columns hold names (the frames of the two models above
    #: insert the missing ones first).
    lookups = (Lookup(Product, "category", by="name"), Lookup(Product, "store", by="name"))

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        default = cast("Category | None", self.get_option("default_category"))
        if default is not None:
            df = df.with_columns(pl.col("category").fill_null(default.name))
        products = df.select(
            "sku", "name", "price", "quantity", "category", "store", "available_from",
            ROW_NUMBER_COLUMN,
        )  # fmt: skip
        return {
            Category: pl.DataFrame(
                {"name": _missing(Category, df["category"])}, schema={"name": pl.String}
            ),
            Store: pl.DataFrame({"name": _missing(Store, df["store"])}, schema={"name": pl.String}),
            Product: products,
        }


def _missing(model: type[Category] | type[Store], names: pl.Series) -> list[str]:
    """The names (in file order) that no stored object has yet: one query."""
    wanted = names.drop_nulls().unique(maintain_order=True).to_list()
    found = set(model._default_manager.filter(name__in=wanted).values_list("name", flat=True))
    return [name for name in wanted if name not in found]


PRODUCT_COLUMNS = ("sku", "name", "price", "quantity", "category", "store", "available_from")


class ProductObjectsImporter(Importer):
    """Products whose category and store are given by name: declared lookups (instance path).

    Stores must exist; unknown categories are listed and created only when the user chooses so.
    Not registered: :class:`ProductsImporter` is the same import, frame-native.
    """

    name = "shop.product_objects"
    verbose_name = "Products (categories and stores by name)"
    description = (
        "Columns: sku, name, price, quantity, category, store, available_from (YYYY-MM-DD). "
        "Stores must exist; unknown categories are listed and can be created on confirmation."
    )
    models = (Category, Product)
    cleaning_df_cls = CatalogueCleaningDF
    lookups = (
        Lookup(Product, "category", by="name", create=True),
        Lookup(Product, "store", by="name"),
    )

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        products = (
            with_keys(
                Product(
                    sku=sku,
                    name=name,
                    price=Decimal(str(price)),
                    quantity=quantity,
                    available_from=available_from,
                ),
                category=category,
                store=store,
            )
            for sku, name, price, quantity, category, store, available_from in df.select(
                PRODUCT_COLUMNS
            ).iter_rows()
        )
        return {Product: LazyBulk(products, df.height)}


@register
class ProductsImporter(ProductObjectsImporter):
    """The frame-native :class:`ProductObjectsImporter`: the lookup columns hold the names."""

    name = "shop.products"

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        return {Product: df.select(*PRODUCT_COLUMNS, ROW_NUMBER_COLUMN)}


class OrdersCleaningDF(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {
            "order_id": pl.Utf8,
            "customer_email": pl.Utf8,
            "customer_name": pl.Utf8,
            "sku": pl.Utf8,
            "quantity": pl.Int64,
            "unit_price": pl.Float64,
        }

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ("order_id", "customer_email", "sku", "quantity", "unit_price")

    @classmethod
    def get_col_converter_map(cls) -> dict[str, object]:  # type: ignore[override]
        return {"customer_email": cls.lower_col}


@register
class OrdersImporter(Importer):
    """Order lines grouped into orders; customers by e-mail, products by SKU (must exist)."""

    name = "shop.orders"
    verbose_name = "Orders (customers, orders, order lines)"
    description = (
        "One row per order line. Columns: order_id, customer_email, customer_name, sku, "
        "quantity, unit_price. Products must exist; customers are created when missing."
    )
    models = (Customer, Order, OrderLine)
    cleaning_df_cls = OrdersCleaningDF
    options = (
        BooleanOption(
            name="create_customers",
            default=True,
            help="Create customers whose e-mail is unknown (otherwise such rows are errors).",
        ),
    )

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        products = self._products(df)
        customers = self._customers(df)
        orders: dict[str, Order] = {}
        lines: list[OrderLine] = []
        for row in df.iter_rows(named=True):
            order = orders.get(row["order_id"])
            if order is None:
                order = Order(
                    order_id=row["order_id"],
                    customer=customers[row["customer_email"]],
                    amount=Decimal(0),
                )
                orders[row["order_id"]] = order
            unit_price = Decimal(str(row["unit_price"]))
            order.amount += unit_price * row["quantity"]
            lines.append(
                OrderLine(
                    order=order,
                    product=products[row["sku"]],
                    quantity=row["quantity"],
                    unit_price=unit_price,
                )
            )
        return {
            Customer: [c for c in customers.values() if c.pk is None],
            Order: list(orders.values()),
            OrderLine: lines,
        }

    def _products(self, df: pl.DataFrame) -> dict[str, Product]:
        skus = set(df["sku"].unique())
        products = {p.sku: p for p in Product.objects.filter(sku__in=skus) if p.sku}
        unknown = sorted(skus - products.keys())
        if unknown:
            raise RowProblems(
                [
                    Problem(
                        ProblemKind.INVALID_VALUE,
                        Severity.ERROR,
                        "No product has this SKU.",
                        column="sku",
                        value=sku,
                    )
                    for sku in unknown
                ]
            )
        return products

    def _customers(self, df: pl.DataFrame) -> dict[str, Customer]:
        first_rows = df.unique("customer_email", keep="first", maintain_order=True)
        emails = first_rows["customer_email"].to_list()
        found = {c.email: c for c in Customer.objects.filter(email__in=emails)}
        missing = [e for e in emails if e not in found]
        if missing and not self.get_option("create_customers"):
            raise RowProblems(
                [
                    Problem(
                        ProblemKind.INVALID_VALUE,
                        Severity.ERROR,
                        "No customer has this e-mail address.",
                        column="customer_email",
                        value=email,
                    )
                    for email in missing
                ]
            )
        names = dict(zip(first_rows["customer_email"], first_rows["customer_name"], strict=True))
        return found | {e: Customer(email=e, name=names[e] or e) for e in missing}


@register
class OrderLinesImporter(Importer):
    """Orders and their lines from one flat file, frame-native: lines point at their order by
    reference to the order frame of the same import (``ref`` / ``references``), not by a key
    stored in the database; customers and products by natural key.
    """

    name = "shop.order_lines"
    verbose_name = "Orders and order lines (frame-native)"
    description = (
        "One row per order line. Columns: order_id, customer_email, customer_name, sku, "
        "quantity, unit_price. Each order's lines must be in the file; products must exist; "
        "customers are created when missing."
    )
    models = (Customer, Order, OrderLine)
    cleaning_df_cls = OrdersCleaningDF
    example_row = {
        "order_id": "WEB-1001",
        "customer_email": "ada@example.com",
        "customer_name": "Ada Lovelace",
        "sku": "SKU-0001",
        "quantity": 2,
        "unit_price": 66.67,
    }
    lookups = (
        Lookup(OrderLine, "product", by="sku"),
        Lookup(Order, "customer", by="email"),
    )
    #: A large file is streamed in batches: never cut an order's lines apart.
    stream_group_by = "order_id"

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        customers = df.unique("customer_email", keep="first", maintain_order=True)
        stored = set(
            Customer.objects.filter(email__in=customers["customer_email"].to_list()).values_list(
                "email", flat=True
            )
        )
        new_customers = customers.filter(~pl.col("customer_email").is_in(list(stored))).select(
            pl.col("customer_email").alias("email"),
            pl.coalesce("customer_name", "customer_email").alias("name"),
        )
        line_total = pl.col("quantity") * pl.col("unit_price")
        # One order per order_id (its first row names it in problems); order_id is the
        # identifier the lines reference, and a field of Order, so it is stored too.
        orders = df.group_by("order_id", maintain_order=True).agg(
            pl.col("customer_email").first().alias("customer"),
            line_total.sum().round(2).alias("amount"),
            pl.col(ROW_NUMBER_COLUMN).first(),
        )
        lines = df.select(
            pl.col("order_id").alias("order"),
            pl.col("sku").alias("product"),
            "quantity",
            "unit_price",
            ROW_NUMBER_COLUMN,
        )
        return {
            Customer: new_customers,
            Order: ModelFrame(Order, orders, ref="order_id"),
            OrderLine: ModelFrame(OrderLine, lines, references=("order",)),
        }
