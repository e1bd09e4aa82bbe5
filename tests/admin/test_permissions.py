"""Who may use the wizard: every URL and the Import button, for every level of permission."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from shop.models import Product

from tests.admin.conftest import MakeJob, MakeUser
from tests.admin.helpers import CATALOGUE_PERMS, grant, html, job_url, start_url, template_url
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

CSV = b"sku,name,price,quantity,category,store,available_from\nA-1,Thing,1.50,2,Books,Online,\n"

#: Staff users by what they hold; view_product lets them see the Product changelist.
DENIED = {
    "no permissions": (),
    "view only": ("shop.view_product",),
    "add on some models": ("shop.view_product", "shop.add_product"),
}
ALLOWED = {
    "add on every model, change on the upserted one": ("shop.view_product", *CATALOGUE_PERMS)
}

IMPORT_BUTTON = "winiadmin-import-link"


def get_urls(job: ImportJob) -> dict[str, str]:
    """Every wizard URL that answers a GET, plus the Import button's target."""
    return {
        "importers": reverse("admin:winiadmin_importjob_importers"),
        "start": start_url(),
        "job": job_url(job),
        "rows": job_url(job, "rows"),
        "problems": job_url(job, "problems") + "?kind=unexpected_column",
        "problems_csv": job_url(job, "problems_csv"),
        "rejected csv": reverse("admin:winiadmin_importjob_rejected", args=[job.pk, "csv"]),
        "rejected xlsx": reverse("admin:winiadmin_importjob_rejected", args=[job.pk, "xlsx"]),
        "template csv": template_url("shop.catalogue", "csv"),
        "template xlsx": template_url("shop.catalogue", "xlsx"),
        "import button": reverse("admin:shop_product_import"),
    }


def post_upload(client: Client) -> int:
    response = client.post(start_url(), {"file": SimpleUploadedFile("new.csv", CSV)})
    return response.status_code


@pytest.fixture(params=["anonymous", "not staff"])
def outsider(request: pytest.FixtureRequest, client: Client, make_user: MakeUser) -> Client:
    if request.param == "not staff":
        client.force_login(make_user("customer", *CATALOGUE_PERMS, staff=False))
    return client


def test_outsiders_are_sent_to_the_login(outsider: Client, make_job: MakeJob) -> None:
    job = make_job(content=CSV)
    login = reverse("admin:login")
    for name, url in get_urls(job).items():
        response = outsider.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(f"{login}?next="), name
    response = outsider.post(job_url(job, "confirm"))
    assert response["Location"].startswith(f"{login}?next=")
    assert post_upload(outsider) == 302
    assert ImportJob.objects.count() == 1
    assert not Product.objects.exists()


@pytest.mark.parametrize("perms", DENIED.values(), ids=DENIED.keys())
def test_staff_without_every_permission_is_refused(
    client: Client, make_user: MakeUser, make_job: MakeJob, perms: tuple[str, ...]
) -> None:
    user = make_user("staff", *perms)
    client.force_login(user)
    job = make_job(content=CSV, user=user)  # their own job: ownership is not what stops them
    for name, url in get_urls(job).items():
        assert client.get(url).status_code == 403, name
    assert post_upload(client) == 403
    assert client.post(job_url(job, "confirm")).status_code == 403
    assert ImportJob.objects.count() == 1
    assert not Product.objects.exists()

    changelist = client.get(reverse("admin:shop_product_changelist"))
    if "shop.view_product" in perms:
        assert changelist.status_code == 200
        assert IMPORT_BUTTON not in html(changelist)
    else:
        assert changelist.status_code == 403


@pytest.mark.parametrize("perms", [*ALLOWED.values(), None], ids=[*ALLOWED.keys(), "superuser"])
def test_staff_with_every_permission_may_import(
    client: Client, make_user: MakeUser, make_job: MakeJob, perms: tuple[str, ...] | None
) -> None:
    user = make_user("boss", superuser=True) if perms is None else make_user("staff", *perms)
    client.force_login(user)
    job = make_job(content=CSV, user=user)
    for name, url in get_urls(job).items():
        expected = 302 if name == "import button" else 200
        assert client.get(url).status_code == expected, name

    changelist = html(client.get(reverse("admin:shop_product_changelist")))
    assert IMPORT_BUTTON in changelist
    assert f'href="{reverse("admin:shop_product_import")}"' in changelist

    assert post_upload(client) == 302
    assert ImportJob.objects.count() == 2
    assert client.post(job_url(job, "confirm")).status_code == 302
    assert Product.objects.get().sku == "A-1"


def test_the_chooser_lists_only_importers_the_user_may_use(
    client: Client, make_user: MakeUser
) -> None:
    client.force_login(
        make_user("orders", "shop.add_customer", "shop.add_order", "shop.add_orderline")
    )
    page = html(client.get(reverse("admin:winiadmin_importjob_importers")))
    assert start_url("shop.orders", "") in page
    assert "shop.catalogue" not in page
    assert client.get(start_url("shop.catalogue", "")).status_code == 403
    assert client.get(start_url("shop.orders", "")).status_code == 200


@pytest.fixture
def alice(make_user: MakeUser) -> User:
    return make_user("alice", *CATALOGUE_PERMS)


@pytest.fixture
def bob(make_user: MakeUser) -> User:
    return make_user("bob", *CATALOGUE_PERMS)


def test_jobs_of_other_users_are_refused(
    client: Client, alice: User, bob: User, make_job: MakeJob
) -> None:
    alices = make_job(content=CSV, user=alice)
    client.force_login(bob)
    for name in ("job", "rows", "problems", "problems_csv"):
        assert client.get(job_url(alices, name)).status_code == 403, name
    assert client.post(job_url(alices, "confirm")).status_code == 403
    assert not Product.objects.exists()
    alices.refresh_from_db()
    assert alices.status == ImportJob.Status.VALIDATED

    # The admin's change URL of the job leads to the same refusal.
    change = reverse("admin:winiadmin_importjob_change", args=[alices.pk])
    assert client.get(change, follow=True).status_code == 403


def test_view_all_importjobs_shows_everybodys_jobs(
    client: Client, alice: User, make_user: MakeUser, make_job: MakeJob
) -> None:
    alices = make_job(content=CSV, user=alice)
    auditor = make_user("auditor", *CATALOGUE_PERMS, "winiadmin.view_all_importjobs")
    client.force_login(auditor)
    for name in ("job", "rows", "problems", "problems_csv"):
        assert client.get(job_url(alices, name)).status_code == 200, name


def test_job_list_shows_only_own_jobs(
    client: Client, alice: User, bob: User, make_user: MakeUser, make_job: MakeJob
) -> None:
    make_job(content=CSV, name="alice-file.csv", user=alice)
    make_job(content=CSV, name="bob-file.csv", user=bob)
    changelist = reverse("admin:winiadmin_importjob_changelist")

    client.force_login(alice)  # only the importer's permissions, no winiadmin.* ones
    page = html(client.get(changelist))
    assert "alice-file.csv" in page and "bob-file.csv" not in page
    assert f'href="{reverse("admin:winiadmin_importjob_importers")}"' in page

    client.force_login(make_user("auditor", "winiadmin.view_all_importjobs"))
    page = html(client.get(changelist))
    assert "alice-file.csv" in page and "bob-file.csv" in page
    # The auditor may look, not import: no "Import data" link.
    assert f'href="{reverse("admin:winiadmin_importjob_importers")}"' not in page


def test_the_job_list_is_closed_to_staff_who_cannot_import(
    client: Client, make_user: MakeUser
) -> None:
    client.force_login(make_user("clerk", "shop.view_product"))
    assert client.get(reverse("admin:winiadmin_importjob_changelist")).status_code == 403
    assert "Import jobs" not in html(client.get(reverse("admin:index")))


def test_importers_result_page_links_to_a_job_list_they_may_see(
    client: Client, alice: User, samples: Path
) -> None:
    client.force_login(alice)
    response = client.post(start_url(), {"file": (samples / "catalogue.csv").open("rb")})
    result = html(client.post(response["Location"].replace("/job/", "/confirm/"), follow=True))
    changelist = reverse("admin:winiadmin_importjob_changelist")
    assert f'href="{changelist}"' in result
    assert client.get(changelist).status_code == 200
    assert "Import jobs" in html(client.get(reverse("admin:index")))


def test_an_upserting_importer_needs_the_change_permission_too(
    client: Client, make_user: MakeUser, make_job: MakeJob
) -> None:
    """shop.catalogue updates stored products by SKU: add on every model is not enough."""
    adds = [perm for perm in CATALOGUE_PERMS if perm != "shop.change_product"]
    user = make_user("staff", "shop.view_product", *adds)
    client.force_login(user)
    job = make_job(content=CSV, user=user)
    catalogue_urls = {
        k: v for k, v in get_urls(job).items() if k not in {"importers", "import button"}
    }
    for name, url in catalogue_urls.items():
        assert client.get(url).status_code == 403, name
    assert post_upload(client) == 403
    assert client.post(job_url(job, "confirm")).status_code == 403
    chooser = html(client.get(reverse("admin:winiadmin_importjob_importers")))
    assert start_url("shop.products", model="") in chooser  # it does not upsert
    assert start_url("shop.catalogue", model="") not in chooser
    assert not Product.objects.exists()

    grant(user, "shop.change_product")
    user = User.objects.get(pk=user.pk)  # a fresh permission cache
    client.force_login(user)
    assert client.get(start_url()).status_code == 200
    assert client.post(job_url(job, "confirm")).status_code == 302
    assert Product.objects.filter(sku="A-1").exists()
