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

START = "/admin/winiadmin/importjob/start/shop.catalogue/"


def staff(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_staff_without_add_permission_gets_no_import(
    page: Page, live_server: LiveServer, login: Callable[[str], None], transactional_db: None
) -> None:
    staff("viewer", "view_product")
    login("viewer")
    page.goto(f"{live_server.url}/admin/shop/product/")
    expect(page.locator("#changelist")).to_be_visible()
    expect(page.locator(".winiadmin-import-link")).to_have_count(0)

    response = page.goto(live_server.url + START)
    assert response is not None
    assert response.status == 403
    for path in ("/admin/shop/product/import/", "/admin/winiadmin/importjob/importers/"):
        response = page.goto(live_server.url + path)
        assert response is not None
        assert response.status == 403, path


def test_staff_with_add_permissions_can_start(
    page: Page, live_server: LiveServer, login: Callable[[str], None], transactional_db: None
) -> None:
    # Adding products needs adding the categories and stores the importer creates too.
    staff("clerk", "view_product", "add_product", "add_category", "add_store")
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
    clerk = staff("clerk", "view_product", "add_product", "add_category", "add_store")
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
