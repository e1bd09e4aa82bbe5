"""The import history: its list, and the actions run from it."""

from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from shop.models import Category, Product

from tests.admin.conftest import MakeJob, MakeUser
from tests.admin.helpers import CATALOGUE_PERMS, html, job_url
from winiadmin.models import ImportJob
from winiadmin.storage import upload_storage

pytestmark = pytest.mark.django_db

HEADER = b"sku,name,price,quantity,category,store,available_from\n"
CSV = HEADER + b"A-1,Thing,1.50,2,Books,Online,\nA-2,Other,2.50,1,Books,,\n"
CHANGELIST = "admin:winiadmin_importjob_changelist"


def act(client: Client, action: str, *jobs: ImportJob) -> str:
    """Run an admin action on the jobs as the changelist's form does; the page it leads to."""
    response = client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [str(job.pk) for job in jobs]},
        follow=True,
    )
    assert response.status_code == 200
    return html(response)


def on_disk(name: str | None) -> bool:
    return name is not None and bool(name) and Path(upload_storage().path(name)).is_file()


def test_the_list_shows_rows_and_object_counts(su_client: Client, make_job: MakeJob) -> None:
    make_job(content=CSV, name="two-rows.csv")
    page = html(su_client.get(reverse(CHANGELIST)))
    assert "two-rows.csv" in page
    assert '<td class="field-rows">2</td>' in page
    assert "<span title='would create'>(4)</span>" in page  # 1 category, 1 store, 2 products


def test_dry_run_again_updates_the_report(
    su_client: Client, make_job: MakeJob, insert_only_catalogue: str
) -> None:
    job = make_job(content=CSV, importer=insert_only_catalogue)
    assert job.status == ImportJob.Status.VALIDATED
    first_check = job.validated_at
    Product.objects.create(sku="A-2", name="Made meanwhile", price=1)

    page = act(su_client, "dry_run_again", job)
    assert "1 job checked again." in page
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert job.validated_at is not None and first_check is not None
    assert job.validated_at > first_check
    assert job.dry_run_counts["shop.Product"] == 1
    assert [(p["kind"], p["row"]) for p in job.report["problems"]] == [("database_conflict", 3)]
    assert Product.objects.count() == 1  # still a dry run


def test_run_import_runs_validated_jobs(su_client: Client, make_job: MakeJob) -> None:
    job = make_job(content=CSV)
    page = act(su_client, "run_import", job)
    assert "1 import ran." in page
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert set(Product.objects.values_list("sku", flat=True)) == {"A-1", "A-2"}
    assert LogEntry.objects.filter(object_id=str(job.pk)).count() == 1

    # Running it again (or any job that cannot run) is a warning that links to the job.
    invalid = make_job(content=HEADER + b"B-1,,oops,1,,,\n", name="bad.csv")
    page = act(su_client, "run_import", job, invalid)
    assert "import ran" not in page
    assert f'<a href="{job_url(job)}">' in page and f'<a href="{job_url(invalid)}">' in page
    assert "This import has already succeeded, so it cannot be started." in page
    assert "This import cannot run: fix the problems" in page
    assert Product.objects.count() == 2
    invalid.refresh_from_db()
    assert invalid.status == ImportJob.Status.INVALID


def test_delete_uploaded_file(su_client: Client, make_job: MakeJob) -> None:
    open_job = make_job(content=CSV, name="open.csv")
    done = make_job(content=CSV.replace(b"A-", b"D-"), name="done.csv")
    su_client.post(job_url(done, "confirm"))
    done.refresh_from_db()
    names = [open_job.file.name, open_job.preview_file, done.file.name, done.preview_file]
    assert all(on_disk(name) for name in names)

    page = act(su_client, "delete_uploaded_file", open_job, done)
    assert "2 files deleted." in page
    assert not any(on_disk(name) for name in names)
    open_job.refresh_from_db()
    done.refresh_from_db()
    assert open_job.status == ImportJob.Status.CANCELLED
    assert not open_job.file and not open_job.preview_file
    assert done.status == ImportJob.Status.SUCCEEDED  # a finished job stays what it was
    assert done.created_counts["shop.Product"] == 2 and not done.file

    # Without its file a job cannot be checked or run again; the pages still work.
    page = act(su_client, "dry_run_again", open_job)
    assert "This import was cancelled, so it cannot be checked again." in page
    assert su_client.get(job_url(open_job)).status_code == 200
    assert su_client.get(job_url(done)).status_code == 200
    assert su_client.get(job_url(done, "problems_csv")).status_code == 200


@pytest.fixture
def orders_only(make_user: MakeUser) -> User:
    """Staff who may import orders, not the catalogue (say, after a role change)."""
    return make_user("clerk", "shop.add_customer", "shop.add_order", "shop.add_orderline")


@pytest.mark.parametrize("action", ["dry_run_again", "run_import", "delete_uploaded_file"])
def test_actions_need_the_importers_permissions(
    client: Client, orders_only: User, make_job: MakeJob, action: str
) -> None:
    job = make_job(content=CSV, user=orders_only)  # their own job, from before the change
    before = (job.status, job.report, job.validated_at)
    client.force_login(orders_only)

    page = act(client, action, job)
    assert "You may not use the importer shop.catalogue." in page
    job.refresh_from_db()
    assert (job.status, job.report, job.validated_at) == before
    assert on_disk(job.file.name) and on_disk(job.preview_file)
    assert not Product.objects.exists()


def test_actions_only_reach_the_users_own_jobs(
    client: Client, make_user: MakeUser, make_job: MakeJob
) -> None:
    alice = make_user("alice", *CATALOGUE_PERMS)
    bob = make_user("bob", *CATALOGUE_PERMS)
    alices = make_job(content=CSV, user=alice)
    client.force_login(bob)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "run_import", "_selected_action": [str(alices.pk)]},
        follow=True,
    )
    assert "import ran" not in html(response)
    alices.refresh_from_db()
    assert alices.status == ImportJob.Status.VALIDATED
    assert not Product.objects.exists()


def test_a_failed_job_without_its_file_is_refused_not_stuck(
    su_client: Client, make_job: MakeJob
) -> None:
    Category.objects.create(name="Books")
    job = make_job(content=CSV, options={"default_category": "Books"})
    Category.objects.all().delete()  # the option's object is gone: the real run fails
    act(su_client, "run_import", job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED

    act(su_client, "delete_uploaded_file", job)  # a failed job is finished: it stays failed
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and not job.file
    page = act(su_client, "dry_run_again", job)
    assert "The uploaded file was deleted; upload the file again." in page
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED  # not left "validating"
