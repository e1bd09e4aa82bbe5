"""Upsert on both paths, on the real database: counts, values after, diffs, queries, problems."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from shop.importers import (
    CatalogueCleaningDF,
    CatalogueImporter,
    CatalogueObjectsImporter,
    ProductObjectsImporter,
)
from shop.models import Category, Product, Store

from tests.testapp.models import StockLevel
from winiadmin.cleaning import CleaningDF
from winiadmin.db.frames import ModelFrame
from winiadmin.pipeline import run_import
from winiadmin.pipeline.spec import ImportDeclarations
from winiadmin.problems import ProblemKind
from winiadmin.results import ImportResult, ImportStatus, ModelCount

pytestmark = pytest.mark.django_db


class ObjectsUpsert(CatalogueObjectsImporter):
    """The instance path, matching products by SKU like shop.catalogue does."""

    upsert_keys = {Product: ("sku",)}


BOTH = pytest.mark.parametrize(
    "importer", [CatalogueImporter, ObjectsUpsert], ids=["frames", "objects"]
)
CHANGED = [
    (3, ("SKU-0002",), {"price": (Decimal("8.13"), Decimal("9.49"))}),
    (6, ("SKU-0005",), {"price": (Decimal("95.52"), Decimal("24.00"))}),
    (10, ("SKU-0009",), {"price": (Decimal("58.26"), Decimal("5.25"))}),
]


def product_count(result: ImportResult) -> ModelCount:
    return next(c for c in result.created if c.label == "shop.Product")


@BOTH
def test_update_sample_creates_updates_and_leaves_alone(
    samples: Path, importer: type[CatalogueObjectsImporter]
) -> None:
    assert importer().run(samples / "catalogue.csv").committed
    before = Product.objects.get(sku="SKU-0001")
    result = importer().run(samples / "catalogue_update.csv")
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    product = product_count(result)
    assert (product.count, product.updated, product.unchanged) == (2, 3, 7)
    assert (result.total_updated, result.total_unchanged) == (3, 7)
    assert Product.objects.count() == 42
    prices = dict(
        Product.objects.filter(sku__in=["SKU-0002", "SKU-0005", "SKU-0009"]).values_list(
            "sku", "price"
        )
    )
    assert prices == {
        "SKU-0002": Decimal("9.49"),
        "SKU-0005": Decimal("24.00"),
        "SKU-0009": Decimal("5.25"),
    }
    after = Product.objects.get(sku="SKU-0001")
    assert (after.pk, after.created_at, after.price) == (before.pk, before.created_at, before.price)
    assert [(c.row, c.key, c.changes) for c in result.changes["shop.Product"]] == CHANGED
    # created_pks keeps meaning "created": the two new products only.
    assert len(result.created_pks.get("shop.Product", [2, 2])) == 2


@BOTH
def test_dry_run_reports_the_updates_and_writes_nothing(
    samples: Path, importer: type[CatalogueObjectsImporter]
) -> None:
    assert importer().run(samples / "catalogue.csv").committed
    result = importer().run(samples / "catalogue_update.csv", dry_run=True)
    assert result.status is ImportStatus.DRY_RUN
    product = product_count(result)
    assert (product.count, product.updated, product.unchanged) == (2, 3, 7)
    assert [(c.row, c.key, c.changes) for c in result.changes["shop.Product"]] == CHANGED
    assert Product.objects.count() == 40
    assert Product.objects.get(sku="SKU-0002").price == Decimal("8.13")


@BOTH
def test_the_same_file_twice_changes_nothing(
    samples: Path, importer: type[CatalogueObjectsImporter]
) -> None:
    assert importer().run(samples / "catalogue.csv").committed
    again = importer().run(samples / "catalogue.csv")
    assert again.status is ImportStatus.SUCCEEDED
    assert (product_count(again).count, product_count(again).updated) == (0, 0)
    assert product_count(again).unchanged == 40
    assert again.changes == {}


@BOTH
def test_a_changed_category_moves_the_product_to_a_new_parent(
    tmp_path: Path, samples: Path, importer: type[CatalogueObjectsImporter]
) -> None:
    assert importer().run(samples / "catalogue.csv").committed
    old = Product.objects.get(sku="SKU-0001").category
    assert old is not None
    csv = tmp_path / "moved.csv"
    csv.write_text(
        "sku,name,price,quantity,category,store,available_from\n"
        "SKU-0001,Golden Puzzle,66.67,6,Puzzles,Berlin Mitte,2026-06-19\n"
    )
    result = importer().run(csv)
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    puzzles = Category.objects.get(name="Puzzles")
    assert Product.objects.get(sku="SKU-0001").category == puzzles
    [change] = result.changes["shop.Product"]
    assert change.changes == {"category": (old.pk, puzzles.pk)}


@BOTH
def test_skip_invalid_updates_the_valid_rows(
    tmp_path: Path, samples: Path, importer: type[CatalogueObjectsImporter]
) -> None:
    assert importer().run(samples / "catalogue.csv").committed
    csv = tmp_path / "mixed.csv"
    csv.write_text(
        "sku,name,price,quantity,category,store,available_from\n"
        "SKU-0001,Golden Puzzle,70.00,6,Books,Berlin Mitte,2026-06-19\n"
        "SKU-0002,Red Shovel,not a price,11,Kitchen,Online,2026-02-08\n"
    )
    blocked = importer().run(csv)
    assert blocked.status is ImportStatus.INVALID
    assert Product.objects.get(sku="SKU-0001").price == Decimal("66.67")
    result = importer().run(csv, skip_invalid=True)
    assert result.status is ImportStatus.SUCCEEDED
    assert result.skipped_rows == (3,)
    assert Product.objects.get(sku="SKU-0001").price == Decimal("70.00")
    assert Product.objects.get(sku="SKU-0002").price == Decimal("8.13")


def _product_key_queries(queries: Iterable[dict[str, str]]) -> int:
    return sum(
        1
        for q in queries
        if q["sql"].startswith("SELECT") and '"shop_product"."sku" IN' in q["sql"]
    )


def test_one_query_per_chunk_finds_the_stored_rows(samples: Path) -> None:
    assert CatalogueImporter().run(samples / "catalogue.csv").committed
    for importer, chunks in ((CatalogueImporter, 1), (ObjectsUpsert, 3)):
        with CaptureQueriesContext(connection) as frames:
            result = importer().run(samples / "catalogue.csv", batch_size=15, dry_run=True)
        assert product_count(result).unchanged == 40
        # 40 rows: the frame path looks up to 5000 keys at once, the instance path per chunk.
        assert _product_key_queries(frames.captured_queries) == chunks


def test_into_an_empty_table_the_frame_path_looks_up_no_stored_key(samples: Path) -> None:
    with CaptureQueriesContext(connection) as first:
        result = CatalogueImporter().run(samples / "catalogue.csv")
    assert product_count(result) == ModelCount("shop.Product", "products", 40, 0, 0)
    assert _product_key_queries(first.captured_queries) == 0
    # Stored rows now: the same file again is 40 unchanged rows, found with one lookup.
    with CaptureQueriesContext(connection) as second:
        result = CatalogueImporter().run(samples / "catalogue.csv")
    assert product_count(result) == ModelCount("shop.Product", "products", 0, 0, 40)
    assert _product_key_queries(second.captured_queries) == 1
    assert Product.objects.count() == 40


class DuplicatesKept(CatalogueCleaningDF):
    @classmethod
    def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return ()


@BOTH
def test_a_key_twice_in_the_file_is_a_problem_naming_the_rows(
    tmp_path: Path, samples: Path, importer: type[CatalogueObjectsImporter]
) -> None:
    assert importer().run(samples / "catalogue.csv").committed

    class Repeating(importer):  # type: ignore[valid-type,misc]
        cleaning_df_cls = DuplicatesKept

    csv = tmp_path / "twice.csv"
    csv.write_text(
        "sku,name,price,quantity,category,store,available_from\n"
        "SKU-0001,Golden Puzzle,1.00,6,Books,Berlin Mitte,2026-06-19\n"
        "SKU-0001,Golden Puzzle,2.00,6,Books,Berlin Mitte,2026-06-19\n"
    )
    result = Repeating().run(csv)
    assert result.status is ImportStatus.INVALID
    conflicts = [p for p in result.problems if p.kind is ProblemKind.DATABASE_CONFLICT]
    assert [(p.row, p.value) for p in conflicts] == [(3, "SKU-0001")]
    assert "appears twice" in conflicts[0].message
    assert Product.objects.get(sku="SKU-0001").price == Decimal("66.67")


class StockCleaning(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {
            "warehouse": pl.Utf8,
            "code": pl.Utf8,
            "quantity": pl.Int64,
            "counted_at": pl.Datetime,
        }

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ("warehouse", "code", "quantity")


class StockObjects(ImportDeclarations):
    upsert_keys = {StockLevel: ("warehouse", "code")}

    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        return StockCleaning

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        aware = df.with_columns(
            pl.col("counted_at").dt.replace_time_zone(str(timezone.get_current_timezone()))
        )
        return {StockLevel: [StockLevel(**row) for row in aware.iter_rows(named=True)]}


class StockFrames(ImportDeclarations):
    upsert_keys = {StockLevel: ("warehouse", "code")}

    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        return StockCleaning

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        return {StockLevel: df}


@pytest.mark.parametrize("spec", [StockObjects, StockFrames], ids=["objects", "frames"])
def test_a_two_column_key_with_datetimes(spec: type[StockObjects]) -> None:
    # The file's naive datetimes are in the current time zone, as Django reads them back.
    counted = timezone.make_aware(datetime.datetime(2026, 1, 5, 9, 30))
    StockLevel.objects.create(warehouse="north", code="A", quantity=1, counted_at=counted)
    StockLevel.objects.create(warehouse="south", code="A", quantity=5, counted_at=counted)
    frame = pl.DataFrame(
        {
            "warehouse": ["north", "south", "north"],
            "code": ["A", "A", "B"],
            "quantity": [1, 7, 3],
            "counted_at": [datetime.datetime(2026, 1, 5, 9, 30)] * 3,
        }
    )
    result = run_import(spec(), frame)
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    [count] = result.created
    assert (count.count, count.updated, count.unchanged) == (1, 1, 1)
    assert StockLevel.objects.get(warehouse="south", code="A").quantity == 7
    assert StockLevel.objects.get(warehouse="north", code="B").quantity == 3
    [change] = result.changes["testapp.StockLevel"]
    assert (change.row, change.key, change.changes) == (3, ("south", "A"), {"quantity": (5, 7)})


def test_a_key_without_a_unique_constraint_is_refused(samples: Path) -> None:
    class ByName(CatalogueImporter):
        upsert_keys = {Product: ("name",)}

    result = ByName().run(samples / "catalogue.csv")
    assert result.status is ImportStatus.FAILED
    assert "is not unique in the database" in result.error
    assert not Product.objects.exists()


def test_the_system_check_names_an_importer_with_a_non_unique_key() -> None:
    from winiadmin.checks import check_upsert_keys
    from winiadmin.importers.registry import register, unregister

    assert check_upsert_keys(None) == []  # shop.catalogue's SKU is unique

    class ByName(CatalogueImporter):
        name = "tests.catalogue_by_name"
        upsert_keys = {Product: ("name",)}

    register(ByName)
    try:
        [error] = check_upsert_keys(None)
    finally:
        unregister(ByName)
    assert error.id == "winiadmin.E009"
    assert "tests.catalogue_by_name" in error.msg and "not unique" in error.msg


class LookedUpUpsert(ProductObjectsImporter):
    """The instance path with natural keys (``with_keys``) and an upsert key."""

    upsert_keys = {Product: ("sku",)}


def _stored_product(tmp_path: Path, category: str) -> tuple[Product, Path]:
    """SKU-1 stored in ``Books``; a file giving it (by name) ``category``."""
    books = Category.objects.create(name="Books")
    Category.objects.create(name="Kitchen")
    store = Store.objects.create(name="Online")
    product = Product.objects.create(
        sku="SKU-1", name="Puzzle", price=5, quantity=1, category=books, store=store
    )
    csv = tmp_path / "products.csv"
    csv.write_text(
        "sku,name,price,quantity,category,store,available_from\n"
        f"SKU-1,Puzzle,5.00,1,{category},Online,\n"
    )
    return product, csv


def test_an_upsert_keeps_an_unchanged_looked_up_key(tmp_path: Path) -> None:
    product, csv = _stored_product(tmp_path, "Books")
    result = LookedUpUpsert().run(csv)
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    count = product_count(result)
    assert (count.count, count.updated, count.unchanged) == (0, 0, 1)
    assert Product.objects.get(sku="SKU-1").category == product.category


def test_an_upsert_moves_a_row_to_the_looked_up_key_it_names(tmp_path: Path) -> None:
    product, csv = _stored_product(tmp_path, "Kitchen")
    result = LookedUpUpsert().run(csv)
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    kitchen = Category.objects.get(name="Kitchen")
    assert Product.objects.get(sku="SKU-1").category == kitchen
    [change] = result.changes["shop.Product"]
    assert (change.row, change.changes) == (2, {"category": (product.category_id, kitchen.pk)})
    assert result.unmatched == []


def test_an_upsert_with_an_unknown_looked_up_key_lists_it_once_and_writes_nothing(
    tmp_path: Path,
) -> None:
    product, csv = _stored_product(tmp_path, "Toyz")
    result = LookedUpUpsert().run(csv)
    assert result.status is ImportStatus.INVALID
    [unmatched] = result.unmatched
    assert (unmatched.lookup.field, unmatched.counts, unmatched.rows) == (
        "category",
        {"Toyz": 1},
        {"Toyz": [2]},
    )
    unknown = [(p.row, p.column, p.value) for p in result.problems if p.kind.value == "unknown_key"]
    assert unknown == [(2, "category", "Toyz")]
    assert Product.objects.get(sku="SKU-1").category == product.category
    skipped = LookedUpUpsert().run(csv, skip_invalid=True)
    assert skipped.status is ImportStatus.SUCCEEDED
    assert skipped.skipped_rows == (2,)
    assert Product.objects.get(sku="SKU-1").category == product.category
