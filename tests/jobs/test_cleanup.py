"""``cleanup_abandoned_uploads`` and ``manage.py winiadmin_cleanup``, on real files."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from shop.models import Product

from tests.jobs.conftest import MakeJob, on_disk
from winiadmin.jobs.cleanup import cleanup_abandoned_uploads
from winiadmin.jobs.runner import execute_job
from winiadmin.models import ImportJob
from winiadmin.storage import upload_storage

pytestmark = pytest.mark.django_db

Status = ImportJob.Status
DAY = timedelta(hours=24)


def age(job: ImportJob, hours: float) -> ImportJob:
    """Pretend the job last changed ``hours`` ago."""
    then = timezone.now() - timedelta(hours=hours)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=then)
    job.refresh_from_db()
    return job


def set_status(job: ImportJob, status: str) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(status=status)
    job.refresh_from_db()
    return job


def files_of(job: ImportJob) -> list[str | None]:
    names = [job.file.name, job.preview_file]
    assert all(on_disk(name) for name in names)
    return names


def folder(job: ImportJob) -> Path:
    return Path(upload_storage().path(f"winiadmin/{job.pk}"))


@pytest.mark.parametrize(
    "status",
    [Status.UPLOADED, Status.QUEUED, Status.VALIDATING, Status.VALIDATED, Status.INVALID,
     Status.FAILED],
)  # fmt: skip
def test_abandoned_jobs_lose_their_files_and_are_cancelled(make_job: MakeJob, status: str) -> None:
    job = age(set_status(make_job(), status), 25)
    names = files_of(job)

    done = cleanup_abandoned_uploads(older_than=DAY)
    assert [j.pk for j in done] == [job.pk]
    assert not any(on_disk(name) for name in names)
    assert not folder(job).exists()
    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    assert job.error == "Cancelled: the upload was deleted after 24 hours without an import."
    assert not job.file and not job.preview_file
    assert job.report["rows_read"] == 2  # what the dry run found stays on record
    assert done[0].status == Status.CANCELLED


def test_young_and_running_jobs_are_kept(make_job: MakeJob) -> None:
    young = age(make_job(), 23)
    running = age(set_status(make_job(), Status.RUNNING), 100)
    kept = [*files_of(young), *files_of(running)]

    assert cleanup_abandoned_uploads(older_than=DAY) == []
    assert all(on_disk(name) for name in kept)
    young.refresh_from_db()
    running.refresh_from_db()
    assert (young.status, running.status) == (Status.VALIDATED, Status.RUNNING)


def test_succeeded_jobs_keep_their_report(make_job: MakeJob) -> None:
    job = make_job()
    execute_job(job, skip_invalid=False)
    job = age(job, 48)
    before = (job.report, job.created_counts, job.created_pks, job.finished_at)
    names = files_of(job)

    done = cleanup_abandoned_uploads(older_than=DAY)
    assert [j.pk for j in done] == [job.pk]
    assert not any(on_disk(name) for name in names)
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED
    assert (job.report, job.created_counts, job.created_pks, job.finished_at) == before
    assert not job.file and not job.preview_file and not job.error
    assert Product.objects.count() == 2  # the imported data is not the cleanup's business

    # Nothing left to delete: a second run (tomorrow's cron) finds nothing.
    assert cleanup_abandoned_uploads(older_than=DAY, now=timezone.now() + DAY) == []


def test_a_cleaned_job_is_not_cleaned_twice(make_job: MakeJob) -> None:
    job = age(make_job(), 30)
    assert len(cleanup_abandoned_uploads(older_than=DAY)) == 1
    age(job, 30)
    assert cleanup_abandoned_uploads(older_than=DAY) == []


def test_dry_run_lists_and_changes_nothing(make_job: MakeJob) -> None:
    old = age(make_job(), 30)
    age(make_job(), 1)
    names = files_of(old)

    listed = cleanup_abandoned_uploads(older_than=DAY, dry_run=True)
    assert [j.pk for j in listed] == [old.pk]
    assert all(on_disk(name) for name in names)
    old.refresh_from_db()
    assert old.status == Status.VALIDATED and old.file.name == names[0]


def test_now_can_be_given(make_job: MakeJob) -> None:
    job = make_job()
    assert cleanup_abandoned_uploads(older_than=DAY) == []
    later = timezone.now() + timedelta(hours=25)
    assert [j.pk for j in cleanup_abandoned_uploads(older_than=DAY, now=later)] == [job.pk]


def test_files_already_gone_are_no_error(make_job: MakeJob) -> None:
    job = age(make_job(), 30)
    assert job.file.name
    upload_storage().delete(job.file.name)
    never_validated = age(make_job(validate=False), 30)
    assert never_validated.preview_file == ""

    done = cleanup_abandoned_uploads(older_than=DAY)
    assert {j.pk for j in done} == {job.pk, never_validated.pk}
    assert not on_disk(job.preview_file) and not on_disk(never_validated.file.name)
    assert {j.status for j in done} == {Status.CANCELLED}


def run(*args: str) -> str:
    out = StringIO()
    call_command("winiadmin_cleanup", *args, stdout=out)
    return out.getvalue()


def test_command_uses_the_setting_by_default(make_job: MakeJob, settings: object) -> None:
    settings.WINIADMIN = {"UPLOAD_MAX_AGE_HOURS": 2}  # type: ignore[attr-defined]
    old = age(make_job(name="old.csv"), 3)
    young = age(make_job(name="young.csv"), 1)
    old_files = files_of(old)

    out = run()
    uploaded = timezone.localtime(old.created_at).strftime("%Y-%m-%d %H:%M")
    assert f"deleted {old.pk}  'old.csv'  by root, uploaded {uploaded}: cancelled\n" in out
    assert "young.csv" not in out
    assert "1 job older than 2 hours lost its upload." in out
    assert not any(on_disk(name) for name in old_files)
    assert all(on_disk(name) for name in files_of(young))


def test_command_hours_and_dry_run(make_job: MakeJob) -> None:
    abandoned = age(make_job(name="abandoned.csv"), 10)
    finished = make_job(name="finished.csv")
    execute_job(finished, skip_invalid=False)
    finished = age(finished, 8)
    age(make_job(name="recent.csv"), 4)
    kept = [*files_of(abandoned), *files_of(finished)]

    out = run("--hours", "5", "--dry_run")
    assert f"would delete {abandoned.pk}  'abandoned.csv'" in out
    assert "validated → cancelled" in out
    assert f"would delete {finished.pk}  'finished.csv'" in out and "report kept" in out
    assert "recent.csv" not in out
    assert "DRY RUN: 2 jobs older than 5 hours would lose their uploads." in out
    assert all(on_disk(name) for name in kept)

    out = run("--hours", "5")
    assert out.count("\ndeleted ") + out.startswith("deleted ") == 2
    assert "2 jobs older than 5 hours lost their uploads." in out
    assert not any(on_disk(name) for name in kept)
    assert "0 jobs older than 5 hours lost their uploads." in run("--hours", "5")


def test_command_refuses_negative_hours() -> None:
    with pytest.raises(CommandError, match="must be at least 0"):
        run("--hours", "-1")
