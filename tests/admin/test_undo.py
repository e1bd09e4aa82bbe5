"""Undo in the admin: the link on the result page, the action, the preview, the confirmation."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from shop.models import Category, Product, Store

from tests.admin.conftest import MakeJob, MakeUser
from tests.admin.helpers import CATALOGUE_PERMS, html, job_url
from tests.jobs.helpers import recorded_job
from tests.testapp.models import Restaurant
from winiadmin.admin.undo import undo_rows
from winiadmin.jobs.runner import execute_job
from winiadmin.jobs.undo import plan_undo
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

HEADER = b"sku,name,price,quantity,category,store,available_from\n"
CSV = HEADER + b"A-1,Thing,1.50,2,Books,Online,\nA-2,Other,2.50,1,Books,,\n"
DELETE_PERMS = ("shop.delete_category", "shop.delete_store", "shop.delete_product")


@pytest.fixture
def imported(make_job: MakeJob, superuser: User) -> ImportJob:
    """A catalogue import that ran: 1 category, 1 store, 2 products; plus an older product."""
    Product.objects.create(sku="OLD", name="Older", price=Decimal(1))
    job = make_job(content=CSV)
    execute_job(job, skip_invalid=False, user=superuser)
    job.refresh_from_db()
    return job


def test_the_result_page_links_to_the_undo(su_client: Client, imported: ImportJob) -> None:
    page = html(su_client.get(job_url(imported)))
    assert f'href="{job_url(imported, "undo")}">Undo this import</a>' in page


def test_the_preview_lists_what_would_be_deleted_and_deletes_nothing(
    su_client: Client, imported: ImportJob
) -> None:
    response = su_client.get(job_url(imported, "undo"))
    assert response.status_code == 200
    assert response.template_name == [  # type: ignore[attr-defined]
        "admin/shop/product/winiadmin/undo.html",
        "admin/shop/winiadmin/undo.html",
        "admin/winiadmin/undo.html",
    ]
    page = html(response)
    assert "What undoing this import will delete" in page
    rows = [(r["verbose_name"], r["count"], r["cascade"]) for r in response.context["rows"]]
    assert rows == [("products", 2, 0), ("stores", 1, 0), ("categories", 1, 0)]
    assert "Thing, Other" in page  # in key (insert) order
    assert 'id="winiadmin-undo-confirm"' in page and "Yes, undo this import" in page
    assert Product.objects.count() == 3


def test_confirming_deletes_the_rows_and_the_job_page_says_so(
    su_client: Client, imported: ImportJob, superuser: User
) -> None:
    response = su_client.post(job_url(imported, "undo"), follow=True)
    assert response.redirect_chain == [(job_url(imported), 302)]
    page = html(response)
    assert "The import was undone: 4 rows deleted." in page
    assert "Undone on" in page and "by root" in page
    assert "Undo this import" not in page
    assert list(Product.objects.values_list("sku", flat=True)) == ["OLD"]
    assert not Category.objects.exists() and not Store.objects.exists()
    imported.refresh_from_db()
    assert imported.undone_by == superuser
    assert "<h2>Undone</h2>" in page
    history = html(su_client.get(reverse("admin:winiadmin_importjob_changelist")))
    assert '<span class="winiadmin-status">Undone</span>' in history
    assert '<s title="deleted again by the undo">4</s>' in history


def test_an_htmx_confirmation_redirects_the_whole_page(
    su_client: Client, imported: ImportJob
) -> None:
    response = su_client.post(job_url(imported, "undo"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == job_url(imported)
    assert Product.objects.count() == 1


def test_a_refusal_shows_the_reasons_and_keeps_the_rows(
    su_client: Client, imported: ImportJob
) -> None:
    Store.objects.update(city="Changed")
    preview = html(su_client.get(job_url(imported, "undo")))
    assert "This import cannot be undone:" in preview
    assert "Stores this import created were changed since" in preview
    assert "winiadmin-undo-confirm" not in preview

    response = su_client.post(job_url(imported, "undo"))
    assert response.status_code == 409
    assert "The import was not undone: Stores this import created were changed" in html(response)
    assert Product.objects.count() == 3


def test_a_refusal_names_the_referencing_rows(su_client: Client, imported: ImportJob) -> None:
    Product.objects.create(sku="NEW", name="Newer", price=Decimal(2), store=Store.objects.get())
    response = su_client.get(job_url(imported, "undo"))
    page = html(response)
    # The table and the reason agree: the product that would go with its store is counted.
    rows = [(r["verbose_name"], r["count"], r["cascade"]) for r in response.context["rows"]]
    assert rows == [("products", 2, 1), ("stores", 1, 0), ("categories", 1, 0)]
    assert (
        "1 product not created by this import points at stores it created (field “store”) "
        "and would be deleted with them." in page
    )
    assert "for example Newer" in page


def test_undo_needs_the_delete_permissions(
    client: Client, make_user: MakeUser, make_job: MakeJob
) -> None:
    user = make_user("clerk", *CATALOGUE_PERMS)
    job = make_job(content=CSV, user=user)
    execute_job(job, skip_invalid=False, user=user)
    client.force_login(user)
    assert client.get(job_url(job, "undo")).status_code == 403
    assert client.post(job_url(job, "undo")).status_code == 403
    assert Product.objects.count() == 2

    client.force_login(make_user("clerk2", *CATALOGUE_PERMS, *DELETE_PERMS[:2]))
    assert client.get(job_url(job, "undo")).status_code == 403  # not their job

    client.force_login(make_user("clerk3", *CATALOGUE_PERMS, *DELETE_PERMS))
    assert client.get(job_url(job, "undo")).status_code == 403  # sees only their own jobs

    client.force_login(make_user("clerk4", *DELETE_PERMS, "winiadmin.view_all_importjobs"))
    assert client.get(job_url(job, "undo")).status_code == 200
    client.post(job_url(job, "undo"))
    assert not Product.objects.exists()


def test_the_action_leads_to_the_preview_of_one_job(
    su_client: Client, imported: ImportJob, make_job: MakeJob
) -> None:
    changelist = reverse("admin:winiadmin_importjob_changelist")
    response = su_client.post(
        changelist, {"action": "undo_import", "_selected_action": [str(imported.pk)]}
    )
    assert response.status_code == 302
    assert response["Location"] == job_url(imported, "undo")

    other = make_job(content=CSV)
    response = su_client.post(
        changelist,
        {"action": "undo_import", "_selected_action": [str(imported.pk), str(other.pk)]},
        follow=True,
    )
    assert "Choose exactly one import to undo." in html(response)
    assert Product.objects.count() == 3


def test_nothing_to_undo_is_said_instead_of_offering_the_undo(
    su_client: Client, imported: ImportJob, make_job: MakeJob, superuser: User
) -> None:
    updates = make_job(content=CSV.replace(b"1.50", b"1.75"))  # the same SKUs: updates only
    execute_job(updates, skip_invalid=False, user=superuser)
    page = html(su_client.get(job_url(updates)))
    assert "Undo this import" not in page
    assert "This import only updated existing rows and created none" in page

    changelist = reverse("admin:winiadmin_importjob_changelist")
    response = su_client.post(
        changelist, {"action": "undo_import", "_selected_action": [str(updates.pk)]}, follow=True
    )
    assert response.redirect_chain == [(changelist, 302)]  # the history again, with the reason
    assert "there is nothing to undo" in html(response)
    assert Product.objects.count() == 3


def test_multi_table_parents_show_as_deleted_with_them(db: None) -> None:
    pizza = Restaurant.objects.create(name="Pizza")
    rows = undo_rows(plan_undo(recorded_job({Restaurant: [pizza]})))
    assert rows == [
        {"verbose_name": "restaurants", "count": 1, "sample": [str(pizza)], "cascade": 0},
        {"verbose_name": "places", "count": 0, "sample": [], "cascade": 1},
    ]


def test_the_preview_says_updated_rows_keep_their_new_values(
    su_client: Client, imported: ImportJob, make_job: MakeJob, superuser: User
) -> None:
    again = CSV.replace(b"A-1,Thing,1.50", b"A-1,Thing,9.99") + b"A-3,New,3.00,1,Books,,\n"
    job = make_job(content=again)
    execute_job(job, skip_invalid=False, user=superuser)
    page = html(su_client.get(job_url(job, "undo")))
    assert "undoing it does not restore their old values" in page
    assert "shop.Product: 1." in page
    assert "does not restore" not in html(su_client.get(job_url(imported, "undo")))
