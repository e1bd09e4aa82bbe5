"""The contenders: each does the whole job, file to rows, on an empty database.

Every contender is a function ``run(csv_path, rows) -> None`` registered with :func:`contender`.
The job is the same for all: read the CSV of :mod:`bench.data`, create its categories and stores
(by name), then its products pointing at them, in one transaction. Afterwards :mod:`bench.measure`
checks that the database holds exactly that (or, for a dry run, nothing).

To add one, write a function and decorate it::

    @contender("my_importer", "…what it does…")
    def my_importer(csv_path: Path, rows: int) -> None:
        run_importer(MyImporter, csv_path, rows)

Imports that are not part of the job (Django, the models, polars) happen at module level, before
the clock starts; :func:`prepare` imports a contender's optional packages before the clock too.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from itertools import batched
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db import connection, transaction
from shop.importers import CatalogueImporter, CatalogueObjectsImporter
from shop.models import Category, Product, Store

from winiadmin.importers import ModelImporter
from winiadmin.results import ImportStatus

if TYPE_CHECKING:
    from winiadmin.importers import Importer

type RunFn = Callable[[Path, int], None]


@dataclass(frozen=True)
class Contender:
    name: str
    run: RunFn
    description: str
    #: False for a dry run: the database must be left empty.
    writes: bool = True
    #: Slow per-row contenders; ``bench.run`` skips them above ``--ie-max-rows``.
    per_row: bool = False
    #: Optional packages imported before the clock starts (and reported if missing).
    requires: tuple[str, ...] = ()


CONTENDERS: dict[str, Contender] = {}


def contender(
    name: str,
    description: str,
    *,
    writes: bool = True,
    per_row: bool = False,
    requires: tuple[str, ...] = (),
) -> Callable[[RunFn], RunFn]:
    def register(fn: RunFn) -> RunFn:
        CONTENDERS[name] = Contender(name, fn, description, writes, per_row, requires)
        return fn

    return register


def prepare(c: Contender) -> None:
    """Import what the contender needs that is not part of the job (untimed)."""
    for module in c.requires:
        importlib.import_module(module)


# The CSV as typed columns; price stays text so that it becomes an exact Decimal.
SCHEMA = {
    "sku": pl.String,
    "name": pl.String,
    "price": pl.String,
    "quantity": pl.Int64,
    "category": pl.String,
    "store": pl.String,
    "available_from": pl.Date,
}
TEXT_SCHEMA = dict.fromkeys(SCHEMA, pl.String)


# --------------------------------------------------------------------------------------------
# 1. The raw limit: no ORM, the database's own bulk path.


@contender(
    "raw_limit",
    "polars reads the CSV (timed, as text); SQLite: sqlite3 executemany of tuples; PostgreSQL: "
    "COPY FROM STDIN (psycopg 3) for the three tables; FK ids resolved from the parents' ids "
    "read back after their insert; one transaction",
)
def raw_limit(csv_path: Path, rows: int) -> None:
    df = pl.read_csv(csv_path, schema=TEXT_SCHEMA)
    categories = df["category"].unique().sort().to_list()
    stores = df["store"].unique().sort().to_list()
    created_at = datetime.now(tz=UTC)
    with transaction.atomic():
        raw: Any = connection.connection  # the DB-API connection: sqlite3 or psycopg
        if connection.vendor == "postgresql":
            _copy_postgres(raw, df, categories, stores, created_at)
        else:
            _executemany_sqlite(raw, df, categories, stores, created_at)


def _product_columns(df: pl.DataFrame, cat_ids: dict[str, int], store_ids: dict[str, int]) -> Any:
    return df.select(
        "sku",
        "name",
        "price",
        "quantity",
        pl.col("category").replace_strict(cat_ids, return_dtype=pl.Int64),
        pl.col("store").replace_strict(store_ids, return_dtype=pl.Int64),
        "available_from",
    )


_PRODUCT_INSERT_COLUMNS = (
    "sku, name, price, quantity, category_id, store_id, available_from, created_at"
)


def _executemany_sqlite(
    raw: Any, df: pl.DataFrame, categories: list[str], stores: list[str], created_at: datetime
) -> None:
    cat, store, product = (m._meta.db_table for m in (Category, Store, Product))
    cur = raw.cursor()
    cur.executemany(
        f"INSERT INTO {cat} (name, parent_id) VALUES (?, NULL)", [(n,) for n in categories]
    )
    cur.executemany(f"INSERT INTO {store} (name, city) VALUES (?, '')", [(n,) for n in stores])
    cat_ids = dict(cur.execute(f"SELECT name, id FROM {cat}").fetchall())
    store_ids = dict(cur.execute(f"SELECT name, id FROM {store}").fetchall())
    # Django stores datetimes on SQLite as naive UTC text.
    stamp = created_at.replace(tzinfo=None).isoformat(sep=" ")
    frame = _product_columns(df, cat_ids, store_ids).with_columns(pl.lit(stamp))
    cur.executemany(
        f"INSERT INTO {product} ({_PRODUCT_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        frame.iter_rows(),
    )


def _copy_postgres(
    raw: Any, df: pl.DataFrame, categories: list[str], stores: list[str], created_at: datetime
) -> None:
    cat, store, product = (m._meta.db_table for m in (Category, Store, Product))
    with raw.cursor() as cur:
        with cur.copy(f"COPY {cat} (name) FROM STDIN") as copy:
            for name in categories:
                copy.write_row((name,))
        with cur.copy(f"COPY {store} (name, city) FROM STDIN") as copy:
            for name in stores:
                copy.write_row((name, ""))
        cat_ids = dict(cur.execute(f"SELECT name, id FROM {cat}").fetchall())
        store_ids = dict(cur.execute(f"SELECT name, id FROM {store}").fetchall())
        frame = _product_columns(df, cat_ids, store_ids).with_columns(
            pl.lit(created_at.isoformat())
        )
        with cur.copy(
            f"COPY {product} ({_PRODUCT_INSERT_COLUMNS}) FROM STDIN (FORMAT csv)"
        ) as copy:
            for chunk in frame.iter_slices(100_000):
                copy.write(chunk.write_csv(include_header=False))


# --------------------------------------------------------------------------------------------
# 2. Plain Django, written by hand the way a competent developer would.


@contender(
    "bulk_create",
    "plain Django: polars reads the CSV (typed), categories and stores bulk_create'd, name→id "
    "dicts, then Product(...) for every row from iter_rows, all held, bulk_create(batch_size="
    "1000); one transaction",
)
def bulk_create(csv_path: Path, rows: int) -> None:
    df = pl.read_csv(csv_path, schema=SCHEMA)
    with transaction.atomic():
        categories = Category.objects.bulk_create(
            [Category(name=n) for n in df["category"].unique().sort()]
        )
        stores = Store.objects.bulk_create([Store(name=n) for n in df["store"].unique().sort()])
        cat_ids = {c.name: c.pk for c in categories}
        store_ids = {s.name: s.pk for s in stores}
        products = [
            Product(
                sku=sku,
                name=name,
                price=Decimal(price),
                quantity=quantity,
                category_id=cat_ids[category],
                store_id=store_ids[store],
                available_from=available_from,
            )
            for sku, name, price, quantity, category, store, available_from in df.iter_rows()
        ]
        Product.objects.bulk_create(products, batch_size=1000)


#: bulk_create_careful's chunk: instances built, then inserted, this many at a time.
CAREFUL_CHUNK = 5000


@contender(
    "bulk_create_careful",
    "plain Django written with care (issue 19 §4): as bulk_create, but the Product objects built "
    "lazily 5,000 at a time from iter_rows (never all held), the cyclic garbage collector paused "
    "during the job, bulk_create(batch_size=5000) per chunk; one transaction",
)
def bulk_create_careful(csv_path: Path, rows: int) -> None:
    df = pl.read_csv(csv_path, schema=SCHEMA)
    enabled = gc.isenabled()
    gc.disable()
    try:
        with transaction.atomic():
            categories = Category.objects.bulk_create(
                [Category(name=n) for n in df["category"].unique().sort()]
            )
            stores = Store.objects.bulk_create([Store(name=n) for n in df["store"].unique().sort()])
            cat_ids = {c.name: c.pk for c in categories}
            store_ids = {s.name: s.pk for s in stores}
            products = (
                Product(
                    sku=sku,
                    name=name,
                    price=Decimal(price),
                    quantity=quantity,
                    category_id=cat_ids[category],
                    store_id=store_ids[store],
                    available_from=available_from,
                )
                for sku, name, price, quantity, category, store, available_from in df.iter_rows()
            )
            for chunk in batched(products, CAREFUL_CHUNK):
                Product.objects.bulk_create(chunk, batch_size=CAREFUL_CHUNK)
    finally:
        if enabled:
            gc.enable()


# --------------------------------------------------------------------------------------------
# 3. winiadmin, end to end, through the demo's importer.
#
# The demo has the catalogue importer twice: ``CatalogueObjectsImporter`` (shop.catalogue_objects,
# ``get_bulks_by_model``: a Product object per row, loaded by the FK-sorted bulk loader) and the
# registered ``CatalogueImporter`` (shop.catalogue, frame-native: ``get_frames_by_model``).
# ``winiadmin``/``winiadmin_dry_run`` measure the object path, ``winiadmin_frames``/
# ``winiadmin_frames_dry_run`` the frame-native one.


def run_importer(
    importer_class: type[Importer],
    csv_path: Path,
    rows: int,
    *,
    dry_run: bool = False,
    create_missing: bool = False,
) -> None:
    """``importer_class().run(csv_path)``; anything but the expected status is a failure."""
    result = importer_class().run(csv_path, dry_run=dry_run, create_missing=create_missing)
    expected = ImportStatus.DRY_RUN if dry_run else ImportStatus.SUCCEEDED
    if result.status != expected or result.rows_read != rows:
        msg = f"status {result.status}, {result.rows_read} rows read: {result.error}"
        raise RuntimeError(msg)


@contender(
    "winiadmin",
    "CatalogueObjectsImporter().run(csv): read → clean → transform → load, the demo's catalogue "
    "importer written with get_bulks_by_model (a Product per row, FK-sorted bulk loader; "
    "creates missing categories and stores by name)",
)
def winiadmin(csv_path: Path, rows: int) -> None:
    run_importer(CatalogueObjectsImporter, csv_path, rows)


@contender(
    "winiadmin_dry_run",
    "the same with dry_run=True: every stage runs, the load inside a transaction that is rolled "
    "back; the database must be left empty",
    writes=False,
)
def winiadmin_dry_run(csv_path: Path, rows: int) -> None:
    run_importer(CatalogueObjectsImporter, csv_path, rows, dry_run=True)


@contender(
    "winiadmin_frames",
    "CatalogueImporter().run(csv): the same import, frame-native (get_frames_by_model: no object "
    "per row; categories and stores resolved by name with a join; COPY on PostgreSQL, "
    "executemany on SQLite)",
)
def winiadmin_frames(csv_path: Path, rows: int) -> None:
    run_importer(CatalogueImporter, csv_path, rows)


class _FramesWithoutRules(CatalogueImporter):
    validate_model_rules = False


class _ObjectsWithoutRules(CatalogueObjectsImporter):
    validate_model_rules = False


@contender(
    "winiadmin_frames_no_rules",
    "winiadmin_frames with validate_model_rules = False: the models' own rules (what "
    "full_clean() refuses) left to the database; the difference is what checking them costs",
)
def winiadmin_frames_no_rules(csv_path: Path, rows: int) -> None:
    run_importer(_FramesWithoutRules, csv_path, rows)


@contender(
    "winiadmin_no_rules",
    "winiadmin (objects) with validate_model_rules = False",
)
def winiadmin_no_rules(csv_path: Path, rows: int) -> None:
    run_importer(_ObjectsWithoutRules, csv_path, rows)


class _ProductModelImporter(ModelImporter):
    """The importer derived from the bench's product model (issue 15 §1): the file's columns
    are the model's fields; categories and stores by name, created when missing."""

    model = Product
    fields = ("sku", "name", "price", "quantity", "category", "store", "available_from")
    natural_keys = {"category": "name", "store": "name"}
    create_missing = ("category", "store")


class _ProductModelImporterWithoutRules(_ProductModelImporter):
    validate_model_rules = False


@contender(
    "winiadmin_model",
    "ModelImporter for Product (fields, natural_keys for category and store, create_missing; "
    "nothing else declared): headers, parsers and the frame-native load derived from the model; "
    "the models' rules checked",
)
def winiadmin_model(csv_path: Path, rows: int) -> None:
    run_importer(_ProductModelImporter, csv_path, rows, create_missing=True)


@contender(
    "winiadmin_model_no_rules",
    "winiadmin_model with validate_model_rules = False",
)
def winiadmin_model_no_rules(csv_path: Path, rows: int) -> None:
    run_importer(_ProductModelImporterWithoutRules, csv_path, rows, create_missing=True)


@contender(
    "winiadmin_frames_dry_run",
    "the frame-native import with dry_run=True",
    writes=False,
)
def winiadmin_frames_dry_run(csv_path: Path, rows: int) -> None:
    run_importer(CatalogueImporter, csv_path, rows, dry_run=True)


# --------------------------------------------------------------------------------------------
# 4. django-import-export 4.4 (the ``bench`` dependency group).
#
# import-export cannot create the rows a ForeignKeyWidget points at from the same file, so both
# contenders first create the file's categories and stores with bulk_create (timed, as for
# everybody else), then import the products with a ModelResource keyed on sku.
#
# "Fastest documented configuration" follows the "Performance tuning" section of its bulk import
# docs: use_bulk = True, force_init_instance = True (we only create), skip_diff = True,
# skip_unchanged left off (it needs the diff), batch_size = 1000 (the docs: None is always
# worse), use_transactions = True (all or nothing, like everybody here). Its ForeignKeyWidget
# issues one SELECT per row and per FK; 4.4 ships no cached widget (use_natural_foreign_keys
# still queries per row, through get_by_natural_key), and the same docs say: "create a subclass
# which caches get_queryset() results rather than reading for each invocation". That subclass is
# CachedForeignKeyWidget below: one query per FK model, then a dict. CachedInstanceLoader is
# moot with force_init_instance. ``import_export_cached`` is the configuration issue 4 names
# ("bulk mode, cached FK widget and instance loader, no diff"): it looks rows up by SKU (one
# query for the whole dataset) and so does what the demo importer does with a stored SKU (update
# it), where force_init_instance only inserts.


@cache
def _resources() -> tuple[type[Any], type[Any], type[Any]]:
    from import_export import fields, resources  # noqa: PLC0415 - optional dependency
    from import_export.instance_loaders import CachedInstanceLoader  # noqa: PLC0415
    from import_export.widgets import ForeignKeyWidget  # noqa: PLC0415

    class CachedForeignKeyWidget(ForeignKeyWidget):  # type: ignore[misc]
        """``get_queryset()`` read once into a dict, as import-export's docs advise."""

        def __init__(self, model: Any, field: str = "pk", **kwargs: Any) -> None:
            super().__init__(model, field, **kwargs)
            self._cache: dict[str, Any] | None = None

        def get_instance_by_lookup_fields(self, value: Any, row: Any, **kwargs: Any) -> Any:
            if self._cache is None:
                self._cache = {
                    str(getattr(obj, self.field)): obj
                    for obj in self.get_queryset(value, row, **kwargs)
                }
            try:
                return self._cache[str(value)]
            except KeyError:
                msg = f"{self.model.__name__} matching query does not exist."
                raise self.model.DoesNotExist(msg) from None

    columns = ("sku", "name", "price", "quantity", "category", "store", "available_from")

    class DefaultProductResource(resources.ModelResource):  # type: ignore[misc]
        category = fields.Field("category", "category", ForeignKeyWidget(Category, "name"))
        store = fields.Field("store", "store", ForeignKeyWidget(Store, "name"))

        class Meta:
            model = Product
            fields = columns
            import_id_fields = ("sku",)

    class FastestProductResource(resources.ModelResource):  # type: ignore[misc]
        category = fields.Field("category", "category", CachedForeignKeyWidget(Category, "name"))
        store = fields.Field("store", "store", CachedForeignKeyWidget(Store, "name"))

        class Meta:
            model = Product
            fields = columns
            import_id_fields = ("sku",)
            use_bulk = True
            batch_size = 1000
            force_init_instance = True
            skip_diff = True
            skip_unchanged = False
            use_transactions = True

    class CachedProductResource(FastestProductResource):
        class Meta(FastestProductResource.Meta):
            force_init_instance = False
            instance_loader_class = CachedInstanceLoader

    return DefaultProductResource, FastestProductResource, CachedProductResource


def _import_export(csv_path: Path, resource_class: type[Any]) -> None:
    from tablib import Dataset  # noqa: PLC0415 - optional dependency

    dataset = Dataset().load(csv_path.read_text(encoding="utf-8"), format="csv")
    with transaction.atomic():
        Category.objects.bulk_create([Category(name=n) for n in sorted(set(dataset["category"]))])
        Store.objects.bulk_create([Store(name=n) for n in sorted(set(dataset["store"]))])
        result = resource_class().import_data(dataset, dry_run=False, raise_errors=True)
        if result.has_errors() or result.has_validation_errors():
            msg = f"import-export reported errors: {result.totals}"
            raise RuntimeError(msg)


_IE = ("import_export.resources", "import_export.widgets", "tablib")


@contender(
    "import_export_default",
    "django-import-export, defaults: tablib reads the CSV, ModelResource with "
    "ForeignKeyWidget(…, 'name') and import_id_fields=['sku']: per row a lookup by sku, one "
    "SELECT per FK, a diff, save() in a savepoint",
    per_row=True,
    requires=_IE,
)
def import_export_default(csv_path: Path, rows: int) -> None:
    _import_export(csv_path, _resources()[0])


@contender(
    "import_export_fastest",
    "django-import-export, fastest documented configuration: use_bulk, batch_size=1000, "
    "force_init_instance, skip_diff, use_transactions, FK widget caching get_queryset()",
    per_row=True,
    requires=_IE,
)
def import_export_fastest(csv_path: Path, rows: int) -> None:
    _import_export(csv_path, _resources()[1])


@contender(
    "import_export_cached",
    "django-import-export, the configuration issue 4 names: use_bulk, batch_size=1000, "
    "CachedInstanceLoader (stored SKUs found with one query, then updated), skip_diff, "
    "use_transactions, FK widget caching get_queryset()",
    per_row=True,
    requires=(*_IE, "import_export.instance_loaders"),
)
def import_export_cached(csv_path: Path, rows: int) -> None:
    _import_export(csv_path, _resources()[2])
