"""Who sees the Import button and who may open the wizard, checked in the browser."""

from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import PASSWORD
from winiadmin.importers import get_importer
from winiadmin.jobs.runner import create_job, validate_job
from winiadmin.models import ImportJob

START = "/admin/winiadmin/importjob/start/shop.catalogue/"


def staff(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_staff_without_add_permission_gets_no_import(
    page: Page,
    live_server: LiveServer,
    login: Callable[[str], None],
    transactional_db: None,
    screenshot_dir: Path,
) -> None:
    staff("viewer", "view_product")
    login("viewer")
    page.goto(f"{live_server.url}/admin/shop/product/")
    expect(page.locator("#changelist")).to_be_visible()
    expect(page.locator(".winiadmin-import-link")).to_have_count(0)

    response = page.goto(live_server.url + START + "?model=shop.Product")
    assert response is not None
    assert response.status == 403
    # An admin page that says why and leads back, not a bare "403 Forbidden".
    expect(page.locator("#user-tools")).to_be_visible()
    expect(page.locator(".winiadmin-refusal .errornote")).to_have_text(
        "You may not import with this importer."
    )
    page.screenshot(path=screenshot_dir / "wizard-403.png")
    page.get_by_role("link", name="Back to products").click()
    expect(page.locator("#changelist")).to_be_visible()
    reasons = {
        "/admin/shop/product/import/": "You may not import products: no importer of them is open",
        "/admin/winiadmin/importjob/importers/": "There is nothing you may import.",
    }
    for path, reason in reasons.items():
        response = page.goto(live_server.url + path)
        assert response is not None
        assert response.status == 403, path
        expect(page.locator(".winiadmin-refusal")).to_contain_text(reason)
        expect(page.get_by_role("link", name="Back to the admin")).to_be_visible()


def test_a_refusal_met_by_an_htmx_request_replaces_the_wizard(
    page: Page, live_server: LiveServer, login: Callable[[str], None], samples: Path
) -> None:
    """The progress page polls; when the user loses the permission, the refusal shows in place."""
    clerk = staff(
        "clerk",
        "view_product",
        "add_product",
        "add_category",
        "add_store",
        "change_product",  # shop.catalogue upserts products
    )
    upload = SimpleUploadedFile("catalogue.csv", (samples / "catalogue.csv").read_bytes())
    job = create_job(
        importer=get_importer("shop.catalogue"), upload=upload, user=clerk, options={},
        read_options={},
    )  # fmt: skip
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)  # no worker
    login("clerk")
    page.goto(f"{live_server.url}/admin/winiadmin/importjob/{job.pk}/job/")
    expect(page.locator("#winiadmin-progress h2")).to_have_text("Waiting for a worker")
    clerk.user_permissions.remove(Permission.objects.get(codename="add_store"))
    refusal = page.locator("#winiadmin .winiadmin-refusal")
    expect(refusal).to_contain_text("You may not import with this importer.", timeout=10_000)
    expect(page.locator("#winiadmin-progress")).to_have_count(0)  # the polling stopped


def test_staff_with_add_permissions_can_start(
    page: Page, live_server: LiveServer, login: Callable[[str], None], transactional_db: None
) -> None:
    # Adding products needs adding the categories and stores the importer creates too, and
    # changing products: shop.catalogue upserts them by SKU.
    staff("clerk", "view_product", "add_product", "add_category", "add_store", "change_product")
    login("clerk")
    page.goto(f"{live_server.url}/admin/shop/product/")
    page.locator(".winiadmin-import-link").click()
    expect(page.locator("#winiadmin-upload")).to_be_visible()
    assert page.url.endswith(START + "?model=shop.Product")


def test_superuser_sees_the_import_button(
    page: Page, live_server: LiveServer, login: Callable[[str], None], superuser: User
) -> None:
    login(superuser.username)
    for model in ("product", "category", "order"):
        page.goto(f"{live_server.url}/admin/shop/{model}/")
        expect(page.locator(".winiadmin-import-link")).to_have_text("Import")


def test_jobs_of_other_users_are_forbidden(
    page: Page,
    live_server: LiveServer,
    login: Callable[[str], None],
    superuser: User,
    samples: Path,
) -> None:
    upload = SimpleUploadedFile("catalogue.csv", (samples / "catalogue.csv").read_bytes())
    importer = get_importer("shop.catalogue")
    job = create_job(importer=importer, upload=upload, user=superuser, options={}, read_options={})
    validate_job(job)
    clerk = staff(
        "clerk",
        "view_product",
        "add_product",
        "add_category",
        "add_store",
        "change_product",  # shop.catalogue upserts products
    )
    login("clerk")
    url = f"{live_server.url}/admin/winiadmin/importjob/{job.pk}/job/"
    response = page.goto(url)
    assert response is not None
    assert response.status == 403

    clerk.user_permissions.add(Permission.objects.get(codename="view_all_importjobs"))
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    expect(page.locator(".winiadmin-summary")).to_contain_text("Read 40 rows from catalogue.csv")
