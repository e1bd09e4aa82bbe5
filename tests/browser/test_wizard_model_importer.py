"""Zero configuration in a real browser: ``GadgetAdmin(ImportMixin, admin.ModelAdmin)`` with no
importer; the Import button leads to the importer derived from the model."""

import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import JOB_URL, Wizard
from tests.testapp.models import Gadget, Maker


def test_import_into_a_model_without_an_importer(
    wizard: Wizard, page: Page, tmp_path: Path, screenshot_dir: Path
) -> None:
    Maker.objects.create(code="m1")
    path = tmp_path / "gadgets.csv"
    path.write_text(
        "Gadget name,Price,Active,Size,Made by\nLamp,12.5,x,Large,m1\nFan,3,,Small,\n",
        encoding="utf-8",
    )
    page.goto(wizard.url("/admin/testapp/gadget/"))
    page.click(".winiadmin-import-link")
    page.wait_for_url(re.compile(r"/importjob/start/testapp.Gadget/"))
    expect(page.locator("#winiadmin-upload")).to_be_visible()
    wizard.submit_file(path)
    page.wait_for_url(JOB_URL)
    expect(page.locator(".winiadmin-plan")).to_be_visible()
    page.screenshot(path=screenshot_dir / "wizard-model-importer-preview.png")
    assert not Gadget.objects.exists()  # the dry run wrote nothing

    wizard.confirm()
    expect(page.locator(".winiadmin-result")).to_contain_text("Imported")
    lamp = Gadget.objects.get(name="Lamp")
    assert (lamp.price, lamp.active, lamp.size, lamp.made_by_id) == (
        Decimal("12.50"),
        True,
        "L",
        "m1",
    )
    assert Gadget.objects.get(name="Fan").active is False
