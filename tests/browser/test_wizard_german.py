"""The wizard in German, in a real browser whose language is German (Accept-Language, read by
the demo's LocaleMiddleware): every step's words translated, numbers and dates as Germans write
them. Screenshots: docs/img/wizard-de-*.png (docs/admin.md, "In your language")."""

import re
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer
from shop.models import Product

from tests.browser.conftest import JOB_URL, PASSWORD

HEADER = "sku,name,price,quantity,category,store,available_from\n"
ROWS = [
    "DE-1,Gartenschere,12.5,1500,Garten,Online,2026-06-19\n",
    "DE-2,Gießkanne,1234.5,7,Garten,Online,2026-12-24\n",
    "DE-3,Blumentopf,3.99,viele,Garten,Online,2026-03-01\n",
]


def german_page(browser: Browser, browser_context_args: dict[str, Any]) -> Page:
    context = browser.new_context(**{**browser_context_args, "locale": "de-DE"})
    return context.new_page()


def test_the_wizard_in_german(
    browser: Browser,
    browser_context_args: dict[str, Any],
    live_server: LiveServer,
    superuser: User,
    tmp_path: Path,
    screenshot_dir: Path,
) -> None:
    page = german_page(browser, browser_context_args)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("Abmelden")

    page.goto(f"{live_server.url}/admin/shop/product/")
    page.click(".winiadmin-import-link")
    page.wait_for_url(re.compile(r"/importjob/start/"))
    upload = page.locator("#winiadmin-upload")
    expect(upload).to_contain_text("Legen Sie eine Datei hier ab oder wählen Sie eine")
    expect(page.locator(".winiadmin-steps")).to_contain_text("Hochladen")
    page.screenshot(path=screenshot_dir / "wizard-de-1-upload.png")

    path = tmp_path / "pflanzen.csv"
    path.write_text(HEADER + "".join(ROWS), encoding="utf-8")
    page.set_input_files("#id_file", path)
    page.get_by_role("button", name="Hochladen und prüfen").click()
    page.wait_for_url(JOB_URL)

    summary = page.locator(".winiadmin-summary")
    expect(summary).to_contain_text("3 Zeilen aus pflanzen.csv gelesen")
    expect(summary).to_contain_text(
        "2 Zeilen haben die Bereinigung bestanden; 1 Fehler, 0 Warnungen."
    )
    expect(page.locator(".winiadmin-plan")).to_contain_text("Was dieser Import tun wird")
    problems = page.locator("#winiadmin-problem-list")
    expect(problems).to_contain_text("Ungültiger Wert")
    expect(problems).to_contain_text("Keine Ganzzahl")
    # The numbers and dates of the preview, as a German reads them.
    rows = page.locator("#winiadmin-rows")
    expect(rows.locator("thead")).to_contain_text("Dezimalzahl")
    expect(rows.locator("thead")).to_contain_text("Ganzzahl")
    expect(rows).to_contain_text("12,50")
    expect(rows).to_contain_text("1.234,50")
    expect(rows).to_contain_text("19. Juni 2026")
    expect(rows).to_contain_text("24. Dezember 2026")
    for english in ("Upload and check", "decimal number", "Not a whole number", "12.50"):
        expect(page.locator("#winiadmin")).not_to_contain_text(english)
    page.screenshot(path=screenshot_dir / "wizard-de-2-preview.png", full_page=True)

    page.locator("#id_skip_invalid").check()
    with page.expect_navigation():
        page.locator("#winiadmin-confirm button[type=submit]").click()
    result = page.locator(".winiadmin-result")
    expect(result.locator("h2")).to_have_text("Importiert")
    expect(page.locator(".winiadmin-success")).to_contain_text(
        "1 ungültige Zeile wurde übersprungen."
    )
    page.screenshot(path=screenshot_dir / "wizard-de-3-result.png", full_page=True)
    assert sorted(str(sku) for sku in Product.objects.values_list("sku", flat=True)) == [
        "DE-1",
        "DE-2",
    ]
    page.context.close()
