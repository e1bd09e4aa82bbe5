"""In a real browser: bad cells fixed in the preview, the problem gone and the counts changed
without a page load, a replace in a column, the whole file checked again, the import confirmed
with the edited values in the database; a user who may not run the job cannot edit it."""

import shutil
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Permission, User
from playwright.sync_api import Page, expect
from shop.models import Product

from tests.browser.conftest import PASSWORD, Wizard
from winiadmin.models import ImportEdit, ImportJob

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"

MISTAKES = (
    "sku,name,price,quantity,category,store,available_from\n"
    "A-1,Lamp,1.00,1,Books,Online,2026-01-01\n"
    "B-2,,2.00,2,Books,Online,2026-01-02\n"
    'C-3,Chair,"12,50 EUR",3,Books,Online,2026-01-03\n'
    'D-4,Stool,"12,50 EUR",4,Books,Online,2026-01-04\n'
    "E-5,Shelf,5.00,lots,Books,Online,2026-01-05\n"
)


def test_fix_cells_replace_in_a_column_and_import(
    wizard: Wizard, page: Page, tmp_path: Path, screenshot_dir: Path
) -> None:
    path = tmp_path / "products.csv"
    path.write_text(MISTAKES, encoding="utf-8")
    wizard.upload(path)
    plan = page.locator(".winiadmin-plan")
    problems = page.locator("#winiadmin-problem-list")
    expect(problems).to_contain_text("Row 3, column name")

    # A name typed where it was missing: only the row is checked again, in place.
    fix = problems.locator("tr", has_text="Row 3, column name").locator("form.winiadmin-edit-cell")
    fix.locator("input[name=value]").fill("Desk")
    problems.screenshot(path=screenshot_dir / "wizard-edit-cell.png")
    shutil.copy(screenshot_dir / "wizard-edit-cell.png", DOCS_IMG / "wizard-edit-cell.png")
    url = page.url
    fix.get_by_role("button", name="Check").click()
    expect(page.locator(".winiadmin-checked-row")).to_have_text(
        "Row 3 checked again: no problem left."
    )
    expect(problems).not_to_contain_text("Row 3, column name")
    assert page.url == url
    expect(plan).to_contain_text("Check the whole file again with your edits before importing.")

    # The quantity: a bad value first (still a problem), then a good one.
    fix = problems.locator("tr", has_text="Row 6, column quantity")
    fix.locator("input[name=value]").fill("5")
    fix.get_by_role("button", name="Check").click()
    expect(page.locator(".winiadmin-checked-row")).to_have_text(
        "Row 6 checked again: no problem left."
    )
    expect(page.locator(".winiadmin-edit-list tbody tr")).to_have_count(2)

    # Replace in the price column, with the count shown before it is applied.
    page.select_option("#winiadmin-replace-column", "price")
    page.fill("#winiadmin-replace-old", "12,50 EUR")
    page.fill("#winiadmin-replace-new", "12.50")
    expect(page.locator("#winiadmin-replace-count")).to_have_text("2 cells will change.")
    page.locator("#winiadmin-edits").screenshot(path=screenshot_dir / "wizard-edits.png")
    shutil.copy(screenshot_dir / "wizard-edits.png", DOCS_IMG / "wizard-edits.png")
    with page.expect_navigation():
        page.locator("#winiadmin-replace-apply").click()

    # The whole file was checked again with the edits: nothing left to fix.
    expect(page.get_by_text("No problems.")).to_be_visible()
    expect(page.locator(".winiadmin-plan")).to_contain_text("Confirm and import")
    wizard.confirm()
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported")
    stored = {p.sku: (p.name, p.price, p.quantity) for p in Product.objects.all()}
    assert stored == {
        "A-1": ("Lamp", Decimal("1.00"), 1),
        "B-2": ("Desk", Decimal("2.00"), 2),
        "C-3": ("Chair", Decimal("12.50"), 3),
        "D-4": ("Stool", Decimal("12.50"), 4),
        "E-5": ("Shelf", Decimal("5.00"), 5),
    }


def test_a_user_who_may_not_run_the_job_cannot_edit_it(
    wizard: Wizard, page: Page, tmp_path: Path
) -> None:
    """The preview left open while someone else logs in (another tab): the edit is refused."""
    path = tmp_path / "products.csv"
    path.write_text(MISTAKES, encoding="utf-8")
    wizard.upload(path)
    job = ImportJob.objects.get()
    report = job.report
    # May import products, but not this job: it is the superuser's, and "view all" is not given.
    other = User.objects.create_user("clerk", "clerk@example.com", PASSWORD, is_staff=True)
    other.user_permissions.set(
        Permission.objects.filter(
            codename__in=["add_category", "add_store", "add_product", "change_product"]
        )
    )
    tab = page.context.new_page()
    page.context.clear_cookies()  # the superuser's session ends; clerk logs in in another tab
    tab.goto(wizard.url("/admin/login/?next=/admin/"))
    tab.fill("#id_username", "clerk")
    tab.fill("#id_password", PASSWORD)
    tab.click("input[type=submit]")
    expect(tab.locator("#user-tools")).to_be_visible()
    refused = tab.goto(wizard.url(f"/admin/winiadmin/importjob/{job.pk}/"))
    assert refused is not None
    assert refused.status == 403

    # Back on the open preview: the form now carries clerk's CSRF token, so only the
    # permission can refuse it.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    problems = page.locator("#winiadmin-problem-list")
    fix = problems.locator("tr", has_text="Row 3, column name").locator("form.winiadmin-edit-cell")
    fix.locator("input[name=csrfmiddlewaretoken]").evaluate(
        "(input, token) => { input.value = token; }", token
    )
    fix.locator("input[name=value]").fill("Desk")
    with page.expect_response(lambda r: "/edit/cell/" in r.url) as answer:
        fix.get_by_role("button", name="Check").click()
    assert answer.value.status == 403
    # The refusal is shown in place of the preview: it says why, and nothing was edited.
    expect(page.locator(".winiadmin-refusal")).to_contain_text(
        "This import belongs to another user."
    )
    assert not ImportEdit.objects.exists()
    job.refresh_from_db()
    assert job.report == report
    assert job.edited_at is None
