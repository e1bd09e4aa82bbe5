"""The frame-native path gives the same results and reports as the instance path."""

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from shop.importers import CatalogueImporter, CatalogueObjectsImporter
from shop.models import Category, Product, Store

from tests.testapp.importers import InsertOnlyCatalogue
from winiadmin.problems import ProblemKind
from winiadmin.results import ImportStatus, Stage

if TYPE_CHECKING:
    from winiadmin.progress import Progress

pytestmark = pytest.mark.django_db

# Insert only: a stored SKU is a conflict (shop.catalogue itself updates it, see test_upsert).
BOTH = pytest.mark.parametrize("importer", [CatalogueObjectsImporter, InsertOnlyCatalogue])


@BOTH
def test_same_rows_as_the_instance_path(
    samples: Path, importer: type[CatalogueObjectsImporter]
) -> None:
    result = importer().run(samples / "catalogue.csv")
    assert result.status is ImportStatus.SUCCEEDED, result.problems.errors()
    assert [(c.label, c.count) for c in result.created] == [
        ("shop.Category", 6),
        ("shop.Store", 4),
        ("shop.Product", 40),
    ]
    product = Product.objects.values_list("name", "price", "category__name", "store__name").get(
        sku="SKU-0001"
    )
    assert (product[0], str(product[1]), product[2], product[3]) == (
        "Golden Puzzle",
        "66.67",
        "Books",
        "Berlin Mitte",
    )


@BOTH
def test_dry_run_counts_and_writes_nothing(
    samples: Path, importer: type[CatalogueObjectsImporter]
) -> None:
    result = importer().run(samples / "catalogue.csv", dry_run=True)
    assert result.status is ImportStatus.DRY_RUN
    assert result.total_created == 50
    assert Product.objects.count() == Category.objects.count() == Store.objects.count() == 0


@BOTH
def test_conflicts_with_rows(samples: Path, importer: type[CatalogueObjectsImporter]) -> None:
    Product.objects.create(sku="SKU-0003", name="Already here", price=1)
    result = importer().run(samples / "catalogue.csv")
    assert result.status is ImportStatus.INVALID
    conflicts = [p for p in result.problems if p.kind is ProblemKind.DATABASE_CONFLICT]
    assert [(p.row, p.column, p.value) for p in conflicts] == [(4, "sku", "SKU-0003")]
    assert Product.objects.count() == 1
    assert Category.objects.count() == 0
    skipped = importer().run(samples / "catalogue.csv", skip_invalid=True)
    assert skipped.status is ImportStatus.SUCCEEDED
    assert skipped.skipped_rows == (4,)
    assert Product.objects.count() == 40


@BOTH
def test_bad_rows_are_skipped_only_on_request(
    samples: Path, importer: type[CatalogueObjectsImporter]
) -> None:
    refused = importer().run(samples / "catalogue_with_mistakes.csv")
    assert refused.status is ImportStatus.INVALID
    assert Product.objects.count() == 0
    result = importer().run(samples / "catalogue_with_mistakes.csv", skip_invalid=True)
    assert result.status is ImportStatus.SUCCEEDED
    assert result.skipped_rows == (3, 5, 8, 10, 12)
    assert Product.objects.count() == 6


def test_frame_path_reuses_existing_parents_and_takes_the_default_category(tmp_path: Path) -> None:
    books = Category.objects.create(name="Books")
    Store.objects.create(name="Online")
    csv = tmp_path / "c.csv"
    csv.write_text(
        "sku,name,price,quantity,category,store,available_from\n"
        "X-1,Thing,1.00,1,,Online,\nX-2,Other,2.50,3,Games,Online,2026-01-01\n"
    )
    result = CatalogueImporter({"default_category": books}).run(csv)
    assert result.status is ImportStatus.SUCCEEDED
    assert result.count_for("shop.Category") == 1
    assert result.count_for("shop.Store") == 0
    assert Product.objects.get(sku="X-1").category == books
    assert Product.objects.get(sku="X-2").category.name == "Games"  # type: ignore[union-attr]


def test_frame_path_queries_do_not_grow_with_rows(samples: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    lines = (samples / "catalogue.csv").read_text().splitlines()
    rows = [line.replace("SKU-", f"B{i}-") for i in range(25) for line in lines[1:]]
    big.write_text("\n".join([lines[0], *rows]) + "\n")
    with CaptureQueriesContext(connection) as small_queries:
        CatalogueImporter().run(samples / "catalogue.csv", dry_run=True)
    with CaptureQueriesContext(connection) as big_queries:
        result = CatalogueImporter().run(big, dry_run=True)
    assert result.count_for("shop.Product") == 1000
    assert len(big_queries) == len(small_queries)


def test_frame_path_reports_progress_per_chunk(samples: Path) -> None:
    seen: list[Progress] = []
    CatalogueImporter().run(samples / "catalogue.csv", batch_size=15, progress=seen.append)
    loads = [p.done for p in seen if p.stage is Stage.LOAD and p.done]
    assert loads == [40 * n // 50 for n in (6, 10, 25, 40, 50)]  # in file rows: 40, not 50
