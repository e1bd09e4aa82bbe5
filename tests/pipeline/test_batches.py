"""The run's batch sources: a file read whole (one batch), a large file of a frame-native importer
read, cleaned and loaded in batches in one transaction."""

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from shop.importers import CatalogueImporter
from shop.models import Category, Product, Store

from tests.testapp.importers import InsertOnlyCatalogue
from winiadmin.cleaning.mapping import ColumnMapping
from winiadmin.cleaning.stage import CleaningOutcome
from winiadmin.exceptions import FileReadError, RowProblems
from winiadmin.pipeline.batches import describe_source, streamed_file, whole_file
from winiadmin.problems import Problem, ProblemKind, Severity
from winiadmin.progress import Progress
from winiadmin.readers import RawTable, ReadOptions
from winiadmin.readers.batched import batch_plan
from winiadmin.results import ImportStatus, Stage

pytestmark = pytest.mark.django_db

HEADER = "sku,name,price,quantity,category,store,available_from\n"


def catalogue(path: Path, rows: int, *, overrides: dict[int, str] | None = None) -> Path:
    """``rows`` products; ``overrides`` replaces the line of a file row (header = row 1)."""
    lines = [
        f"SKU-{n:06d},Thing {n},{n % 90 + 1}.25,{n % 7},Cat {n // 700},Store {n % 3},2024-01-02"
        for n in range(rows)
    ]
    for row, line in (overrides or {}).items():
        lines[row - 2] = line
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def streamed(settings: Any) -> None:
    settings.WINIADMIN = {"STREAM_THRESHOLD_BYTES": 1, "STREAM_BATCH_ROWS": 1000}


@pytest.mark.usefixtures("streamed")
def test_a_large_file_is_loaded_batch_by_batch(tmp_path: Path) -> None:
    result = CatalogueImporter().run(catalogue(tmp_path / "big.csv", 2500))
    assert result.status is ImportStatus.SUCCEEDED, result.problems.errors()
    assert result.source_info["streamed"] == "1000"
    assert result.rows_read == result.rows_cleaned == 2500
    assert Product.objects.count() == result.count_for("shop.Product") == 2500
    # Categories met in later batches are created once, and earlier ones are found again.
    assert sorted(Category.objects.values_list("name", flat=True)) == [f"Cat {n}" for n in range(4)]
    assert Store.objects.count() == 3
    assert Product.objects.get(sku="SKU-002499").category.name == "Cat 3"  # type: ignore[union-attr]
    assert result.preview.height > 0


@pytest.mark.usefixtures("streamed")
def test_problems_keep_their_file_rows_and_nothing_is_written(tmp_path: Path) -> None:
    bad = {1802: "SKU-X,Broken,not-a-price,1,Cat 0,Store 0,2024-01-02"}
    path = catalogue(tmp_path / "bad.csv", 2500, overrides=bad)
    result = CatalogueImporter().run(path)
    assert result.status is ImportStatus.INVALID
    assert [(p.row, p.column) for p in result.problems.errors()] == [(1802, "price")]
    assert not Product.objects.exists()
    assert not Category.objects.exists()
    skipped = CatalogueImporter().run(path, skip_invalid=True)
    assert skipped.status is ImportStatus.SUCCEEDED
    assert skipped.skipped_rows == (1802,)
    assert Product.objects.count() == 2499


@pytest.mark.usefixtures("streamed")
def test_a_key_repeated_in_a_later_batch_is_a_conflict(tmp_path: Path) -> None:
    repeat = {2005: "SKU-000008,Again,1.00,1,Cat 0,Store 0,2024-01-02"}
    result = CatalogueImporter().run(catalogue(tmp_path / "repeat.csv", 2500, overrides=repeat))
    assert result.status is ImportStatus.INVALID
    conflicts = [p for p in result.problems if p.kind is ProblemKind.DATABASE_CONFLICT]
    assert [(p.row, p.value) for p in conflicts] == [(2005, "SKU-000008")]
    assert "already exists" in conflicts[0].message
    assert not Product.objects.exists()


@pytest.mark.usefixtures("streamed")
def test_a_key_repeated_batches_apart_is_found_and_skipped(tmp_path: Path) -> None:
    """The first and the ninth batch share a key; with skip_invalid only the repeat is left out."""
    repeat = {8500: "SKU-000003,Again,1.00,1,Cat 0,Store 0,2024-01-02"}
    path = catalogue(tmp_path / "far.csv", 9000, overrides=repeat)
    result = CatalogueImporter().run(path)
    conflicts = [p for p in result.problems if p.kind is ProblemKind.DATABASE_CONFLICT]
    assert [(p.row, p.value) for p in conflicts] == [(8500, "SKU-000003")]
    assert result.status is ImportStatus.INVALID
    assert not Product.objects.exists()
    skipped = CatalogueImporter().run(path, skip_invalid=True)
    assert skipped.status is ImportStatus.SUCCEEDED
    assert skipped.skipped_rows == (8500,)
    assert Product.objects.count() == 8999
    assert Product.objects.get(sku="SKU-000003").name == "Thing 3"


@pytest.mark.usefixtures("streamed")
def test_a_key_already_stored_is_a_conflict(tmp_path: Path) -> None:
    Product.objects.create(sku="SKU-001500", name="kept", price=1)
    path = catalogue(tmp_path / "stored.csv", 2500)
    result = InsertOnlyCatalogue().run(path, skip_invalid=True)
    assert result.status is ImportStatus.SUCCEEDED
    assert result.skipped_rows == (1502,)
    assert Product.objects.count() == 2500
    assert Product.objects.get(sku="SKU-001500").name == "kept"


@pytest.mark.usefixtures("streamed")
def test_a_dry_run_counts_everything_and_writes_nothing(tmp_path: Path) -> None:
    result = CatalogueImporter().run(catalogue(tmp_path / "dry.csv", 2500), dry_run=True)
    assert result.status is ImportStatus.DRY_RUN
    assert result.count_for("shop.Product") == 2500
    assert result.count_for("shop.Category") == 4
    assert not Product.objects.exists()
    assert not Category.objects.exists()


@pytest.mark.usefixtures("streamed")
def test_queries_grow_with_batches_not_rows(tmp_path: Path) -> None:
    def queries(rows: int) -> int:
        Product.objects.all().delete()
        Category.objects.all().delete()
        Store.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            result = CatalogueImporter().run(catalogue(tmp_path / f"{rows}.csv", rows))
        assert result.status is ImportStatus.SUCCEEDED
        return sum("SAVEPOINT" not in q["sql"] for q in captured)

    # polars gives batches of 1000 records, the header included: 2000 rows are 3 batches.
    # Per batch at most: which categories and stores are missing (2), their inserts (2), one
    # lookup per related model (2), the products' executemany (1); then "is the table empty?"
    # once per model for the whole import (3).
    two, four = queries(2000), queries(4000)
    assert two <= 7 * 3 + 3
    assert four <= 7 * 5 + 3


def test_small_files_are_read_whole(tmp_path: Path) -> None:
    result = CatalogueImporter().run(catalogue(tmp_path / "small.csv", 50))
    assert result.status is ImportStatus.SUCCEEDED
    assert "streamed" not in result.source_info


@pytest.mark.usefixtures("streamed")
def test_a_file_with_a_blank_line_is_read_whole(tmp_path: Path) -> None:
    path = catalogue(tmp_path / "blank.csv", 30, overrides={10: ""})
    result = CatalogueImporter().run(path)
    assert "streamed" not in result.source_info
    assert result.status is ImportStatus.SUCCEEDED
    assert Product.objects.count() == 29


@pytest.mark.usefixtures("streamed")
def test_a_missing_column_stops_at_the_first_batch(tmp_path: Path) -> None:
    path = tmp_path / "nocol.csv"
    path.write_text("sku,name\n" + "\n".join(f"S{n},x" for n in range(1500)) + "\n")
    result = CatalogueImporter().run(path)
    assert result.status is ImportStatus.INVALID
    assert result.error == "The file cannot be imported; see the problems."
    assert {p.column for p in result.problems.errors()} >= {"price"}
    assert not Product.objects.exists()


@pytest.mark.usefixtures("streamed")
def test_an_importer_failing_in_a_later_batch_writes_nothing(tmp_path: Path) -> None:
    class FailsLater(CatalogueImporter):
        calls = 0

        def get_frames_by_model(self, df: Any) -> Any:
            FailsLater.calls += 1
            if FailsLater.calls == 2:
                raise RuntimeError("boom")
            return super().get_frames_by_model(df)

    result = FailsLater().run(catalogue(tmp_path / "fails.csv", 2500))
    assert result.status is ImportStatus.FAILED
    assert "RuntimeError: boom" in result.error
    assert not Product.objects.exists()
    assert not Category.objects.exists()


@pytest.mark.usefixtures("streamed")
def test_headers_are_matched_in_every_batch_as_in_a_file_read_whole(tmp_path: Path) -> None:
    """Aliases (``prix``, ``qty``) and a chosen mapping (``Artikel``) hold for every batch."""
    path = catalogue(tmp_path / "odd.csv", 2500)
    body = path.read_text(encoding="utf-8").split("\n", 1)[1]
    path.write_text("sku,Artikel,Prix,QTY,category,store,available_from\n" + body, "utf-8")
    result = CatalogueImporter().run(path, column_mapping=ColumnMapping({"Artikel": "name"}))
    assert result.status is ImportStatus.SUCCEEDED, result.problems.errors()
    assert result.source_info["streamed"] == "1000"
    assert Product.objects.count() == 2500
    last = Product.objects.get(sku="SKU-002499")
    assert (last.name, str(last.price), last.quantity) == ("Thing 2499", "70.25", 2499 % 7)
    assert result.column_matches is not None
    assert {m.header: m.target for m in result.column_matches.columns}["Prix"] == "price"


def test_a_streamed_upsert_adds_up_the_batches(tmp_path: Path, settings: Any) -> None:
    assert CatalogueImporter().run(catalogue(tmp_path / "base.csv", 2500)).committed
    settings.WINIADMIN = {"STREAM_THRESHOLD_BYTES": 1, "STREAM_BATCH_ROWS": 1000, "MAX_DIFFS": 2}
    line = "SKU-{:06d},Renamed {},1.25,1,Cat 0,Store 0,2024-01-02"
    changed = {r: line.format(r - 2, r) for r in (5, 1505, 2400)}
    result = CatalogueImporter().run(catalogue(tmp_path / "again.csv", 2500, overrides=changed))
    assert result.status is ImportStatus.SUCCEEDED, result.problems.errors()
    assert result.source_info["streamed"] == "1000"
    product = next(c for c in result.created if c.label == "shop.Product")
    assert (product.count, product.updated, product.unchanged) == (0, 3, 2497)
    # MAX_DIFFS: the first two changes are kept, the counts stay exact.
    assert [c.row for c in result.changes["shop.Product"]] == [5, 1505]
    assert Product.objects.get(sku="SKU-001503").name == "Renamed 1505"


@pytest.mark.usefixtures("streamed")
def test_on_cleaned_gets_the_first_batch_before_anything_is_loaded(tmp_path: Path) -> None:
    seen: list[tuple[int, int, int]] = []

    def cleaned(outcome: CleaningOutcome) -> None:
        rows = outcome.row_numbers.to_list()
        seen.append((outcome.frame.height, rows[0], Product.objects.count()))

    result = CatalogueImporter().run(catalogue(tmp_path / "big.csv", 2500), on_cleaned=cleaned)
    assert result.status is ImportStatus.SUCCEEDED
    first = result.cleaned_frame.height
    assert 0 < first < 2500
    assert seen == [(first, 2, 0)]  # once, the first batch, nothing loaded yet


def test_on_cleaned_gets_the_whole_file_before_the_load(tmp_path: Path) -> None:
    seen: list[tuple[list[str], int]] = []

    def cleaned(outcome: CleaningOutcome) -> None:
        seen.append((outcome.frame["sku"].to_list(), Product.objects.count()))

    result = CatalogueImporter().run(catalogue(tmp_path / "small.csv", 3), on_cleaned=cleaned)
    assert result.status is ImportStatus.SUCCEEDED and Product.objects.count() == 3
    assert seen == [(["SKU-000000", "SKU-000001", "SKU-000002"], 0)]


@pytest.mark.usefixtures("streamed")
def test_rows_the_reader_names_are_skipped_like_a_whole_file(tmp_path: Path) -> None:
    """Bad UTF-8 bytes, a NUL and ragged rows in later batches: named, never padded or garbled."""
    path = catalogue(tmp_path / "awkward.csv", 2500)
    data = path.read_bytes().splitlines(keepends=True)
    data[1500] = "SKU-A,Café au lait,1.25,1,Cat 0,Store 0,2024-01-02\n".encode()
    data[1501] = b"SKU-B,Caf\xe9,1.25,1,Cat 0,Store 0,2024-01-02\n"  # row 1502
    data[2200] = b"SKU-C,Nul\x00,1.25,1,Cat 0,Store 0,2024-01-02\n"  # row 2201
    data[2300] = b"SKU-D,Short,1.25\n"  # row 2301
    data[2400] = b"SKU-E,Long,1.25,1,Cat 0,Store 0,2024-01-02,more\n"  # row 2401
    path.write_bytes(b"".join(data))
    blocked = CatalogueImporter().run(path)
    assert blocked.status is ImportStatus.INVALID
    assert blocked.source_info["streamed"] == "1000"
    errors = [(p.row, p.column, p.value) for p in blocked.problems.errors()]
    assert errors == [
        (1502, "name", "Caf\\xe9"),
        (2201, "name", "Nul\\x00"),
        (2301, "quantity, category, store, available_from", None),
        (2401, None, "more"),
    ]
    assert not Product.objects.exists()
    result = CatalogueImporter().run(path, skip_invalid=True)
    assert result.status is ImportStatus.SUCCEEDED, result.problems.errors()
    assert result.skipped_rows == (1502, 2201, 2301, 2401)
    assert Product.objects.count() == 2496
    assert Product.objects.get(sku="SKU-A").name == "Café au lait"


def test_a_whole_file_is_one_batch_read_when_asked_for(tmp_path: Path) -> None:
    path = catalogue(tmp_path / "small.csv", 3)
    seen: list[Progress] = []
    source = whole_file(path, ReadOptions(), file_name=None, importer="x", progress=seen.append)
    assert not source.streamed and source.info == {}
    assert seen == []  # nothing read before the run asks
    tables = list(source.tables)
    assert [t.frame.height for t in tables] == [3]
    assert tables[0].row_numbers.to_list() == [2, 3, 4]
    assert seen == [Progress(Stage.READ, 0, None)]
    assert describe_source(tables[0], ReadOptions())["delimiter"] == "','"


def test_a_frame_source_is_one_batch_numbered_from_row_two() -> None:
    frame = pl.DataFrame({"sku": ["a", "b"]})
    source = whole_file(frame, ReadOptions(), file_name=None, importer="x", progress=print)
    (table,) = source.tables
    assert table.format == "dataframe" and table.row_numbers.to_list() == [2, 3]


def test_a_reader_that_fails_is_a_read_error_naming_the_file() -> None:
    def read() -> RawTable:
        raise FileNotFoundError(2, "No such file or directory", "/nowhere.csv")

    source = whole_file(read, ReadOptions(), file_name=None, importer="x", progress=print)
    with pytest.raises(FileReadError, match=r"No such file or directory: /nowhere\.csv"):
        next(source.tables)


def test_a_streamed_file_reports_the_rows_read_so_far(tmp_path: Path) -> None:
    path = catalogue(tmp_path / "big.csv", 25)
    plan = batch_plan(path, ReadOptions(), threshold=1)
    assert plan is not None
    seen: list[Progress] = []
    source = streamed_file(plan, 10, seen.append)
    assert source.streamed and source.info == {"streamed": "10"}
    tables = list(source.tables)
    # Records of the file, 10 at a time: the header is the first batch's first.
    assert [t.frame.height for t in tables] == [9, 10, 6]
    assert tables[1].row_numbers[0] == 11  # file rows: header = 1
    assert [(p.stage, p.done, p.total, p.detail) for p in seen] == [
        (Stage.READ, 9, None, "rows"),
        (Stage.READ, 19, None, "rows"),
        (Stage.READ, 25, None, "rows"),
    ]


def test_a_streamed_file_matches_the_group_header_once(tmp_path: Path) -> None:
    path = catalogue(tmp_path / "big.csv", 25)
    plan = batch_plan(path, ReadOptions(), threshold=1)
    assert plan is not None
    asked: list[tuple[str, ...]] = []

    def header(headers: tuple[str, ...]) -> str | None:
        asked.append(headers)
        return "category"

    tables = list(streamed_file(plan, 10, print, group_header=header).tables)
    assert len(asked) == 1
    # Categories change every 700 rows: the one group is never cut.
    assert [t.frame.height for t in tables] == [25]


@pytest.mark.usefixtures("streamed")
def test_row_problems_in_a_later_batch_block_like_a_file_read_whole(tmp_path: Path) -> None:
    class RefusesLater(CatalogueImporter):
        calls = 0

        def get_frames_by_model(self, df: Any) -> Any:
            RefusesLater.calls += 1
            if RefusesLater.calls == 2:
                problem = Problem(ProblemKind.INVALID_VALUE, Severity.ERROR, "no", 1500, "sku")
                raise RowProblems([problem])
            return super().get_frames_by_model(df)

    result = RefusesLater().run(catalogue(tmp_path / "refused.csv", 2500))
    assert result.status is ImportStatus.INVALID
    assert result.error.startswith("1 problem must be fixed first; nothing was written.")
    assert [(p.row, p.column) for p in result.problems.errors()] == [(1500, "sku")]
    assert not Product.objects.exists()


@pytest.mark.usefixtures("streamed")
def test_a_streamed_load_reports_file_rows_loaded_so_far(tmp_path: Path) -> None:
    seen: list[Progress] = []
    result = CatalogueImporter().run(catalogue(tmp_path / "big.csv", 2500), progress=seen.append)
    assert result.status is ImportStatus.SUCCEEDED, result.error
    loads = [p for p in seen if p.stage is Stage.LOAD]
    assert loads and all(p.total is None for p in loads)
    assert loads[-1].done == 2500
    assert [p.done for p in loads] == sorted(p.done for p in loads)
    # A streamed batch tells no stage start: its stages have no total to start from.
    assert not [p for p in seen if p.stage is Stage.CLEAN]
