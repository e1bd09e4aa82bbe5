"""The demo admin in a real browser: log in, find the demo models, open a changelist."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer
from shop.models import Product


@pytest.fixture
def staff(transactional_db: None) -> User:
    return User.objects.create_superuser("boss", "boss@example.com", "pw")


def test_login_and_browse_products(
    page: Page, live_server: LiveServer, staff: User, screenshot_dir: Path
) -> None:
    Product.objects.create(name="Tea <script>alert(1)</script>", sku="T-1", price=3)
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    page.get_by_role("link", name="Products").first.click()
    expect(page.get_by_text("Tea <script>alert(1)</script>")).to_be_visible()
    page.screenshot(path=screenshot_dir / "admin-products.png")
