"""run_import end to end on real files and a real database (SQLite or PostgreSQL)."""

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, cast

import polars as pl
import pytest
from django.db import transaction
from django.db.models import Model
from shop.importers import CatalogueCleaningDF, CatalogueObjectsImporter, OrdersImporter
from shop.models import Category, Customer, Order, OrderLine, Product, Store

from winiadmin.cleaning import CleaningDF
from winiadmin.cleaning.mapping import ColumnMapping
from winiadmin.pipeline import RunOptions, run_import
from winiadmin.pipeline.spec import ImportDeclarations
from winiadmin.problems import ProblemKind, Severity
from winiadmin.results import ImportStatus, Stage

if TYPE_CHECKING:
    from winiadmin.progress import Progress

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in (Category, Store, Product, Customer, Order, OrderLine)
    }


def test_clean_catalogue_imports_every_model_in_fk_order(samples: Path) -> None:
    result = CatalogueObjectsImporter().run(samples / "catalogue.csv")
    assert result.status is ImportStatus.SUCCEEDED, result.problems.errors()
    assert result.rows_read == result.rows_cleaned == 40
    assert [c.label for c in result.created] == ["shop.Category", "shop.Store", "shop.Product"]
    assert Product.objects.count() == 40
    assert Category.objects.count() == result.count_for("shop.Category") == 6
    assert Store.objects.count() == 4
    product = Product.objects.values_list("name", "price", "category__name", "store__name").get(
        sku="SKU-0001"
    )
    assert (product[0], str(product[1]), product[2], product[3]) == (
        "Golden Puzzle",
        "66.67",
        "Books",
        "Berlin Mitte",
    )
    assert set(result.timings) == {Stage.READ, Stage.CLEAN, Stage.TRANSFORM, Stage.LOAD}
    assert result.source_info["format"] == "csv"


@pytest.mark.parametrize(
    ("sample", "fmt", "rows"),
    [("catalogue.xlsx", "excel", 25), ("catalogue_more.json", "json", 15)],
)
def test_excel_and_json_samples_import_the_same_way(
    samples: Path, sample: str, fmt: str, rows: int
) -> None:
    result = CatalogueObjectsImporter().run(samples / sample)
    assert result.status is ImportStatus.SUCCEEDED, result.problems.errors()
    assert result.source_info["format"] == fmt
    assert Product.objects.count() == rows
    first = Product.objects.order_by("sku").values_list("sku", "price", "quantity").first()
    assert first is not None
    assert (first[0], str(first[1])) == (
        ("SKU-0001", "66.67") if fmt == "excel" else ("SKU-0026", "28.44")
    )


def test_dry_run_reports_counts_and_writes_nothing(samples: Path) -> None:
    result = CatalogueObjectsImporter().run(samples / "catalogue.csv", dry_run=True)
    assert result.status is ImportStatus.DRY_RUN
    assert result.total_created == 40 + 6 + 4
    assert set(counts().values()) == {0}
    assert result.created_pks == {}


def test_existing_parents_are_reused(samples: Path) -> None:
    Category.objects.create(name="Books")
    result = CatalogueObjectsImporter().run(samples / "catalogue.csv")
    assert result.count_for("shop.Category") == 5
    assert Category.objects.count() == 6
    assert Product.objects.filter(category__name="Books").count() > 0


def test_file_with_mistakes_is_refused_with_every_problem(samples: Path) -> None:
    result = CatalogueObjectsImporter().run(samples / "catalogue_with_mistakes.csv")
    assert result.status is ImportStatus.INVALID
    assert set(counts().values()) == {0}
    errors = {(p.row, p.column, p.kind) for p in result.problems.errors()}
    assert errors == {
        (3, "price", ProblemKind.INVALID_VALUE),
        (5, "name", ProblemKind.MISSING_VALUE),
        (8, "available_from", ProblemKind.INVALID_VALUE),
        (10, "quantity", ProblemKind.INVALID_VALUE),
        (12, "price", ProblemKind.INVALID_VALUE),
    }
    warnings = {(p.row, p.kind) for p in result.problems.warnings()}
    assert (7, ProblemKind.DUPLICATE_ROW) in warnings
    assert (None, ProblemKind.UNEXPECTED_COLUMN) in warnings
    price = next(p for p in result.problems.errors() if p.row == 3)
    assert price.value == "12,50 EUR"
    assert "nothing was written" in result.error


def test_dry_run_of_a_bad_file_still_counts_the_valid_rows(samples: Path) -> None:
    result = CatalogueObjectsImporter().run(samples / "catalogue_with_mistakes.csv", dry_run=True)
    assert result.status is ImportStatus.INVALID
    assert result.count_for("shop.Product") == 12 - 5 - 1
    assert Product.objects.count() == 0


def test_skip_invalid_imports_the_rest_and_lists_what_was_skipped(samples: Path) -> None:
    result = CatalogueObjectsImporter().run(
        samples / "catalogue_with_mistakes.csv", skip_invalid=True
    )
    assert result.status is ImportStatus.SUCCEEDED
    assert result.skipped_rows == (3, 5, 8, 10, 12)
    assert Product.objects.count() == 6
    assert not Product.objects.filter(sku__in=["SKU-0002", "SKU-0004"]).exists()


def test_database_conflicts_are_listed_with_rows_and_nothing_is_written(samples: Path) -> None:
    Product.objects.create(sku="SKU-0003", name="Already here", price=1)
    Product.objects.create(sku="SKU-0010", name="Already here too", price=1)
    for dry_run in (True, False):
        result = CatalogueObjectsImporter().run(samples / "catalogue.csv", dry_run=dry_run)
        assert result.status is ImportStatus.INVALID
        conflicts = [p for p in result.problems if p.kind is ProblemKind.DATABASE_CONFLICT]
        assert [(p.row, p.column, p.value) for p in conflicts] == [
            (4, "sku", "SKU-0003"),
            (11, "sku", "SKU-0010"),
        ]
        assert "already exists" in conflicts[0].message
    assert Product.objects.count() == 2
    assert Category.objects.count() == 0


def test_skip_invalid_also_skips_rows_that_conflict_with_the_database(samples: Path) -> None:
    Product.objects.create(sku="SKU-0003", name="Already here", price=1)
    result = CatalogueObjectsImporter().run(samples / "catalogue.csv", skip_invalid=True)
    assert result.status is ImportStatus.SUCCEEDED
    assert result.skipped_rows == (4,)
    assert Product.objects.count() == 40
    assert Product.objects.get(sku="SKU-0003").name == "Already here"


def test_a_key_repeated_in_the_file_is_a_conflict_on_the_later_rows(tmp_path: Path) -> None:
    class NoDedup(CatalogueCleaningDF):
        @classmethod
        def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
            return ()

    class Repeating(CatalogueObjectsImporter):
        cleaning_df_cls = NoDedup

    csv = tmp_path / "repeats.csv"
    lines = [f"{sku},Thing,1.00,1,,," for sku in ["A", "B", "A", "C", "A"]]
    csv.write_text("sku,name,price,quantity,category,store,available_from\n" + "\n".join(lines))
    result = Repeating().run(csv, batch_size=2)
    assert result.status is ImportStatus.INVALID
    conflicts = [p for p in result.problems if p.kind is ProblemKind.DATABASE_CONFLICT]
    assert [(p.row, p.value) for p in conflicts] == [(4, "A"), (6, "A")]
    assert "appears twice in this import" in conflicts[0].message
    assert Product.objects.count() == 0


def test_unknown_values_from_the_importer_point_at_rows(samples: Path) -> None:
    CatalogueObjectsImporter().run(samples / "catalogue.csv")
    result = OrdersImporter().run(samples / "orders_with_mistakes.csv", skip_invalid=True)
    assert result.status is ImportStatus.INVALID
    found = {(p.row, p.column, p.value) for p in result.problems.errors()}
    assert (3, "sku", "SKU-9999") in found
    assert Order.objects.count() == 0


def test_a_real_run_of_a_bad_file_reports_what_later_stages_find_too(samples: Path) -> None:
    CatalogueObjectsImporter().run(samples / "catalogue.csv")
    result = OrdersImporter().run(samples / "orders_with_mistakes.csv")
    assert result.status is ImportStatus.INVALID
    assert sorted((p.row or 0, p.column) for p in result.problems.errors()) == [
        (3, "sku"),
        (4, "customer_email"),
        (5, "quantity"),
    ]
    assert (Customer.objects.count(), Order.objects.count()) == (0, 0)


def test_orders_group_lines_and_create_customers(samples: Path) -> None:
    CatalogueObjectsImporter().run(samples / "catalogue.csv")
    result = OrdersImporter().run(samples / "orders.csv")
    assert result.status is ImportStatus.SUCCEEDED, result.problems.errors()
    assert Customer.objects.count() == 3
    assert Order.objects.count() == 8
    assert OrderLine.objects.count() == result.rows_cleaned
    order = Order.objects.get(order_id="ORD-001")
    assert order.amount == sum(line.quantity * line.unit_price for line in order.lines.all())


def test_importer_options_reach_the_transform(samples: Path, tmp_path: Path) -> None:
    books = Category.objects.create(name="Books")
    csv = tmp_path / "no_category.csv"
    csv.write_text("sku,name,price,quantity,category,store,available_from\nX-1,Thing,1.00,1,,,\n")
    result = CatalogueObjectsImporter({"default_category": books}).run(csv)
    assert result.status is ImportStatus.SUCCEEDED
    assert Product.objects.get(sku="X-1").category == books


def test_unreadable_file_is_a_clear_problem(tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02\xff" * 100)
    result = CatalogueObjectsImporter().run(junk)
    assert result.status is ImportStatus.INVALID
    (problem,) = result.problems
    assert problem.kind is ProblemKind.UNREADABLE_FILE
    assert result.error


def test_a_crash_in_the_importer_fails_cleanly(samples: Path) -> None:
    class Broken(CatalogueObjectsImporter):
        def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
            raise KeyError("store_nam")

    result = Broken().run(samples / "catalogue.csv")
    assert result.status is ImportStatus.FAILED
    assert "KeyError" in result.error
    assert Product.objects.count() == 0


def test_a_database_error_in_a_later_model_rolls_back_the_earlier_ones(samples: Path) -> None:
    class TooLong(CatalogueObjectsImporter):
        validate_model_rules = False  # the database, not the model's rules, refuses the value

        def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
            bulks = super().get_bulks_by_model(df)
            products = cast("list[Product]", list(bulks[Product]))
            products[-1].price = "not a decimal"
            return {**bulks, Product: products}

    result = TooLong().run(samples / "catalogue.csv")
    assert result.status is ImportStatus.FAILED
    assert set(counts().values()) == {0}


def test_timeout_rolls_back(samples: Path) -> None:
    result = CatalogueObjectsImporter().run(samples / "catalogue.csv", timeout=0)
    assert result.status is ImportStatus.FAILED
    assert "timeout" in result.error
    assert Product.objects.count() == 0


def test_batch_size_and_progress_reach_the_loader(samples: Path) -> None:
    seen: list[Progress] = []
    result = CatalogueObjectsImporter().run(
        samples / "catalogue.csv", batch_size=7, progress=seen.append
    )
    assert result.ok
    loads = [p for p in seen if p.stage is Stage.LOAD and p.done]
    # 6 categories + 4 stores + 40 products in chunks of at most 7 rows, counted as the share of
    # the file's 40 rows (people count their file's rows, not objects across models)
    assert [p.done for p in loads] == [40 * n // 50 for n in (6, 10, 17, 24, 31, 38, 45, 50)]
    assert {p.total for p in loads} == {40}
    assert [p.stage for p in seen if not p.done] == list(Stage)
    # Each stage that knows its rows says so from its start: all but reading.
    assert [p.total for p in seen if not p.done] == [None, 40, 40, 40]


def test_collect_pks_returns_the_created_keys(samples: Path) -> None:
    result = CatalogueObjectsImporter().run(samples / "catalogue.csv", collect_pks=True)
    created = {cast("int", pk) for pk in result.created_pks["shop.Product"]}
    assert created == set(Product.objects.values_list("pk", flat=True))


def test_inside_an_outer_transaction_the_import_rolls_back_with_it(samples: Path) -> None:
    with transaction.atomic():
        result = CatalogueObjectsImporter().run(samples / "catalogue.csv")
        assert Product.objects.count() == 40
        transaction.set_rollback(True)
    assert result.ok
    assert Product.objects.count() == 0


def test_a_dataframe_source_gets_row_numbers_from_two() -> None:
    class Plain(CleaningDF):
        @classmethod
        def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
            return {"name": pl.Utf8, "city": pl.Utf8}

        @classmethod
        def get_no_null_cols(cls) -> tuple[str, ...]:
            return ("name",)

    class Spec(ImportDeclarations):
        def get_cleaning_df_cls(self) -> type[CleaningDF]:
            return Plain

        def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
            return {Store: [Store(**row) for row in df.iter_rows(named=True)]}

    result = run_import(Spec(), pl.DataFrame({"name": ["a", None, "c"], "city": ["x", "y", "z"]}))
    assert result.status is ImportStatus.INVALID
    assert [(p.row, p.severity) for p in result.problems] == [(3, Severity.ERROR)]
    assert Store.objects.count() == 0
    result = run_import(
        Spec(),
        pl.DataFrame({"name": ["a", None, "c"], "city": ["x", "y", "z"]}),
        RunOptions(skip_invalid=True),
    )
    assert list(Store.objects.values_list("name", "city")) == [("a", "x"), ("c", "z")]


def test_odd_headers_are_matched_and_a_mapping_fixes_the_rest(samples: Path) -> None:
    """Case, accents, aliases and a typo match by themselves; "Shop" needs the caller's word."""
    odd = samples / "catalogue_odd_headers.csv"
    result = CatalogueObjectsImporter().run(odd)
    assert result.status is ImportStatus.INVALID
    assert result.column_matches is not None
    assert result.column_matches.unmatched == ("store",)
    missing = [p for p in result.problems if p.kind is ProblemKind.MISSING_COLUMN]
    assert [p.column for p in missing] == ["store"]
    assert Product.objects.count() == 0

    mapping = ColumnMapping({"Shop": "store", "Notes": None})
    result = CatalogueObjectsImporter().run(odd, column_mapping=mapping)
    assert result.status is ImportStatus.SUCCEEDED, result.problems.errors()
    assert result.column_matches is not None
    how = {c.header: (c.target, c.reason.value) for c in result.column_matches.columns}
    assert how == {
        "SKU": ("sku", "normalised"),
        "Product Name": ("name", "alias"),
        "Prix": ("price", "alias"),
        "Qty": ("quantity", "alias"),
        "Catégorie": ("category", "close"),
        "Shop": ("store", "chosen"),
        "Availble From": ("available_from", "close"),
        "Notes": (None, "ignored"),
    }
    # Ignored on purpose: no "unexpected column" warning for Notes.
    assert not list(result.problems)
    assert result.column_samples["Shop"] == ["Berlin Mitte", "Online", "Hamburg Hafen"]
    lamp = Product.objects.select_related("store").get(sku="SKU-0001")
    assert (lamp.name, str(lamp.price), lamp.store.name if lamp.store else None) == (
        "Golden Puzzle",
        "66.67",
        "Berlin Mitte",
    )
    assert Product.objects.count() == 10


def test_a_mapping_naming_an_unknown_column_stops_before_cleaning(samples: Path) -> None:
    mapping = ColumnMapping({"Shop": "warehouse"})
    result = CatalogueObjectsImporter().run(
        samples / "catalogue_odd_headers.csv", column_mapping=mapping
    )
    assert result.status is ImportStatus.INVALID
    [problem] = list(result.problems)
    assert problem.kind is ProblemKind.COLUMN_MAPPING
    assert "'warehouse', which the importer does not expect" in problem.message
    assert result.column_matches is None
    assert Product.objects.count() == 0
