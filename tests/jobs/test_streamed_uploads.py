"""Uploads are read in batches like files given by path (issue 19 §1): the preview and the table
kept for edits cover every batch, edits apply in every batch, and the created keys are kept as
ranges that undo reads. Both databases (``WINIADMIN_TEST_DB``)."""

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from shop.models import Product

from tests.jobs.conftest import HEADER, MakeJob
from winiadmin.cleaning.stage import CleaningOutcome
from winiadmin.db import key_runs
from winiadmin.db.key_runs import KeyRuns, stored_count, stored_keys
from winiadmin.importers import RunOptions, get_importer
from winiadmin.jobs.edits import exclude_row, set_cell
from winiadmin.jobs.fingerprint import fingerprint
from winiadmin.jobs.frames import count_rows, read_page
from winiadmin.jobs.keys import sorted_runs
from winiadmin.jobs.local_file import local_upload
from winiadmin.jobs.parquet_parts import ParquetParts
from winiadmin.jobs.raw import has_row, raw_column
from winiadmin.jobs.runner import execute_job, validate_job
from winiadmin.jobs.undo import undo_job
from winiadmin.models import ImportJob
from winiadmin.readers import RawTable

ROWS = 10


def _csv(rows: int = ROWS) -> bytes:
    lines = b"".join(b"S-%d,Thing %d,1.50,2,Books,Online,\n" % (i, i) for i in range(rows))
    return HEADER + lines


@pytest.fixture
def streamed(settings: Any) -> None:
    """Every upload read 4 rows at a time."""
    settings.WINIADMIN = {"STREAM_THRESHOLD_BYTES": 1, "STREAM_BATCH_ROWS": 4}


@pytest.mark.django_db
def test_the_preview_and_the_table_as_read_cover_every_batch(
    streamed: None, make_job: MakeJob
) -> None:
    job = make_job(_csv())
    assert job.status == ImportJob.Status.VALIDATED
    assert job.import_report.source.items.get("streamed") == "4"  # read in batches
    assert count_rows(job.preview_file) == ROWS  # not only the first batch
    page = read_page(job.preview_file, 0, ROWS)
    assert page["row"].to_list() == list(range(2, ROWS + 2))
    assert page["sku"].to_list() == [f"S-{i}" for i in range(ROWS)]
    assert has_row(job.pk, ROWS + 1)  # the last row, of the third batch, kept for edits
    assert raw_column(job.pk, "name").height == ROWS


@pytest.mark.django_db
def test_edits_apply_in_every_batch(streamed: None, make_job: MakeJob, user: User) -> None:
    job = make_job(_csv())
    exclude_row(job, user, 9)  # S-7, in the second batch
    set_cell(job, user, 11, "name", "Renamed")  # S-9, in the third
    job.refresh_from_db()
    validate_job(job)
    job.refresh_from_db()
    page = read_page(job.preview_file, 0, ROWS)
    assert 9 not in page["row"].to_list()
    assert page.filter(pl.col("row") == 11)["name"].to_list() == ["Renamed"]
    assert count_rows(job.preview_file) == ROWS - 1
    execute_job(job, skip_invalid=False, user=user)
    assert Product.objects.count() == ROWS - 1
    assert Product.objects.get(sku="S-9").name == "Renamed"
    assert not Product.objects.filter(sku="S-7").exists()


@pytest.mark.django_db
def test_a_streamed_run_keeps_its_keys_as_ranges_and_undo_deletes_them(
    streamed: None, make_job: MakeJob, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(key_runs, "LIST_UP_TO", 0)  # 10 keys stand for millions
    job = make_job(_csv())
    execute_job(job, skip_invalid=False, user=user)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    stored = job.created_pks["shop.Product"]
    assert isinstance(stored, dict)  # ranges, not a key per row (LIST_UP_TO is 0 here)
    assert stored_count(stored) == ROWS == job.created_counts["shop.Product"]
    assert sorted(int(str(k)) for k in stored_keys(stored)) == sorted(
        Product.objects.values_list("pk", flat=True)
    )
    undo_job(job, user)
    assert not Product.objects.exists()


def test_key_runs_keep_consecutive_keys_as_ranges() -> None:
    runs = KeyRuns()
    runs.extend([1, 2, 3, 7, 9, 10])
    runs.extend([11, 12])
    assert runs.ranges() == [(1, 3), (9, 12)]
    assert list(runs) == [1, 2, 3, 9, 10, 11, 12, 7]
    assert len(runs) == 8
    stored = runs.as_json()
    assert stored == {"ranges": [[1, 3], [9, 12]], "keys": [7]}
    assert sorted(int(str(k)) for k in stored_keys(stored)) == [1, 2, 3, 7, 9, 10, 11, 12]
    assert stored_count(stored) == 8
    assert stored_count(["1", "2"]) == 2 and list(stored_keys(["1", "2"])) == ["1", "2"]
    assert stored_count(None) is None


def test_key_runs_keep_text_keys_as_they_are() -> None:
    runs = KeyRuns()
    runs.extend(["a", "b"])
    assert runs.as_json() == {"ranges": [], "keys": ["a", "b"]}
    assert len(runs) == 2


@pytest.mark.django_db
def test_an_upload_in_a_storage_without_paths_is_spooled(make_job: MakeJob) -> None:
    job = make_job(_csv(3), validate=False)
    remote = InMemoryStorage()
    name = remote.save("upload.csv", ContentFile(_csv(3)))
    job.file.storage = remote
    job.file.name = name
    with local_upload(job.file) as path, open(path, "rb") as handle:
        assert path.endswith(".csv")
        assert handle.read() == _csv(3)


@pytest.mark.django_db
def test_parquet_parts_combine_batches_of_another_schema_into_one_file() -> None:
    with ParquetParts(row_group_size=2) as parts:
        parts.add(pl.DataFrame({"row": [2, 3], "name": ["a", "b"]}))
        parts.add(pl.DataFrame({"row": [4], "name": [None]}))  # all empty: another type
        parts.add(pl.DataFrame({"row": [5], "name": ["e"]}))
        name = parts.save("winiadmin/test-parts/cleaned.parquet")
    page = read_page(name, 0, 10)
    assert page["row"].to_list() == [2, 3, 4, 5]
    assert page["name"].to_list() == ["a", "b", None, "e"]
    assert count_rows(name) == 4


@pytest.mark.django_db
def test_the_first_batch_is_cleaned_and_handed_over_before_the_rest_is_read(
    streamed: None, tmp_path: Path
) -> None:
    path = tmp_path / "products.csv"
    path.write_bytes(_csv())
    read: list[int] = []
    seen: list[tuple[int, list[int]]] = []

    def prepare(table: RawTable) -> RawTable:
        read.append(table.frame.height)
        return table

    def on_cleaned(cleaned: CleaningOutcome) -> None:
        seen.append((len(read), cleaned.row_numbers.to_list()))

    get_importer("shop.catalogue")().run(
        str(path), RunOptions(dry_run=True, prepare_batch=prepare, on_cleaned=on_cleaned)
    )
    # One batch read (the header is one of its 4 records) when its rows were handed over.
    assert seen == [(1, [2, 3, 4])]
    assert sum(read) == ROWS and len(read) == 3


@pytest.mark.django_db
def test_a_fingerprint_of_stored_ranges_is_that_of_the_keys(make_job: MakeJob) -> None:
    make_job(_csv(), validate=False)
    execute = make_job(_csv())
    execute_job(execute, skip_invalid=False)
    keys = sorted(Product.objects.values_list("pk", flat=True))
    runs = KeyRuns()
    runs.extend([*keys[5:], *keys[:5]])  # out of order, as batches and related rows may come
    runs.extend([keys[-1] + 1000])  # a key of no row
    stored = runs.as_json()
    found = sorted_runs(Product, stored)
    assert found is not None and list(found) == sorted([*keys, keys[-1] + 1000])
    wanted = sorted([*keys, keys[-1] + 1000])
    assert fingerprint(Product, found) == fingerprint(Product, wanted)
