"""Rows with the same key on both load paths, in a streamed file, and ``on_duplicate_key``."""

from pathlib import Path
from typing import Any

import pytest
from django.core.checks import Error
from shop.importers import CatalogueImporter, CatalogueObjectsImporter
from shop.models import Product

from tests.pipeline.test_batches import catalogue
from winiadmin.checks import check_duplicate_key_policy
from winiadmin.importers import register
from winiadmin.importers.registry import unregister
from winiadmin.problems import ProblemKind
from winiadmin.results import ImportStatus

pytestmark = pytest.mark.django_db

HEADER = "sku,name,price,quantity,category,store,available_from\n"
# Rows 2 and 4 disagree about A-1 (name, price); row 5 repeats row 3 exactly.
BODY = (
    "A-1,Lamp,1.00,1,Books,Online,\n"
    "B-2,Desk,2.00,1,Books,Online,\n"
    "A-1,Lamp XL,9.00,1,Books,Online,\n"
    "B-2,Desk,2.00,1,Books,Online,\n"
    "C-3,Chair,3.00,1,Books,Online,\n"
)
BOTH = pytest.mark.parametrize(
    "importer", [CatalogueImporter, CatalogueObjectsImporter], ids=["frames", "objects"]
)


def write(tmp_path: Path, body: str = BODY) -> Path:
    path = tmp_path / "products.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def names() -> dict[str | None, str]:
    return dict(Product.objects.values_list("sku", "name"))


@BOTH
def test_rows_that_disagree_stop_the_import_and_name_each_other(
    tmp_path: Path, importer: type[CatalogueImporter]
) -> None:
    result = importer().run(write(tmp_path))
    assert result.status is ImportStatus.INVALID
    errors = [(p.kind, p.row, p.column, p.value) for p in result.problems.errors()]
    assert errors == [
        (ProblemKind.DUPLICATE_KEY, 2, "sku", "A-1"),
        (ProblemKind.DUPLICATE_KEY, 4, "sku", "A-1"),
    ]
    assert result.problems.errors()[0].message == (
        "Rows 2 and 4 have the same sku 'A-1' but different name, price."
    )
    assert [(p.kind, p.row) for p in result.problems.warnings()] == [(ProblemKind.DUPLICATE_ROW, 5)]
    assert not Product.objects.exists()


@BOTH
def test_skipping_invalid_rows_leaves_every_row_of_the_key_out(
    tmp_path: Path, importer: type[CatalogueImporter]
) -> None:
    result = importer().run(write(tmp_path), skip_invalid=True)
    assert result.status is ImportStatus.SUCCEEDED
    assert result.skipped_rows == (2, 4)
    assert names() == {"B-2": "Desk", "C-3": "Chair"}


@BOTH
@pytest.mark.parametrize(("policy", "kept", "name"), [("first", 2, "Lamp"), ("last", 4, "Lamp XL")])
def test_first_or_last_wins_when_the_importer_says_so(
    tmp_path: Path, importer: type[CatalogueImporter], policy: str, kept: int, name: str
) -> None:
    declared: Any = type("Declared", (importer,), {"on_duplicate_key": policy})
    result = declared().run(write(tmp_path))
    assert result.status is ImportStatus.SUCCEEDED, result.error
    dropped = 6 - kept
    warning = next(p for p in result.problems.warnings() if p.row == dropped)
    assert warning.message == (
        f"Rows 2 and 4 have the same sku 'A-1' but different name, price; row {kept} is used "
        f"({policy} wins), row {dropped} is dropped."
    )
    assert names() == {"A-1": name, "B-2": "Desk", "C-3": "Chair"}


def test_a_streamed_file_applies_the_rule_within_a_batch_and_the_database_check_across(
    tmp_path: Path, settings: Any
) -> None:
    settings.WINIADMIN = {"STREAM_THRESHOLD_BYTES": 1, "STREAM_BATCH_ROWS": 1000}
    # Rows 10 and 20 (one batch) disagree about SKU-000008; row 1500 (a later batch) repeats
    # row 30's SKU with the same values.
    overrides = {
        20: "SKU-000008,Other,1.25,1,Cat 0,Store 0,2024-01-02",
        1500: "SKU-000028,Thing 28,29.25,0,Cat 0,Store 1,2024-01-02",
    }
    result = CatalogueImporter().run(catalogue(tmp_path / "big.csv", 2500, overrides=overrides))
    assert result.source_info.get("streamed") == "1000"
    assert result.status is ImportStatus.INVALID
    errors = [(p.kind, p.row) for p in result.problems.errors()]
    assert errors == [
        (ProblemKind.DUPLICATE_KEY, 10),
        (ProblemKind.DUPLICATE_KEY, 20),
        (ProblemKind.DATABASE_CONFLICT, 1500),
    ]
    assert "already exists" in result.problems.errors()[2].message
    assert not Product.objects.exists()


def test_the_policy_is_checked() -> None:
    class Wrong(CatalogueImporter):
        name = "tests.wrong_policy"
        on_duplicate_key = "newest"  # type: ignore[assignment]

    register(Wrong)
    try:
        (error,) = check_duplicate_key_policy(None)
    finally:
        unregister(Wrong)
    assert isinstance(error, Error) and error.id == "winiadmin.E015"
    assert "'newest'" in error.msg and "'error', 'first', 'last'" in error.msg
    assert check_duplicate_key_policy(None) == []
