"""A German Excel CSV (semicolons, decimal commas, ``31.12.2026``, cp1252) in a real browser:
the preview proposes reading the columns in those conventions; accepting (HTMX, CSRF) checks
the file again until it can be imported, and the next upload is read the same way."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import JOB_URL, Wizard
from tests.testapp.models import Gadget

GERMAN = "name;price;day\r\nSchlüssel;1.234,50;31.12.2026\r\nGröße;12,50;01.02.2026\r\n"


def upload(wizard: Wizard, page: Page, path: Path) -> None:
    page.goto(wizard.url("/admin/testapp/gadget/"))
    page.click(".winiadmin-import-link")
    page.wait_for_url(re.compile(r"/importjob/start/testapp.Gadget/"))
    wizard.submit_file(path)
    page.wait_for_url(JOB_URL)
    expect(page.locator(".winiadmin-plan")).to_be_visible()


def test_accept_the_proposed_conventions(
    wizard: Wizard, page: Page, tmp_path: Path, screenshot_dir: Path
) -> None:
    path = tmp_path / "gadgets.csv"
    path.write_bytes(GERMAN.encode("cp1252"))
    upload(wizard, page, path)
    proposals = page.locator("#winiadmin-conventions")
    expect(proposals).to_contain_text("read 1.234,50 as 1234.50?")
    expect(proposals).to_contain_text("day-first dates (%d.%m.%Y)")
    proposals.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "wizard-conventions.png")
    assert not Gadget.objects.exists()

    price = page.locator(".winiadmin-proposal[data-column=price] button")
    price.click()
    expect(page.locator(".winiadmin-proposal[data-column=price]")).to_have_count(0)
    page.locator(".winiadmin-proposal[data-column=day] button").click()
    expect(page.locator("#winiadmin-conventions")).to_have_count(0)
    expect(page.locator("#winiadmin-conventions-applied")).to_contain_text("price")
    page.screenshot(path=screenshot_dir / "wizard-conventions-accepted.png")
    wizard.confirm()
    expect(page.locator(".winiadmin-result")).to_contain_text("Imported")
    assert Gadget.objects.get(name="Schlüssel").price == Decimal("1234.50")
    assert Gadget.objects.get(name="Größe").day == dt.date(2026, 2, 1)

    # The next file of the same kind is read in the remembered conventions at once.
    Gadget.objects.all().delete()
    upload(wizard, page, path)
    expect(page.locator("#winiadmin-conventions")).to_have_count(0)
    expect(page.locator("#winiadmin-confirm")).to_be_visible()
