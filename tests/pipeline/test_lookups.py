"""Foreign keys by natural key declared by importers: both loading paths, both databases."""

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from shop.importers import ProductObjectsImporter, ProductsImporter
from shop.models import Category, Product, Store

from winiadmin.db.frames import ModelFrame
from winiadmin.db.lookups import ROWS_PER_VALUE
from winiadmin.problems import ProblemKind
from winiadmin.results import ImportStatus

pytestmark = pytest.mark.django_db

BOTH = pytest.mark.parametrize("importer", [ProductObjectsImporter, ProductsImporter])
SAMPLE = "products_unknown_keys.csv"
HEADER = "sku,name,price,quantity,category,store,available_from\n"


def _summary(result: object) -> dict[str, dict[object, tuple[int, list[int]]]]:
    unmatched = getattr(result, "unmatched", [])
    return {u.lookup.field: {v: (n, u.rows[v]) for v, n in u.counts.items()} for u in unmatched}


@BOTH
@pytest.mark.usefixtures("known")
def test_unmatched_values_are_listed_with_counts_and_rows_and_nothing_is_written(
    samples: Path, importer: type[ProductObjectsImporter]
) -> None:
    result = importer().run(samples / SAMPLE)
    assert result.status is ImportStatus.INVALID
    assert _summary(result) == {
        "category": {"Toyz": (3, [2, 4, 6]), "Garden": (1, [3])},
        "store": {"Paris Opéra": (1, [5])},
    }
    assert not any(u.created for u in result.unmatched)
    assert "3 values match nothing in the database" in result.error
    unknown = [(p.row, p.column, p.value) for p in result.problems if p.kind.value == "unknown_key"]
    assert (5, "store", "Paris Opéra") in unknown and len(unknown) == 5
    assert Product.objects.count() == 0 and Category.objects.count() == 2


@BOTH
@pytest.mark.usefixtures("known")
def test_create_missing_creates_each_value_once_and_keeps_the_stop_for_the_rest(
    samples: Path, importer: type[ProductObjectsImporter]
) -> None:
    # The store cannot be created (create=False): still blocks, and the categories roll back.
    blocked = importer().run(samples / SAMPLE, create_missing=True)
    assert blocked.status is ImportStatus.INVALID
    assert Category.objects.count() == 2
    Store.objects.create(name="Paris Opéra")
    result = importer().run(samples / SAMPLE, create_missing=True)
    assert result.status is ImportStatus.SUCCEEDED, result.error
    assert sorted(Category.objects.values_list("name", flat=True)) == [
        "Books",
        "Garden",
        "Kitchen",
        "Toyz",
    ]
    assert [(c.label, c.count) for c in result.created] == [
        ("shop.Category", 2),
        ("shop.Product", 6),
    ]
    assert Product.objects.filter(category__name="Toyz").count() == 3
    assert Product.objects.get(sku="SKU-9004").store.name == "Paris Opéra"  # type: ignore[union-attr]
    created = {u.lookup.field: (u.created, dict(u.counts)) for u in result.unmatched}
    assert created == {"category": (True, {"Toyz": 3, "Garden": 1})}


@BOTH
@pytest.mark.usefixtures("known")
def test_created_related_rows_are_among_the_created_keys(
    samples: Path, importer: type[ProductObjectsImporter]
) -> None:
    """An undo deletes what the import created: the categories it created for unknown names too."""
    Store.objects.create(name="Paris Opéra")
    result = importer().run(samples / SAMPLE, create_missing=True, collect_pks=True)
    assert result.status is ImportStatus.SUCCEEDED, result.error
    new = Category.objects.filter(name__in=["Toyz", "Garden"])
    assert set(result.created_pks["shop.Category"]) == {c.pk for c in new}
    assert len(result.created_pks["shop.Category"]) == 2
    assert set(result.created_pks["shop.Product"]) == set(
        Product.objects.values_list("pk", flat=True)
    )


@BOTH
@pytest.mark.usefixtures("known")
def test_dry_run_with_create_missing_counts_and_writes_nothing(
    samples: Path, importer: type[ProductObjectsImporter]
) -> None:
    Store.objects.create(name="Paris Opéra")
    result = importer().run(samples / SAMPLE, create_missing=True, dry_run=True)
    assert result.status is ImportStatus.DRY_RUN
    assert result.count_for("shop.Category") == 2 and result.count_for("shop.Product") == 6
    assert Category.objects.count() == 2 and Product.objects.count() == 0


@BOTH
@pytest.mark.usefixtures("known")
def test_skip_invalid_leaves_out_and_lists_the_rows_with_unknown_keys(
    samples: Path, importer: type[ProductObjectsImporter]
) -> None:
    result = importer().run(samples / SAMPLE, skip_invalid=True)
    assert result.status is ImportStatus.SUCCEEDED
    assert result.skipped_rows == (2, 3, 4, 5, 6)
    assert list(Product.objects.values_list("sku", flat=True)) == ["SKU-9006"]
    assert _summary(result)["store"] == {"Paris Opéra": (1, [5])}
    assert Category.objects.count() == 2


@BOTH
@pytest.mark.usefixtures("known")
def test_known_keys_resolve_with_one_query_per_related_model_per_chunk(
    importer: type[ProductObjectsImporter],
) -> None:
    rows = 10
    frame = pl.DataFrame(
        {
            "sku": [f"S-{n}" for n in range(rows)],
            "name": [f"Thing {n}" for n in range(rows)],
            "price": [1.5] * rows,
            "quantity": [1] * rows,
            "category": ["Books", "Kitchen"] * (rows // 2),
            "store": ["Online", "Berlin Mitte"] * (rows // 2),
            "available_from": [None] * rows,
        },
        schema_overrides={"available_from": pl.Date},
    )
    with CaptureQueriesContext(connection) as queries:
        result = importer().run(frame, batch_size=4)
    assert result.status is ImportStatus.SUCCEEDED, result.error
    lookups = [q["sql"] for q in queries.captured_queries if '"name" IN' in q["sql"]]
    chunks = 3 if importer is ProductObjectsImporter else 1  # 10 rows by 4; frames: whole
    assert len(lookups) == 2 * chunks
    assert Product.objects.filter(category__name="Kitchen", store__name="Berlin Mitte").count() == 5


def test_unknown_keys_without_row_numbers_are_still_reported(known: None) -> None:
    frame = pl.DataFrame(
        {"sku": ["A"], "name": ["A"], "price": [1.0], "quantity": [1], "category": ["Nope"]}
    ).with_columns(
        pl.lit(None, pl.String).alias("store"), pl.lit(None, pl.Date).alias("available_from")
    )
    result = ProductObjectsImporter().run(frame)
    assert _summary(result) == {"category": {"Nope": (1, [2])}}
    assert [p.kind for p in result.problems] == [ProblemKind.UNKNOWN_KEY]


@pytest.fixture
def streamed(settings: Any) -> None:
    settings.WINIADMIN = {"STREAM_THRESHOLD_BYTES": 1, "STREAM_BATCH_ROWS": 1000}


def _big_file(path: Path, rows: int) -> Path:
    """Categories 'Cat 0'…'Cat 3' (700 rows each, so across batches); stores 'Store 0'…'Store 2'."""
    lines = [
        f"SKU-{n:06d},Thing {n},1.25,1,Cat {n // 700},Store {n % 3},2024-01-02" for n in range(rows)
    ]
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.usefixtures("streamed")
def test_streamed_files_collect_unmatched_values_over_every_batch(tmp_path: Path) -> None:
    Store.objects.bulk_create([Store(name=f"Store {n}") for n in range(2)])  # not 'Store 2'
    Category.objects.create(name="Cat 0")
    big = _big_file(tmp_path / "big.csv", 2500)
    result = ProductsImporter().run(big)
    assert result.status is ImportStatus.INVALID
    assert result.source_info["streamed"] == "1000"
    summary = {u.lookup.field: dict(u.counts) for u in result.unmatched}
    assert summary == {
        "category": {"Cat 1": 700, "Cat 2": 700, "Cat 3": 400},
        "store": {"Store 2": 833},
    }
    by_field = {u.lookup.field: u for u in result.unmatched}
    assert by_field["store"].rows["Store 2"][:3] == [4, 7, 10]
    assert len(by_field["store"].rows["Store 2"]) == ROWS_PER_VALUE
    # Every row left out is a problem (the lists show the first few only).
    unknown = [p for p in result.problems if p.kind is ProblemKind.UNKNOWN_KEY]
    assert len(unknown) == 700 + 700 + 400 + 833
    assert result.problems.error_count == len(unknown)
    assert Product.objects.count() == 0

    Store.objects.create(name="Store 2")
    created = ProductsImporter().run(big, create_missing=True)
    assert created.status is ImportStatus.SUCCEEDED, created.error
    # Created once, in the batch that first named them; later batches find them.
    assert [(c.label, c.count) for c in created.created] == [
        ("shop.Category", 3),
        ("shop.Product", 2500),
    ]
    assert Category.objects.count() == 4
    assert Product.objects.filter(category__name="Cat 1").count() == 700


class _WithOwnCategories(ProductsImporter):
    """Loads a category frame of its own too: the created ones add to its count."""

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        return {Category: pl.DataFrame({"name": ["Extra"]}), **super().get_frames_by_model(df)}


@pytest.mark.usefixtures("known")
def test_created_related_rows_add_to_the_count_of_a_model_the_import_loads_too(
    samples: Path,
) -> None:
    Store.objects.create(name="Paris Opéra")
    result = _WithOwnCategories().run(samples / SAMPLE, create_missing=True)
    assert result.status is ImportStatus.SUCCEEDED, result.error
    assert [(c.label, c.count) for c in result.created] == [
        ("shop.Category", 3),
        ("shop.Product", 6),
    ]
    assert Category.objects.filter(name__in=["Extra", "Toyz", "Garden"]).count() == 3
