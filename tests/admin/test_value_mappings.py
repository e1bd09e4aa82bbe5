"""Values not found, mapped to existing rows in the preview: stored, applied by the check and the
confirm, remembered for later uploads, reviewed and deleted in the admin; every door guarded."""

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from shop.models import Category, Product, Store

from tests.admin.conftest import MakeUser
from tests.admin.helpers import CATALOGUE_PERMS, html, job_url, uploaded_job
from winiadmin.jobs.runner import JobStateError, execute_job
from winiadmin.jobs.value_mappings import map_value
from winiadmin.models import ImportJob, ValueMapping

pytestmark = pytest.mark.django_db

SAMPLE = "products_unknown_keys.csv"
KEY = "shop.Product.category"


@pytest.fixture
def toys(known: None) -> Category:
    Store.objects.create(name="Paris Opéra")
    return Category.objects.create(name="Toys")


def _upload(client: Client, samples: Path) -> ImportJob:
    return uploaded_job(client, samples / SAMPLE, importer="shop.products")


def _map(client: Client, job: ImportJob, value: str, target: Category) -> Any:
    data = {"key": KEY, "value": value, "pk": str(target.pk)}
    return client.post(job_url(job, "map_value"), data)


def test_the_preview_offers_to_map_and_the_search_finds_rows_escaped(
    su_client: Client, samples: Path, toys: Category
) -> None:
    Category.objects.create(name="<b>Toy</b> box")
    job = _upload(su_client, samples)
    page = html(su_client.get(job_url(job)))
    assert 'class="winiadmin-map"' in page and "Map to an existing category" in page
    assert 'name="value" value="Toyz"' in page and 'name="value" value="Garden"' in page
    found = html(su_client.get(job_url(job, "map_search"), {"key": KEY, "q": "toy"}))
    assert f'<option value="{toys.pk}">Toys</option>' in found
    assert "&lt;b&gt;Toy&lt;/b&gt; box" in found and "<b>Toy</b>" not in found
    none = html(su_client.get(job_url(job, "map_search"), {"key": KEY, "q": "zzz"}))
    assert "No category matches “zzz”." in none
    # A lookup the last check found nothing unmatched of: refused.
    bad = su_client.get(job_url(job, "map_search"), {"key": "shop.Product.sku", "q": "a"})
    assert bad.status_code == 403


def test_mapping_every_value_checks_again_and_the_confirm_writes_exactly_the_chosen_rows(
    su_client: Client, samples: Path, superuser: User, toys: Category
) -> None:
    kitchen = Category.objects.get(name="Kitchen")
    job = _upload(su_client, samples)
    assert job.status == ImportJob.Status.INVALID
    assert _map(su_client, job, "Toyz", toys).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID and not job.edits_pending
    assert job.value_mappings == {KEY: {"Toyz": str(toys.pk)}}
    [mapped] = job.import_report.mapped
    assert [(v.value, v.target, v.count) for v in mapped.values] == [("Toyz", "Toys", 3)]
    assert [u.value for u in job.import_report.unmatched[0].values] == ["Garden"]
    _map(su_client, job, "Garden", kitchen)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED, job.error
    saved = ValueMapping.objects.get(value="Garden")
    assert (saved.importer, saved.lookup, saved.target_label) == ("shop.products", KEY, "Kitchen")
    assert saved.user == superuser
    response = su_client.post(job_url(job, "confirm"), {})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert dict(Product.objects.values_list("sku", "category__name")) == {
        "SKU-9001": "Toys", "SKU-9002": "Kitchen", "SKU-9003": "Toys",
        "SKU-9004": "Books", "SKU-9005": "Toys", "SKU-9006": "Kitchen",
    }  # fmt: skip
    assert not Category.objects.filter(name__in=["Toyz", "Garden"]).exists()


def test_a_mapping_invalidates_the_confirm_until_checked_again(
    su_client: Client, samples: Path, superuser: User, toys: Category
) -> None:
    ValueMapping.objects.create(
        importer="shop.products", lookup=KEY, value="Garden", target_model="shop.Category",
        target_pk=str(Category.objects.get(name="Kitchen").pk), target_label="Kitchen",
    )  # fmt: skip
    job = _upload(su_client, samples)
    map_value(job, superuser, KEY, "Toyz", str(toys.pk))  # saved, not yet checked
    job.refresh_from_db()
    assert job.edits_pending
    with pytest.raises(JobStateError, match="edited since the last check"):
        execute_job(job, skip_invalid=True, user=superuser)
    assert Product.objects.count() == 0


def test_the_confirm_applies_the_mappings_of_the_last_check_not_those_saved_since(
    su_client: Client, samples: Path, toys: Category
) -> None:
    kitchen = Category.objects.get(name="Kitchen")
    job = _upload(su_client, samples)
    _map(su_client, job, "Toyz", toys)
    _map(su_client, job, "Garden", kitchen)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED
    ValueMapping.objects.all().delete()  # after the check: the confirm runs what it showed
    su_client.post(job_url(job, "confirm"), {})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert Product.objects.filter(category=toys).count() == 3


def test_a_saved_mapping_applies_to_the_next_upload_by_itself_and_is_shown(
    su_client: Client, samples: Path, toys: Category
) -> None:
    first = _upload(su_client, samples)
    _map(su_client, first, "Toyz", toys)
    second = _upload(su_client, samples)
    assert second.value_mappings == {KEY: {"Toyz": str(toys.pk)}}
    assert [u.value for u in second.import_report.unmatched[0].values] == ["Garden"]
    page = html(su_client.get(job_url(second)))
    assert 'id="winiadmin-mapped"' in page
    assert '<td>Toyz</td><td>→ Toys</td><td class="winiadmin-count">3</td>' in page
    changelist = reverse("admin:winiadmin_valuemapping_changelist")
    assert f'<a href="{changelist}?importer=shop.products">saved mapping</a>' in page


def test_without_view_permission_on_the_related_model_search_and_map_are_refused(
    client: Client, samples: Path, make_user: MakeUser, toys: Category
) -> None:
    user = make_user("adder", *CATALOGUE_PERMS)  # may import, may not view categories
    client.force_login(user)
    job = _upload(client, samples)
    page = html(client.get(job_url(job)))
    assert 'class="winiadmin-map"' not in page
    assert client.get(job_url(job, "map_search"), {"key": KEY, "q": "t"}).status_code == 403
    assert _map(client, job, "Toyz", toys).status_code == 403
    assert not ValueMapping.objects.exists()
    job.refresh_from_db()
    assert not job.edits_pending
    # With the view permission, both doors open.
    viewer = make_user("viewer", *CATALOGUE_PERMS, "shop.view_category")
    client.force_login(viewer)
    own = _upload(client, samples)
    assert client.get(job_url(own, "map_search"), {"key": KEY, "q": "t"}).status_code == 200


def test_a_user_who_may_not_run_the_job_cannot_map_its_values(
    client: Client, su_client: Client, samples: Path, make_user: MakeUser, toys: Category
) -> None:
    job = _upload(su_client, samples)  # the superuser's job (su_client is ``client``)
    assert su_client.get(job_url(job, "map_value")).status_code == 405  # a GET cannot map
    other = make_user("other", *CATALOGUE_PERMS, "shop.view_category")
    client.force_login(other)
    assert _map(client, job, "Toyz", toys).status_code == 403
    assert client.get(job_url(job, "map_search"), {"key": KEY, "q": "t"}).status_code == 403
    assert not ValueMapping.objects.exists()


def test_the_admin_lists_saved_value_and_column_mappings_and_deletes_with_permission(
    su_client: Client,
    client: Client,
    superuser: User,
    samples: Path,
    make_user: MakeUser,
    toys: Category,
) -> None:
    job = _upload(su_client, samples)
    _map(su_client, job, "Toyz", toys)
    saved = ValueMapping.objects.get()
    changelist = reverse("admin:winiadmin_valuemapping_changelist")
    page = html(su_client.get(changelist, {"importer": "shop.products"}))
    assert "Toyz" in page and "Toys" in page
    assert "Toyz" not in html(su_client.get(changelist, {"importer": "shop.other"}))
    assert (
        su_client.get(reverse("admin:winiadmin_savedcolumnmapping_changelist")).status_code == 200
    )
    delete = reverse("admin:winiadmin_valuemapping_delete", args=[saved.pk])
    viewer = make_user("viewer", "winiadmin.view_valuemapping")
    client.force_login(viewer)
    assert client.get(changelist).status_code == 200
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ValueMapping.objects.exists()
    client.force_login(superuser)  # su_client is the same client
    client.post(delete, {"post": "yes"})
    assert not ValueMapping.objects.exists()


def test_the_result_shows_the_mapped_values_and_an_undo_leaves_the_chosen_rows(
    su_client: Client, samples: Path, toys: Category
) -> None:
    kitchen = Category.objects.get(name="Kitchen")
    job = _upload(su_client, samples)
    _map(su_client, job, "Toyz", toys)
    _map(su_client, job, "Garden", kitchen)
    su_client.post(job_url(job, "confirm"), {})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    page = html(su_client.get(job_url(job)))
    assert '<td>Toyz</td><td>→ Toys</td><td class="winiadmin-count">3</td>' in page
    assert 'class="winiadmin-map"' not in page  # nothing to map after the run
    su_client.post(job_url(job, "undo"), {"confirm": "yes"})
    job.refresh_from_db()
    assert job.is_undone, job.error
    assert Product.objects.count() == 0
    assert Category.objects.filter(pk__in=[toys.pk, kitchen.pk]).count() == 2


def test_the_saved_mapping_link_needs_the_view_permission_on_mappings(
    client: Client, samples: Path, make_user: MakeUser, toys: Category
) -> None:
    ValueMapping.objects.create(
        importer="shop.products", lookup=KEY, value="Toyz", target_model="shop.Category",
        target_pk=str(toys.pk), target_label="Toys",
    )  # fmt: skip
    user = make_user("adder", *CATALOGUE_PERMS, "shop.view_category")
    client.force_login(user)
    job = _upload(client, samples)
    page = html(client.get(job_url(job)))
    assert '<td>Toyz</td><td>→ Toys</td><td class="winiadmin-count">3</td><td>saved mapping' in page
    assert "winiadmin/valuemapping/" not in page


def test_a_map_without_a_chosen_row_or_of_a_value_not_found_is_refused_and_saves_nothing(
    su_client: Client, samples: Path, toys: Category
) -> None:
    job = _upload(su_client, samples)
    response = su_client.post(job_url(job, "map_value"), {"key": KEY, "value": "Toyz"}, follow=True)
    assert "Choose an existing category." in html(response)
    response = su_client.post(
        job_url(job, "map_value"), {"key": KEY, "value": "Books", "pk": str(toys.pk)}, follow=True
    )
    assert "The last check found no such value to map." in html(response)
    assert not ValueMapping.objects.exists()
    job.refresh_from_db()
    assert not job.edits_pending


def test_map_some_values_and_create_the_rest_at_the_confirm(
    su_client: Client, samples: Path, toys: Category
) -> None:
    job = _upload(su_client, samples)
    _map(su_client, job, "Toyz", toys)
    page = html(su_client.get(job_url(job)))
    assert "Create the 1 missing category" in page
    su_client.post(job_url(job, "confirm"), {"create_missing": "on"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.created_counts == {"shop.Category": 1, "shop.Product": 6}
    assert Product.objects.filter(category=toys).count() == 3
    assert Product.objects.filter(category__name="Garden").count() == 1
    assert not Category.objects.filter(name="Toyz").exists()
