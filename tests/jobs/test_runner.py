"""The job services: create (store the upload), validate (the dry run), execute (the real run)."""

import hashlib
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import SimpleUploadedFile
from shop.models import Category, Product, Store

from tests.jobs.conftest import CSV, HEADER, MakeJob, on_disk
from winiadmin.importers import get_importer
from winiadmin.jobs.frames import count_rows, read_page
from winiadmin.jobs.runner import JobStateError, create_job, execute_job, validate_job
from winiadmin.models import ImportJob
from winiadmin.storage import upload_storage

pytestmark = pytest.mark.django_db

Status = ImportJob.Status


def test_create_job_stores_the_upload_under_the_job_id(user: User) -> None:
    job = create_job(
        importer=get_importer("shop.catalogue"),
        upload=SimpleUploadedFile("../My Prices (2026).CSV", CSV),
        user=user,
        options={"default_category": "Books"},
        read_options={"encoding": "utf-8", "delimiter": None, "sheet": ""},
        skip_invalid=True,
        target_model="shop.Product",
    )
    job.refresh_from_db()
    assert job.status == Status.UPLOADED
    assert job.file.name == f"winiadmin/{job.pk}/upload.csv"
    assert Path(upload_storage().path(job.file.name)).read_bytes() == CSV
    assert job.original_name == "My Prices (2026).CSV"
    assert job.size == len(CSV)
    assert job.sha256 == hashlib.sha256(CSV).hexdigest()
    assert job.options == {"default_category": "Books"}
    assert job.read_options == {"encoding": "utf-8"}  # unset ones are not stored
    assert job.skip_invalid is True
    assert job.target_model == "shop.Product"
    assert job.user == user
    assert job.preview_file == "" and job.report == {}


def test_create_job_without_a_user(db: None) -> None:
    for nobody in (None, AnonymousUser()):
        job = create_job(
            importer=get_importer("shop.catalogue"),
            upload=SimpleUploadedFile("x.csv", CSV),
            user=nobody,
            options={},
            read_options={},
        )
        assert job.user is None


def test_validate_job_is_a_dry_run_with_a_stored_preview(make_job: MakeJob) -> None:
    job = make_job(validate=False)
    result = validate_job(job)
    assert result.dry_run is True
    job.refresh_from_db()
    assert job.status == Status.VALIDATED
    assert job.validated_at is not None and job.error == ""
    assert job.dry_run_counts == {"shop.Category": 1, "shop.Store": 1, "shop.Product": 2}
    assert job.report["rows_read"] == 2 and job.report["problem_count"] == 0
    assert not Product.objects.exists() and not Category.objects.exists()

    assert job.preview_file == f"winiadmin/{job.pk}/cleaned-{job.attempt}.parquet"
    assert count_rows(job.preview_file) == 2
    page = read_page(job.preview_file, 1, 10)
    assert page.columns[:3] == ["row", "sku", "name"]
    assert page.rows()[0][:3] == (3, "A-2", "Other")


def test_validate_again_replaces_the_preview(make_job: MakeJob, insert_only_catalogue: str) -> None:
    job = make_job(importer=insert_only_catalogue)
    name = job.preview_file
    Product.objects.create(sku="A-2", name="Meanwhile", price=1)
    validate_job(job)
    job.refresh_from_db()
    assert job.status == Status.INVALID
    # One preview per attempt (a stale attempt never replaces its retry's); the earlier one goes.
    assert job.preview_file == f"winiadmin/{job.pk}/cleaned-{job.attempt}.parquet" != name
    _dirs, files = upload_storage().listdir(f"winiadmin/{job.pk}")
    kept = sorted(f for f in files if not f.endswith(".outcome"))  # cancel_flag's markers
    # raw.parquet: the table as read, kept for the edits (winiadmin.jobs.raw).
    assert kept == [f"cleaned-{job.attempt}.parquet", "raw.parquet", "upload.csv"]
    assert job.dry_run_counts["shop.Product"] == 1


def test_validate_invalid_and_failed_jobs(make_job: MakeJob) -> None:
    job = make_job(HEADER + b"A-1,Thing,oops,1,,,\n")
    assert job.status == Status.INVALID
    assert job.error.startswith("1 problem must be fixed first; nothing was written.")
    assert count_rows(job.preview_file) == 0

    unreadable = make_job(b"\x00\x01 not a workbook", name="x.xlsx")
    assert unreadable.status in {Status.INVALID, Status.FAILED}
    assert unreadable.error


@pytest.mark.parametrize(
    "status", [Status.VALIDATING, Status.RUNNING, Status.SUCCEEDED, Status.CANCELLED]
)
def test_validate_refuses_jobs_busy_or_done(make_job: MakeJob, status: str) -> None:
    job = make_job()
    ImportJob.objects.filter(pk=job.pk).update(status=status)
    with pytest.raises(JobStateError, match=r", so it cannot be checked again\.$"):
        validate_job(job)
    job.refresh_from_db()
    assert job.status == status


def test_execute_job_imports_once_and_logs(make_job: MakeJob, user: User) -> None:
    job = make_job()
    result = execute_job(job, skip_invalid=False, user=user)
    assert result.committed
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED
    assert job.started_at is not None and job.finished_at is not None
    assert job.started_at <= job.finished_at
    assert job.created_counts == {"shop.Category": 1, "shop.Store": 1, "shop.Product": 2}
    assert job.created_pks == {
        "shop.Category": [str(Category.objects.get().pk)],
        "shop.Store": [str(Store.objects.get().pk)],
        "shop.Product": [
            str(pk) for pk in Product.objects.order_by("sku").values_list("pk", flat=True)
        ],
    }
    log = LogEntry.objects.get()
    assert log.user == user and log.object_id == str(job.pk)
    assert log.get_change_message() == (
        "Imported data.csv: created 1 categories, 1 stores, 2 products."
    )

    with pytest.raises(JobStateError, match="This import has already succeeded"):
        execute_job(job, skip_invalid=False, user=user)
    assert Product.objects.count() == 2 and LogEntry.objects.count() == 1


def test_execute_job_without_a_user_writes_no_log(make_job: MakeJob) -> None:
    execute_job(make_job(), skip_invalid=False)
    assert Product.objects.count() == 2
    assert not LogEntry.objects.exists()


def test_a_stale_copy_of_the_job_cannot_run_it_again(make_job: MakeJob) -> None:
    """Two tabs (two requests) holding the same validated job: the first confirm wins."""
    job = make_job()
    other_tab = ImportJob.objects.get(pk=job.pk)
    execute_job(job, skip_invalid=False)
    assert other_tab.status == Status.VALIDATED  # what the second request loaded
    with pytest.raises(JobStateError, match="This import has already succeeded"):
        execute_job(other_tab, skip_invalid=False)
    assert other_tab.status == Status.SUCCEEDED
    assert Product.objects.count() == 2


def test_invalid_jobs_run_only_when_skipping_row_errors(make_job: MakeJob) -> None:
    job = make_job(CSV + b"A-3,,bad,1,,,\n")
    assert job.status == Status.INVALID
    with pytest.raises(JobStateError, match="fix the problems, or choose to skip invalid rows"):
        execute_job(job, skip_invalid=False)
    assert not Product.objects.exists()

    result = execute_job(job, skip_invalid=True)
    assert result.committed and result.skipped_rows == (4,)
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED and job.skip_invalid is True
    assert set(Product.objects.values_list("sku", flat=True)) == {"A-1", "A-2"}


def test_file_errors_cannot_be_skipped(make_job: MakeJob) -> None:
    job = make_job(b"sku,name\nA-1,Thing\n")
    assert job.status == Status.INVALID and job.report["file_errors"] == 5
    with pytest.raises(JobStateError):
        execute_job(job, skip_invalid=True)
    job.refresh_from_db()
    assert job.status == Status.INVALID


def test_a_job_never_validated_cannot_run(make_job: MakeJob) -> None:
    job = make_job(validate=False)
    with pytest.raises(
        JobStateError, match=r"This import has not been checked yet, so it cannot be started\."
    ):
        execute_job(job, skip_invalid=False)
    assert not Product.objects.exists()


def test_conflict_found_by_the_real_run(make_job: MakeJob, insert_only_catalogue: str) -> None:
    job = make_job(importer=insert_only_catalogue)
    Product.objects.create(sku="A-1", name="Meanwhile", price=1)
    result = execute_job(job, skip_invalid=False)
    assert not result.committed
    job.refresh_from_db()
    assert job.status == Status.INVALID
    assert job.error == "Some rows conflict with data in the database; nothing was written."
    assert job.created_pks == {} and job.created_counts == {}
    assert Product.objects.count() == 1 and not Category.objects.exists()
    # The conflict is a row problem: skipping it imports the rest.
    execute_job(job, skip_invalid=True)
    assert set(Product.objects.values_list("sku", flat=True)) == {"A-1", "A-2"}
    assert Product.objects.get(sku="A-1").name == "Meanwhile"


def test_an_option_object_deleted_since_the_upload_fails_the_job(make_job: MakeJob) -> None:
    Category.objects.create(name="Books")
    job = make_job(HEADER + b"A-1,Thing,1,1,,,\n", options={"default_category": "Books"})
    assert job.status == Status.VALIDATED
    Category.objects.all().delete()

    with pytest.raises(JobStateError, match=r"default_category: no category with name 'Books'\."):
        execute_job(job, skip_invalid=False)
    job.refresh_from_db()
    assert job.status == Status.FAILED  # not left "running" for ever
    assert job.error == "default_category: no category with name 'Books'."
    assert not Product.objects.exists()

    # Once the category is back, the failed job can be checked again and run.
    Category.objects.create(name="Books")
    validate_job(job)
    execute_job(job, skip_invalid=False)
    assert Product.objects.get().category is not None


@pytest.mark.parametrize("how", ["field cleared", "file removed"])
def test_a_deleted_upload_fails_the_job(make_job: MakeJob, how: str) -> None:
    job = make_job()
    ImportJob.objects.filter(pk=job.pk).update(status=Status.FAILED)
    job.refresh_from_db()
    if how == "field cleared":
        job.file.delete(save=True)
    else:
        assert job.file.name
        upload_storage().delete(job.file.name)
    with pytest.raises(JobStateError, match="upload the file again"):
        validate_job(job)
    job.refresh_from_db()
    assert job.status == Status.FAILED  # not left "validating"
    assert "upload the file again" in job.error
    assert on_disk(job.preview_file)


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        (Status.VALIDATING, "This import is being checked, so it cannot be checked again."),
        (Status.RUNNING, "This import is running, so it cannot be checked again."),
        (Status.SUCCEEDED, "This import has already succeeded, so it cannot be checked again."),
        (Status.CANCELLED, "This import was cancelled, so it cannot be checked again."),
    ],
)
def test_refusals_are_whole_sentences(make_job: MakeJob, status: str, sentence: str) -> None:
    job = make_job()
    ImportJob.objects.filter(pk=job.pk).update(status=status)
    with pytest.raises(JobStateError) as refused:
        validate_job(job)
    assert str(refused.value) == sentence
