"""``manage.py winiadmin_undo``: the plan, a dry run, the undo, and refusals as CommandError."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from shop.models import Category, Product, Store

from tests.jobs.helpers import recorded_job
from tests.testapp.models import Restaurant
from winiadmin.importers import get_importer
from winiadmin.jobs.runner import create_job, execute_job, validate_job
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

CSV = (
    b"sku,name,price,quantity,category,store,available_from\n"
    b"A-1,Thing,1.50,2,Books,Online,\nA-2,Other,2.50,1,Books,,\n"
)


@pytest.fixture
def job() -> ImportJob:
    job = create_job(
        importer=get_importer("shop.catalogue"),
        upload=SimpleUploadedFile("data.csv", CSV),
        user=None,
        options={},
        read_options={},
    )
    validate_job(job)
    execute_job(job, skip_invalid=False)
    return job


def run(*args: str) -> str:
    out = StringIO()
    call_command("winiadmin_undo", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_plan_and_deletes_nothing(job: ImportJob) -> None:
    out = run(str(job.pk), "--dry_run")
    assert out.splitlines() == [
        f"Import {job.pk} of data.csv:",
        "  shop.Product: 2 rows to delete (e.g. Thing, Other)",
        "  shop.Store: 1 row to delete (e.g. Online)",
        "  shop.Category: 1 row to delete (e.g. Books)",
        "DRY RUN: nothing was deleted.",
    ]
    assert Product.objects.count() == 2


def test_undo_deletes_the_rows(job: ImportJob) -> None:
    Product.objects.create(sku="OLD", name="Older", price=Decimal(1))
    out = run(str(job.pk))
    assert out.splitlines()[-1] == "Undone: deleted 4 rows."
    assert list(Product.objects.values_list("sku", flat=True)) == ["OLD"]
    assert not Store.objects.exists() and not Category.objects.exists()
    job.refresh_from_db()
    assert job.is_undone and job.undone_by is None

    with pytest.raises(CommandError, match="This import was already undone"):
        run(str(job.pk))


def test_a_refusal_is_a_command_error_with_the_reasons(job: ImportJob) -> None:
    Product.objects.create(
        sku="NEW", name="Newer", price=Decimal(2), category=Category.objects.get()
    )
    with pytest.raises(CommandError) as caught:
        run(str(job.pk))
    assert str(caught.value) == (
        "This import cannot be undone:\n"
        "- 1 product not created by this import points at categories it created "
        "(field “category”) and would block the deletion (PROTECT). For example: Newer."
    )
    assert Product.objects.count() == 3


@pytest.mark.parametrize("job_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_job(job_id: str) -> None:
    with pytest.raises(CommandError, match=f"No import job has the id '{job_id}'."):
        run(job_id)


def test_the_plan_lists_rows_deleted_with_them() -> None:
    job = recorded_job({Restaurant: [Restaurant.objects.create(name="Pizza")]})
    out = run(str(job.pk), "--dry_run")
    assert "  testapp.Restaurant: 1 row to delete (e.g. Restaurant object (" in out
    assert "  testapp.Place: 1 row deleted with them\n" in out
