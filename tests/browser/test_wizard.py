"""The import wizard in a real browser: every step, what the pages show, what lands in the database.

Screenshots of the steps go to ``artifacts/screenshots`` (see ``docs/admin.md`` for the ones kept).
"""

import csv
import re
from pathlib import Path

from django.test import override_settings
from playwright.sync_api import Dialog, Page, Request, Route, expect
from shop.models import Category, Product, Store

from tests.browser.conftest import JOB_URL, Wizard
from winiadmin.models import ImportJob

ERROR_ROWS = {3, 5, 8, 10, 12}
HOSTILE_SCRIPT = "<script>window.__xss=1</script>"
HOSTILE_IMG = '"><img src=x onerror="window.__xss=1">'


def plan_counts(page: Page) -> dict[str, str]:
    """The preview's "What this import will do" table: verbose name → count."""
    cells: list[tuple[str, str]] = page.locator(".winiadmin-plan tbody tr").evaluate_all(
        "rows => rows.map(r => [r.cells[0].firstChild.textContent.trim(), r.cells[1].innerText])"
    )
    return dict(cells)


def table_rows(page: Page, selector: str) -> list[list[str]]:
    cells: list[list[str]] = page.locator(f"{selector} tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
    )
    return cells


def only_job() -> ImportJob:
    return ImportJob.objects.get()


def test_clean_file_from_changelist_to_result(
    wizard: Wizard, page: Page, samples: Path, screenshot_dir: Path
) -> None:
    wizard.changelist()
    import_button = page.locator(".winiadmin-import-link")
    expect(import_button).to_have_text("Import")
    page.screenshot(path=screenshot_dir / "wizard-1-changelist.png")

    import_button.click()
    page.wait_for_url(re.compile(r"/importjob/start/shop\.catalogue/\?model=shop\.Product$"))
    expect(page.locator("h1")).to_have_text("Import: Catalogue (products, categories, stores)")
    expect(page.locator(".winiadmin-steps [aria-current=step]")).to_have_text("Upload")
    page.set_input_files("#id_file", samples / "catalogue.csv")
    page.screenshot(path=screenshot_dir / "wizard-2-upload.png")

    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(JOB_URL)
    expect(page.locator(".winiadmin-steps [aria-current=step]")).to_have_text("Check")
    expect(page.locator(".winiadmin-summary")).to_contain_text("Read 40 rows from catalogue.csv")
    expect(page.locator(".winiadmin-summary")).to_contain_text("0 errors, 0 warnings")
    assert plan_counts(page) == {"Categories": "6", "Stores": "4", "Products": "40"}
    expect(page.get_by_role("button", name="Confirm and import")).to_be_visible()
    expect(page.locator("#winiadmin-problem-list")).to_contain_text("No problems.")
    page.screenshot(path=screenshot_dir / "wizard-3-preview.png")
    expect(page.locator("#winiadmin-rows .winiadmin-quiet")).to_have_text(
        "Rows 1\N{EN DASH}40 of 40"
    )
    profile = table_rows(page, ".winiadmin-profile")
    assert [r[0] for r in profile] == [
        "sku", "name", "price", "quantity", "category", "store", "available_from",
    ]  # fmt: skip
    page.locator("h2", has_text="Columns").evaluate("h => h.scrollIntoView()")
    page.screenshot(path=screenshot_dir / "wizard-3-preview-columns.png")
    # The dry run wrote nothing.
    assert (Product.objects.count(), Category.objects.count(), Store.objects.count()) == (0, 0, 0)
    assert only_job().status == ImportJob.Status.VALIDATED

    wizard.confirm()
    assert JOB_URL.search(page.url)
    result = page.locator(".winiadmin-result")
    expect(result.locator("h2")).to_have_text("Imported")
    expect(page.locator(".winiadmin-steps [aria-current=step]")).to_have_text("Result")
    links = result.locator("tbody a")
    expect(links).to_have_text(["Categories", "Stores", "Products"])
    assert [links.nth(i).get_attribute("href") for i in range(3)] == [
        "/admin/shop/category/",
        "/admin/shop/store/",
        "/admin/shop/product/",
    ]
    expect(result.locator(".winiadmin-count")).to_have_text(["6", "4", "40"])
    page.screenshot(path=screenshot_dir / "wizard-4-result.png")
    assert (Product.objects.count(), Category.objects.count(), Store.objects.count()) == (40, 6, 4)
    assert only_job().status == ImportJob.Status.SUCCEEDED

    links.nth(2).click()
    expect(page.locator("#changelist .paginator")).to_contain_text("40 products")

    # The import history lists the job.
    page.goto(wizard.url("/admin/winiadmin/importjob/"))
    history = table_rows(page, "#result_list")
    assert len(history) == 1
    assert history[0][1].split() == ["catalogue.csv", "shop.catalogue"]
    assert history[0][2].split()[0] == "Succeeded"  # then where it ran (host:process)
    assert history[0][-2:] == ["40", "50"]
    page.screenshot(path=screenshot_dir / "wizard-history.png")


def test_file_with_mistakes_needs_skip_invalid(
    wizard: Wizard, page: Page, samples: Path, screenshot_dir: Path
) -> None:
    wizard.upload(samples / "catalogue_with_mistakes.csv")
    expect(page.locator(".winiadmin-summary")).to_contain_text("5 errors, 2 warnings")
    assert plan_counts(page) == {"Categories": "4", "Stores": "3", "Products": "6"}
    problems = table_rows(page, "#winiadmin-problem-list")
    located = {(row, column, value) for row, column, value, _message in problems}
    assert {
        ("3", "price", "12,50 EUR"),
        ("5", "name", "empty"),
        ("7", "sku", "SKU-0005"),
        ("8", "available_from", "31/02/2026"),
        ("10", "quantity", "lots"),
        ("12", "price", "<script>alert(1)</script>"),
        ("—", "notes", "empty"),
    } == located
    errors = {int(r[0]) for r in problems if r[0] != "—" and "Duplicate" not in r[3]}
    assert errors == ERROR_ROWS
    # The download link reads on the module's header bar (light theme here, dark one below).
    download = page.locator(".winiadmin-download")
    expect(download).to_be_visible()
    header_colour = download.evaluate("a => getComputedStyle(a.parentElement).color")
    expect(download).to_have_css("color", header_colour)
    page.screenshot(path=screenshot_dir / "wizard-3-preview-errors.png")
    page.locator("h2", has_text="Problems").evaluate("h => h.scrollIntoView()")
    page.screenshot(path=screenshot_dir / "wizard-3-problems.png")

    # Without the checkbox the browser refuses to submit: no request, nothing written.
    checkbox = page.locator("#id_skip_invalid")
    expect(checkbox).not_to_be_checked()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    preview_url = page.url
    page.get_by_role("button", name="Confirm and import the valid rows").click()
    assert checkbox.evaluate("box => box.validity.valueMissing") is True
    page.wait_for_timeout(300)
    assert posts == []
    assert page.url == preview_url
    assert Product.objects.count() == 0
    assert only_job().status == ImportJob.Status.INVALID

    checkbox.check()
    wizard.confirm()
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported")
    expect(page.locator(".winiadmin-success")).to_contain_text("5 invalid rows were skipped.")
    expect(page.locator(".winiadmin-result .winiadmin-count")).to_have_text(["4", "3", "6"])
    assert Product.objects.count() == 6
    assert not Product.objects.filter(sku__in=["SKU-0002", "SKU-0004", "SKU-0011"]).exists()
    job = only_job()
    assert (job.status, job.skip_invalid) == (ImportJob.Status.SUCCEEDED, True)


def test_cleaned_rows_page_with_htmx(wizard: Wizard, page: Page, samples: Path) -> None:
    with override_settings(WINIADMIN={"PAGE_SIZE": 10}):
        wizard.upload(samples / "catalogue.csv")
        preview_url = page.url
        page.evaluate("window.__samePage = true")
        rows = page.locator("#winiadmin-rows")
        expect(rows.locator(".winiadmin-quiet")).to_have_text("Rows 1\N{EN DASH}10 of 40")
        expect(rows.locator("tbody tr")).to_have_count(10)
        expect(rows.locator("tbody th").first).to_have_text("2")

        rows.get_by_role("link", name="Next").click()
        expect(rows.locator("tbody th").first).to_have_text("12")
        expect(rows.locator(".winiadmin-quiet")).to_have_text("Rows 11\N{EN DASH}20 of 40")
        expect(rows.locator(".winiadmin-pagination")).to_contain_text("Page 2 of 4")
        expect(rows.locator("tbody tr")).to_have_count(10)
        assert page.url == preview_url
        assert page.evaluate("window.__samePage") is True  # a swap, not a page load

        rows.get_by_role("link", name="Previous").click()
        expect(rows.locator("tbody th").first).to_have_text("2")
        assert page.evaluate("window.__samePage") is True


def test_problem_groups_filter_the_list_with_htmx(
    wizard: Wizard, page: Page, samples: Path
) -> None:
    with override_settings(WINIADMIN={"PAGE_SIZE": 10}):
        wizard.upload(samples / "catalogue_with_mistakes.csv")
        preview_url = page.url
        page.evaluate("window.__samePage = true")
        listed = page.locator("#winiadmin-problem-list tbody tr")
        expect(listed).to_have_count(7)

        groups = page.locator(".winiadmin-groups tbody tr")
        invalid_price = groups.filter(has_text="Invalid value").filter(has_text="price")
        invalid_price.get_by_role("link", name="2").click()
        expect(listed).to_have_count(2)
        expect(page.locator("#winiadmin-problem-list")).to_contain_text(
            "Showing \u201cInvalid value\u201d in column \u201cprice\u201d."
        )
        assert [r[:2] for r in table_rows(page, "#winiadmin-problem-list")] == [
            ["3", "price"],
            ["12", "price"],
        ]

        groups.filter(has_text="Missing value").get_by_role("link", name="1").click()
        expect(listed).to_have_count(1)
        assert [r[:2] for r in table_rows(page, "#winiadmin-problem-list")] == [["5", "name"]]

        page.get_by_role("link", name="Show all problems").click()
        expect(listed).to_have_count(7)
        assert page.url == preview_url
        assert page.evaluate("window.__samePage") is True


def test_download_problems_as_csv(wizard: Wizard, page: Page, samples: Path) -> None:
    wizard.upload(samples / "catalogue_with_mistakes.csv")
    with page.expect_download() as info:
        page.locator(".winiadmin-download").click()
    download = info.value
    assert download.suggested_filename == f"problems-{only_job().pk}.csv"
    with Path(download.path()).open(newline="", encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert [line["row"] for line in lines] == ["", "3", "5", "7", "8", "10", "12"]
    by_row = {line["row"]: line for line in lines}
    assert by_row["3"]["problem"] == "Invalid value"
    assert by_row["3"]["value"] == "12,50 EUR"
    assert by_row["3"]["message"] == "Not a number."
    assert by_row["3"]["sku"] == "SKU-0002"  # the row as it was in the file follows
    assert by_row["5"]["message"] == "A value is required."
    assert by_row["7"]["problem"] == "Duplicate row"
    assert by_row["8"]["message"] == "Not a date (expected YYYY-MM-DD)."
    assert by_row["10"]["message"] == "Not a whole number."
    assert by_row[""]["column"] == "notes"
    assert {line["severity"] for line in lines} == {"error", "warning"}


def test_reload_and_resubmit_do_not_import_twice(wizard: Wizard, page: Page, samples: Path) -> None:
    wizard.upload(samples / "catalogue.csv")
    preview_url = page.url
    page.reload()
    assert page.url == preview_url
    assert plan_counts(page) == {"Categories": "6", "Stores": "4", "Products": "40"}
    expect(page.get_by_role("button", name="Confirm and import")).to_be_visible()
    assert ImportJob.objects.count() == 1
    assert Product.objects.count() == 0

    # A second tab still shows the preview with its confirm button.
    other = page.context.new_page()
    other.goto(preview_url)
    expect(other.get_by_role("button", name="Confirm and import")).to_be_visible()

    wizard.confirm()
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported")
    assert Product.objects.count() == 40

    # Back to the preview: the job has run, so the page is the result, not the form again.
    page.go_back()
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported")
    expect(page.locator("#winiadmin-confirm")).to_have_count(0)

    # Confirming from the stale tab is refused and imports nothing more.
    with other.expect_navigation():
        other.get_by_role("button", name="Confirm and import").click()
    expect(other.locator(".messagelist .warning")).to_contain_text("so it cannot be started")
    expect(other.locator(".winiadmin-result h2")).to_have_text("Imported")
    assert Product.objects.count() == 40
    assert ImportJob.objects.count() == 1
    other.close()


def test_upload_form_drop_zone_and_progress(wizard: Wizard, page: Page, samples: Path) -> None:
    wizard.open_upload()
    zone = page.locator("[data-winiadmin-dropzone]")
    expect(zone).to_be_visible()
    expect(zone).to_have_attribute("data-winiadmin-ready", "1")  # winiadmin.js set it up
    expect(zone.locator("input[type=file]")).to_have_count(1)
    progress = page.locator("progress#winiadmin-upload-progress")
    expect(progress).to_have_attribute("max", "100")
    expect(progress).to_be_hidden()  # only while a request runs

    # Drop a file onto the zone, as a drag from the desktop does.
    content = (samples / "catalogue.csv").read_text(encoding="utf-8")
    zone.evaluate(
        """(zone, text) => {
            const data = new DataTransfer();
            data.items.add(new File([text], "catalogue.csv", {type: "text/csv"}));
            zone.dispatchEvent(new DragEvent("dragenter", {dataTransfer: data, bubbles: true}));
            window.__wasDragover = zone.classList.contains("is-dragover");
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
        }""",
        content,
    )
    assert page.evaluate("window.__wasDragover") is True
    expect(zone).not_to_have_class(re.compile("is-dragover"))
    assert page.locator("#id_file").evaluate("input => input.files[0].name") == "catalogue.csv"

    # Hold the upload in flight: the progress bar shows until the answer arrives.
    held: list[Route] = []

    def hold(route: Route, request: Request) -> None:
        if request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/importjob/start/"), hold)
    page.get_by_role("button", name="Upload and check").click()
    expect(progress).to_be_visible()
    expect(page.get_by_role("button", name="Upload and check")).to_be_disabled()
    for _ in range(100):  # the route event may arrive just after the indicator shows
        if held:
            break
        page.wait_for_timeout(20)
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_url(JOB_URL)
    page.unroute(re.compile(r"/importjob/start/"))
    assert plan_counts(page) == {"Categories": "6", "Stores": "4", "Products": "40"}
    assert only_job().original_name == "catalogue.csv"


def test_upload_over_the_size_limit_shows_the_error(
    wizard: Wizard, page: Page, samples: Path
) -> None:
    with override_settings(WINIADMIN={"MAX_UPLOAD_SIZE": 100}):
        wizard.open_upload()
        start_url = page.url
        wizard.submit_file(samples / "catalogue.csv")
        error = page.locator("[data-winiadmin-dropzone] .errorlist")
        expect(error).to_contain_text("the largest accepted is 100\xa0bytes")
        assert page.url == start_url
        assert ImportJob.objects.count() == 0
        # The swapped-in form still works: drop zone set up again, button enabled.
        expect(page.locator("[data-winiadmin-dropzone]")).to_have_attribute(
            "data-winiadmin-ready", "1"
        )
        expect(page.get_by_role("button", name="Upload and check")).to_be_enabled()


def test_hostile_cells_and_header_stay_text(wizard: Wizard, page: Page, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.csv"
    with hostile.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        header = ["sku", "name", "price", "quantity", "category", "store", "available_from"]
        writer.writerow([*header, HOSTILE_SCRIPT])
        writer.writerow(
            ["X-1", HOSTILE_SCRIPT, "1.50", "1", HOSTILE_IMG, "Online", "2026-01-01", HOSTILE_IMG]
        )
        writer.writerow(
            ["X-2", HOSTILE_IMG, HOSTILE_SCRIPT, "2", "Books", HOSTILE_SCRIPT, "2026-01-02", "x"]
        )
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    wizard.upload(hostile)
    expect(page.locator("#winiadmin-rows tbody")).to_contain_text(HOSTILE_SCRIPT)
    expect(page.locator("#winiadmin-rows tbody")).to_contain_text(HOSTILE_IMG)
    expect(page.locator("#winiadmin-problem-list code")).to_contain_text([HOSTILE_SCRIPT])
    expect(page.locator(".winiadmin-groups")).to_contain_text(HOSTILE_SCRIPT)  # the header
    assert page.evaluate("window.__xss") is None
    assert page.locator("#winiadmin img").count() == 0
    assert page.locator("#winiadmin script").count() == 0

    page.locator("#id_skip_invalid").check()
    wizard.confirm()
    expect(page.locator(".winiadmin-result h2")).to_have_text("Imported")
    expect(page.locator("#winiadmin-problem-list")).to_contain_text(HOSTILE_SCRIPT)
    assert page.evaluate("window.__xss") is None
    assert Product.objects.get().name == HOSTILE_SCRIPT
    assert dialogs == []


def test_narrow_screen_and_dark_theme(
    wizard: Wizard, page: Page, samples: Path, screenshot_dir: Path
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    wizard.upload(samples / "catalogue_with_mistakes.csv")
    for table in ("table.winiadmin-problems", "table.winiadmin-data", "table.winiadmin-profile"):
        wrap = page.locator(f".winiadmin-table-wrap > {table}").locator("..")
        expect(wrap).to_have_css("overflow-x", "auto")
        width, client = wrap.evaluate("w => [window.innerWidth, w.clientWidth]")
        assert client < width, table
    data_wrap = page.locator("#winiadmin-rows")
    assert data_wrap.evaluate("w => w.scrollWidth > w.clientWidth")  # the wide table scrolls
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the page does not
    page.screenshot(path=screenshot_dir / "wizard-mobile.png")

    page.set_viewport_size({"width": 1280, "height": 900})
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert light != dark
    page.screenshot(path=screenshot_dir / "wizard-dark.png")
