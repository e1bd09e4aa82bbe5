"""Every row of the file accounted for, on both load paths:
read = imported + updated + unchanged + skipped + rejected, in file rows (not records)."""

from pathlib import Path
from typing import Any

import pytest
from shop.importers import CatalogueImporter, CatalogueObjectsImporter
from shop.models import Product

from tests.pipeline.test_batches import catalogue
from tests.pipeline.test_upsert import ObjectsUpsert
from tests.reliability.importers import BrokenObjectsImporter
from winiadmin.results import ImportResult, ImportStatus, RowAccounting

pytestmark = pytest.mark.django_db

HEADER = "sku,name,price,quantity,category,store,available_from\n"
BOTH = pytest.mark.parametrize(
    "importer", [CatalogueImporter, ObjectsUpsert], ids=["frames", "objects"]
)
# Row 3: a bad price; row 5 repeats row 2 exactly; rows 6 and 7 disagree about D-4.
MIXED = (
    "A-1,Lamp,1.00,1,Books,Online,\n"
    "B-2,Desk,lots,1,Books,Online,\n"
    "C-3,Chair,3.00,1,Toys,Paris,\n"
    "A-1,Lamp,1.00,1,Books,Online,\n"
    "D-4,Stool,4.00,1,Books,Online,\n"
    "D-4,Stool,5.00,1,Books,Online,\n"
    "E-5,Shelf,6.00,1,Books,Online,\n"
)


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "products.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def rows(result: ImportResult) -> RowAccounting:
    accounting = result.rows
    assert accounting.balanced, accounting
    assert accounting.read == result.rows_read
    return accounting


@BOTH
def test_a_clean_file_counts_file_rows_not_records(
    samples: Path, importer: type[CatalogueImporter]
) -> None:
    result = importer().run(samples / "catalogue.csv")
    assert result.committed
    assert result.total_created == 50  # products, categories and stores
    assert rows(result) == RowAccounting(read=40, imported=40)


@BOTH
def test_errors_and_duplicates_are_rejected_and_dropped_rows_skipped(
    tmp_path: Path, importer: type[CatalogueImporter]
) -> None:
    result = importer().run(write(tmp_path, MIXED))
    assert result.status is ImportStatus.INVALID
    # Would import rows 2, 4 and 8; row 5 dropped (a repeat of row 2); rows 3, 6, 7 rejected.
    assert rows(result) == RowAccounting(read=7, imported=3, skipped=1, rejected=3, dropped=1)
    assert not Product.objects.exists()


@BOTH
def test_skipping_invalid_rows_moves_them_to_skipped(
    tmp_path: Path, importer: type[CatalogueImporter]
) -> None:
    result = importer().run(write(tmp_path, MIXED), skip_invalid=True)
    assert result.committed
    assert rows(result) == RowAccounting(read=7, imported=3, skipped=4, dropped=1)
    assert Product.objects.count() == 3


@BOTH
def test_an_upsert_counts_created_updated_and_unchanged_rows(
    samples: Path, tmp_path: Path, importer: type[CatalogueImporter]
) -> None:
    assert importer().run(samples / "catalogue.csv").committed
    again = importer().run(samples / "catalogue_update.csv")
    assert again.committed
    # catalogue_update.csv: 12 rows, 3 prices changed (see test_upsert), 2 new SKUs.
    created = again.count_for("shop.Product")
    assert rows(again) == RowAccounting(
        read=12, imported=created, updated=again.total_updated, unchanged=again.total_unchanged
    )
    assert (again.rows.updated, again.rows.imported) == (3, created)
    dry = importer().run(samples / "catalogue.csv", dry_run=True)
    assert rows(dry) == RowAccounting(read=40, unchanged=40 - 3, updated=3)


def test_rows_in_conflict_with_the_database_are_rejected_or_skipped(samples: Path) -> None:
    assert CatalogueObjectsImporter().run(samples / "catalogue.csv").committed
    path = samples / "catalogue_update.csv"  # every SKU but the new ones is stored already
    blocked = CatalogueObjectsImporter().run(path)
    assert blocked.status is ImportStatus.INVALID
    accounting = rows(blocked)
    assert accounting.rejected == len({p.row for p in blocked.problems.errors()}) > 0
    skipped = CatalogueObjectsImporter().run(path, skip_invalid=True)
    assert skipped.committed
    assert rows(skipped) == RowAccounting(
        read=accounting.read, imported=accounting.imported, skipped=accounting.rejected
    )


def test_a_streamed_file_is_accounted_for_across_batches(tmp_path: Path, settings: Any) -> None:
    settings.WINIADMIN = {"STREAM_THRESHOLD_BYTES": 1, "STREAM_BATCH_ROWS": 1000}
    overrides = {
        20: "SKU-000008,Other,1.25,1,Cat 0,Store 0,2024-01-02",  # disagrees with row 10
        30: "SKU-000001,Thing 1,2.25,1,Cat 0,Store 1,2024-01-02",  # repeats row 3 exactly
        1802: "SKU-X,Broken,not-a-price,1,Cat 0,Store 0,2024-01-02",
        2100: "SKU-000038,Thing 38,39.25,3,Cat 0,Store 2,2024-01-02",  # row 40, a later batch
    }
    path = catalogue(tmp_path / "big.csv", 2500, overrides=overrides)
    result = CatalogueImporter().run(path, skip_invalid=True)
    assert result.committed, result.error
    assert rows(result) == RowAccounting(read=2500, imported=2495, skipped=5, dropped=1)
    assert Product.objects.count() == 2495


def test_a_failed_run_rejects_every_row(tmp_path: Path) -> None:
    result = BrokenObjectsImporter().run(b"code,name,quantity,price,day\nA,a,,,\nB,b,,,\n")
    assert result.status is ImportStatus.FAILED
    assert rows(result) == RowAccounting(read=2, rejected=2)
