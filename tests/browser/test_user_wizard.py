"""The wizard outside the admin in a real browser (the demo's ``/imports/``, docs/user-wizard.md):
a user who is not staff logs in, uploads, previews, confirms and sees the result, in the plain
page winiadmin provides, never in the admin."""

import re
from pathlib import Path

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer
from shop.models import Product

from tests.admin.helpers import CATALOGUE_PERMS, grant
from tests.browser.conftest import PASSWORD
from winiadmin.models import ImportJob

USER_JOB_URL = re.compile(r"/imports/[0-9a-f-]{36}/job/$")


def test_upload_preview_confirm_result_outside_the_admin(
    page: Page, live_server: LiveServer, transactional_db: None, samples: Path, screenshot_dir: Path
) -> None:
    member = User.objects.create_user("member", "member@example.com", PASSWORD)
    grant(member, *CATALOGUE_PERMS)

    page.goto(f"{live_server.url}/imports/")
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/imports/$"))  # logged out: log in
    page.fill("#id_username", "member")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/imports/$"))
    expect(page.locator("h1")).to_have_text("Imports")
    expect(page.locator("body")).to_contain_text("You have imported nothing yet.")
    expect(page.locator("#user-tools")).to_have_count(0)  # not the admin's page

    page.get_by_role("link", name="Catalogue (products, categories, stores)").click()
    page.wait_for_url(re.compile(r"/imports/start/shop\.catalogue/$"))
    page.set_input_files("#id_file", samples / "catalogue.csv")
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(USER_JOB_URL)
    expect(page.locator(".winiadmin-summary")).to_contain_text("Read 40 rows from catalogue.csv")
    expect(page.locator("#winiadmin-problem-list")).to_contain_text("No problems.")
    page.screenshot(path=screenshot_dir / "user-wizard-preview.png")
    assert not Product.objects.exists()  # the dry run wrote nothing

    with page.expect_navigation():
        page.locator("#winiadmin-confirm button[type=submit]").click()
    assert USER_JOB_URL.search(page.url)
    expect(page.locator(".winiadmin-result")).to_be_visible()
    page.screenshot(path=screenshot_dir / "user-wizard-result.png")
    assert Product.objects.count() == 40
    assert ImportJob.objects.get().user == member

    page.get_by_role("link", name="All imports").click()
    page.wait_for_url(re.compile(r"/imports/$"))
    expect(page.locator(".winiadmin-jobs")).to_contain_text("catalogue.csv")
