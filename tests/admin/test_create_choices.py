"""Values not found, chosen one by one in the preview to be created: kept on the job, shown as
"will be created", taken back, created exactly by the check and the confirm (both load paths);
the values left alone stay errors; every door guarded."""

from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client, override_settings
from shop.importers import ProductObjectsImporter
from shop.models import Category, Product, Store

from tests.admin.conftest import MakeUser
from tests.admin.helpers import CATALOGUE_PERMS, html, job_url, uploaded_job
from winiadmin.importers import register
from winiadmin.importers.registry import unregister
from winiadmin.jobs.background import run_queued
from winiadmin.jobs.create_choices import choose_create
from winiadmin.jobs.runner import JobStateError, execute_job
from winiadmin.models import ImportJob, ValueMapping

pytestmark = pytest.mark.django_db

SAMPLE = "products_unknown_keys.csv"
KEY = "shop.Product.category"
#: The frame path (shop.products) and the instance path (shop.product_objects): the same lookups.
IMPORTERS = ["shop.products", "shop.product_objects"]


class ProductsOnly(ProductObjectsImporter):
    """Creates products only: importing needs no permission on categories."""

    name = "tests.products_only"
    models = (Product,)  # type: ignore[assignment]  # the example declares its own tuple


@pytest.fixture(autouse=True)
def instance_path() -> Any:
    """The instance path's importer (not registered by the example project), and one that
    creates products only."""
    register(ProductObjectsImporter)
    register(ProductsOnly)
    yield
    unregister(ProductObjectsImporter)
    unregister(ProductsOnly)


@pytest.fixture
def stores(known: None) -> None:
    Store.objects.create(name="Paris Opéra")


def _upload(client: Client, samples: Path, importer: str = "shop.products") -> ImportJob:
    return uploaded_job(client, samples / SAMPLE, importer=importer)


def _create(client: Client, job: ImportJob, value: str) -> Any:
    return client.post(job_url(job, "create_value"), {"key": KEY, "value": value})


def _take_back(client: Client, job: ImportJob, value: str) -> Any:
    return client.post(job_url(job, "take_back_create"), {"key": KEY, "value": value})


@pytest.mark.parametrize("importer", IMPORTERS)
def test_creating_one_value_creates_exactly_it_and_the_others_stay_errors(
    su_client: Client, samples: Path, stores: None, importer: str
) -> None:
    job = _upload(su_client, samples, importer)
    page = html(su_client.get(job_url(job)))
    assert 'class="winiadmin-create-value"' in page
    assert 'aria-label="Create the category “Garden”"' in page
    assert _create(su_client, job, "Garden").status_code == 302
    job.refresh_from_db()
    assert job.create_values == {KEY: ["Garden"]}
    assert job.status == ImportJob.Status.INVALID and not job.edits_pending
    created, missing = sorted(job.import_report.unmatched, key=lambda u: not u.created)
    assert created.created and [v.value for v in created.values] == ["Garden"]
    assert not missing.created and [v.value for v in missing.values] == ["Toyz"]
    assert {(p.row, p.value) for p in job.import_report.problems} == {
        (2, "Toyz"),
        (4, "Toyz"),
        (6, "Toyz"),
    }
    assert not Category.objects.filter(name="Garden").exists()  # the check rolled back
    page = html(su_client.get(job_url(job)))
    assert "1 category will be created (by name)" in page
    assert "will be created</span>" in page and 'class="button winiadmin-take-back"' in page
    # Without skipping invalid rows the confirm is refused; with it, Toyz's rows are skipped.
    with pytest.raises(JobStateError):
        execute_job(job, skip_invalid=False)
    su_client.post(job_url(job, "confirm"), {"skip_invalid": "on"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.created_counts == {"shop.Category": 1, "shop.Product": 3}
    assert dict(Product.objects.values_list("sku", "category__name")) == {
        "SKU-9002": "Garden", "SKU-9004": "Books", "SKU-9006": "Kitchen",
    }  # fmt: skip
    assert sorted(Category.objects.values_list("name", flat=True)) == ["Books", "Garden", "Kitchen"]
    page = html(su_client.get(job_url(job)))
    assert "1 category created (by name)" in page and "winiadmin-take-back" not in page
    # The undo removes the created category with the products.
    su_client.post(job_url(job, "undo"), {"confirm": "yes"})
    job.refresh_from_db()
    assert job.is_undone, job.error
    assert Product.objects.count() == 0
    assert sorted(Category.objects.values_list("name", flat=True)) == ["Books", "Kitchen"]


def test_every_value_created_makes_the_job_valid_and_nothing_is_remembered(
    su_client: Client, samples: Path, stores: None
) -> None:
    job = _upload(su_client, samples)
    _create(su_client, job, "Garden")
    _create(su_client, job, "Toyz")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED, job.error
    assert job.dry_run_counts["shop.Category"] == 2
    su_client.post(job_url(job, "confirm"), {})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert Product.objects.count() == 6
    assert Category.objects.filter(name__in=["Garden", "Toyz"]).count() == 2
    assert not ValueMapping.objects.exists()
    Product.objects.all().delete()
    Category.objects.filter(name__in=["Garden", "Toyz"]).delete()
    second = _upload(su_client, samples)  # a new upload: the choice was this job's only
    assert second.create_values == {}
    assert second.status == ImportJob.Status.INVALID


def test_taking_back_makes_the_value_an_error_again(
    su_client: Client, samples: Path, stores: None
) -> None:
    job = _upload(su_client, samples)
    _create(su_client, job, "Garden")
    _create(su_client, job, "Toyz")
    assert _take_back(su_client, job, "Toyz").status_code == 302
    job.refresh_from_db()
    assert job.create_values == {KEY: ["Garden"]}
    assert job.status == ImportJob.Status.INVALID
    missing = [u for u in job.import_report.unmatched if not u.created]
    assert [v.value for u in missing for v in u.values] == ["Toyz"]
    _take_back(su_client, job, "Garden")
    job.refresh_from_db()
    assert job.create_values == {}
    history = LogEntry.objects.filter(object_id=str(job.pk)).order_by("id")
    assert [e.change_message for e in history] == [
        "Chose to create category “Garden” (category)",
        "Chose to create category “Toyz” (category)",
        "Took back creating category “Toyz” (category)",
        "Took back creating category “Garden” (category)",
    ]
    assert all(not u.created for u in job.import_report.unmatched)
    # Taking back a value not chosen is refused and changes nothing.
    response = _take_back(su_client, job, "Garden")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.create_values == {} and not job.edits_pending


def test_a_choice_invalidates_the_confirm_until_checked_again(
    su_client: Client, samples: Path, superuser: User, stores: None
) -> None:
    job = _upload(su_client, samples)
    choose_create(job, superuser, KEY, "Garden")  # chosen, not yet checked
    job.refresh_from_db()
    assert job.edits_pending
    with pytest.raises(JobStateError, match="edited since the last check"):
        execute_job(job, skip_invalid=True, user=superuser)
    assert Product.objects.count() == 0
    assert not Category.objects.filter(name="Garden").exists()


def test_the_blanket_create_missing_still_creates_every_value(
    su_client: Client, samples: Path, stores: None
) -> None:
    job = _upload(su_client, samples)
    _create(su_client, job, "Garden")
    page = html(su_client.get(job_url(job)))
    assert "Create the 1 missing category" in page
    su_client.post(job_url(job, "confirm"), {"create_missing": "on"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.created_counts == {"shop.Category": 2, "shop.Product": 6}


def test_without_the_add_permission_on_the_related_model_create_is_refused(
    client: Client, samples: Path, make_user: MakeUser, stores: None
) -> None:
    user = make_user("noadd", "shop.add_product", "shop.view_category")
    client.force_login(user)
    job = _upload(client, samples, "tests.products_only")  # needs no add_category itself
    page = html(client.get(job_url(job)))
    assert "winiadmin-create-value" not in page
    assert 'class="winiadmin-map"' in page  # mapping needs the view permission only
    assert _create(client, job, "Garden").status_code == 403
    job.refresh_from_db()
    assert job.create_values == {} and not job.edits_pending


def test_a_user_who_may_not_run_the_job_cannot_create_its_values(
    client: Client, su_client: Client, samples: Path, make_user: MakeUser, stores: None
) -> None:
    job = _upload(su_client, samples)  # the superuser's job (su_client is ``client``)
    assert su_client.get(job_url(job, "create_value")).status_code == 405  # a GET cannot
    other = make_user("other", *CATALOGUE_PERMS)
    client.force_login(other)
    assert _create(client, job, "Garden").status_code == 403
    job.refresh_from_db()
    assert job.create_values == {}


def test_a_value_not_found_by_the_last_check_or_a_lookup_not_creating_is_refused(
    su_client: Client, samples: Path, stores: None
) -> None:
    job = _upload(su_client, samples)
    response = su_client.post(
        job_url(job, "create_value"), {"key": KEY, "value": "Books"}, follow=True
    )
    assert "The last check found no such value to create." in html(response)
    other_key = {"key": "shop.Product.store", "value": "Nowhere"}
    assert su_client.post(job_url(job, "create_value"), other_key).status_code == 403
    job.refresh_from_db()
    assert job.create_values == {} and not job.edits_pending


def test_a_job_started_outside_the_admin_is_refused(
    su_client: Client, samples: Path, stores: None
) -> None:
    job = _upload(su_client, samples)
    ImportJob.objects.filter(pk=job.pk).update(user_scoped=True)
    job.refresh_from_db()
    assert "winiadmin-create-value" not in html(su_client.get(job_url(job)))
    assert _create(su_client, job, "Garden").status_code == 403
    job.refresh_from_db()
    assert job.create_values == {}


def test_create_and_take_back_need_the_csrf_token(
    samples: Path, su_client: Client, superuser: User, stores: None
) -> None:
    job = _upload(su_client, samples)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(superuser)
    assert _create(strict, job, "Garden").status_code == 403
    _create(su_client, job, "Garden")
    assert _take_back(strict, job, "Garden").status_code == 403
    job.refresh_from_db()
    assert job.create_values == {KEY: ["Garden"]}


def test_a_worker_checks_and_imports_with_the_chosen_values(
    su_client: Client, samples: Path, stores: None, django_capture_on_commit_callbacks: Any
) -> None:
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0}):
        with django_capture_on_commit_callbacks(execute=True):
            job = _upload(su_client, samples)
        assert run_queued(str(job.pk)) == "invalid"
        with django_capture_on_commit_callbacks(execute=True):
            _create(su_client, job, "Garden")
        job.refresh_from_db()
        assert job.status == ImportJob.Status.QUEUED and job.create_values == {KEY: ["Garden"]}
        assert run_queued(str(job.pk)) == "invalid"
        with django_capture_on_commit_callbacks(execute=True):
            su_client.post(job_url(job, "confirm"), {"skip_invalid": "on"})
        assert run_queued(str(job.pk)) == "succeeded"
    job.refresh_from_db()
    assert job.created_counts == {"shop.Category": 1, "shop.Product": 3}
    assert Category.objects.filter(name="Garden").count() == 1
    assert not Category.objects.filter(name="Toyz").exists()
