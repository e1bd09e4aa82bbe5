"""The preview in the user's terms, in a real browser: types in words, values as the model stores
them, counts with thousands separators and correct plurals, the cells with problems marked with
a filter for their rows, and a problem list that reads on a phone."""

from pathlib import Path

from django.test import override_settings
from playwright.sync_api import Page, expect

from tests.browser.conftest import Wizard

HEADER = "sku,name,price,quantity,category,store,available_from\n"


def header_types(page: Page) -> dict[str, str]:
    cells: list[list[str]] = page.locator("#winiadmin-rows thead th[scope=col]").evaluate_all(
        "ths => ths.slice(1).map(th => [th.firstChild.textContent.trim(),"
        " th.querySelector('.winiadmin-dtype').textContent.trim()])"
    )
    return dict(cells)


def grid_row(page: Page, number: int) -> list[str]:
    """The cells of file row ``number`` in the cleaned-data grid, as the browser shows them."""
    row = page.locator("#winiadmin-rows tbody tr").filter(
        has=page.locator("th", has_text=f"{number}")
    )
    cells: list[str] = row.first.evaluate(
        "tr => Array.from(tr.querySelectorAll('td'), td => td.innerText.trim())"
    )
    return cells


def test_preview_speaks_the_users_language(
    wizard: Wizard, page: Page, samples: Path, tmp_path: Path, screenshot_dir: Path
) -> None:
    wizard.upload(samples / "catalogue.csv")
    assert header_types(page) == {
        "sku": "text",
        "name": "text",
        "price": "decimal number",
        "quantity": "whole number",
        "category": "text",
        "store": "text",
        "available_from": "date",
    }
    # SKU-0007 costs 89.1 in the file: a DecimalField(decimal_places=2) stores 89.10.
    assert grid_row(page, 8) == [
        "SKU-0007", "Happy Chess Set", "89.10", "54", "Garden", "Online", "Oct. 15, 2026",
    ]  # fmt: skip
    profile = page.locator(".winiadmin-profile .winiadmin-dtype")
    expect(profile).to_have_text(
        ["text", "text", "decimal number", "whole number", "text", "text", "date"]
    )
    for word in ("Float64", "Int64", "String", "null"):
        expect(page.locator("#winiadmin")).not_to_contain_text(word)
    page.locator("h2", has_text="Cleaned data").evaluate("h => h.scrollIntoView()")
    page.screenshot(path=screenshot_dir / "wizard-3-preview-values.png")

    # Many rows: thousands separators; an empty cell stays empty; plurals of one.
    lines = [f"P-{n:05},Item {n},60,{n},Books,{'Online' if n % 2 else ''},\n" for n in range(1500)]
    lines[7] = "P-00007,Item 7,not a price,7,Books,,\n"
    big = tmp_path / "many.csv"
    big.write_text(HEADER + "".join(lines))
    with override_settings(WINIADMIN={"PAGE_SIZE": 20}):
        wizard.upload(big)
        summary = page.locator(".winiadmin-summary")
        expect(summary).to_contain_text("Read 1,500 rows from many.csv")
        expect(summary).to_contain_text("1,499 rows passed cleaning; 1 error, 0 warnings.")
        expect(page.locator("#winiadmin-rows .winiadmin-rows-range")).to_have_text(
            "Rows 1\N{EN DASH}20 of 1,499"
        )
        assert grid_row(page, 2) == ["P-00000", "Item 0", "60.00", "0", "Books", "empty", "empty"]
        empty = page.locator("#winiadmin-rows tbody tr").first.locator("td.winiadmin-empty")
        expect(empty).to_have_count(2)
        expect(page.locator("#winiadmin-rows")).not_to_contain_text("null")
        expect(
            page.locator("label[for=id_skip_invalid], label:has(#id_skip_invalid)")
        ).to_contain_text("Skip the rows with errors (1 problem) and import the rest")
        expect(page.locator(".winiadmin-rejected-links")).to_contain_text("1 row was rejected.")
        expect(page.locator(".winiadmin-plan .winiadmin-count").last).to_have_text("1,499")


def test_cells_with_problems_are_marked_and_their_rows_filtered(
    wizard: Wizard, page: Page, samples: Path, screenshot_dir: Path
) -> None:
    with override_settings(WINIADMIN={"PAGE_SIZE": 4}):
        wizard.upload(samples / "catalogue_with_mistakes.csv")
        page.evaluate("window.__samePage = true")
        rows = page.locator("#winiadmin-rows")
        only = rows.get_by_role("link", name="Show only the 6 rows with problems")
        expect(only).to_be_visible()
        only.click()
        expect(rows).to_contain_text("Showing only the 6 rows with problems.")
        expect(rows.locator("tbody th")).to_have_text([f"{n} not imported" for n in (3, 5, 7, 8)])
        price = rows.locator("tbody tr").first.locator("td.winiadmin-cell-problem")
        expect(price).to_have_attribute("title", "Not a number.")
        expect(price).to_have_class("winiadmin-cell-problem error")
        expect(price).to_contain_text("12,50 EUR")
        # Not colour alone: a symbol, and the message for screen readers.
        expect(price.locator(".winiadmin-cell-flag")).to_have_text("\N{HEAVY MULTIPLICATION X}")
        expect(price.locator(".winiadmin-sr")).to_have_text("Error: Not a number.")
        missing = rows.locator("tbody tr").nth(1).locator("td.winiadmin-cell-problem")
        expect(missing).to_have_attribute("title", "A value is required.")
        expect(missing).to_contain_text("empty")
        duplicate = rows.locator("tbody tr").nth(2).locator("td.winiadmin-cell-problem")
        expect(duplicate).to_have_class("winiadmin-cell-problem warning")
        page.locator("h2", has_text="Cleaned data").evaluate("h => h.scrollIntoView()")
        page.screenshot(path=screenshot_dir / "wizard-3-marked-cells.png")

        rows.get_by_role("link", name="Next").click()  # paged, the filter kept
        expect(rows.locator("tbody th")).to_have_text(["10 not imported", "12 not imported"])
        expect(rows).to_contain_text("Page 2 of 2")
        rows.get_by_role("link", name="Show all rows").click()
        expect(rows.locator("tbody th").first).to_have_text("2")
        expect(rows.locator("tbody th")).to_have_count(4)
        assert page.evaluate("window.__samePage") is True  # htmx swaps, no page load


def test_problem_list_reads_on_a_phone(
    wizard: Wizard, page: Page, samples: Path, screenshot_dir: Path
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    wizard.upload(samples / "catalogue_with_mistakes.csv")
    problems = page.locator("table.winiadmin-problems tbody tr")
    expect(problems).to_have_count(7)
    first = problems.filter(has_text="12,50 EUR")
    message = first.locator("td").last
    expect(message).to_contain_text("Row 3, column price")
    expect(message).to_contain_text("Not a number.")
    width = message.evaluate("td => td.getBoundingClientRect().width")
    assert width > 250, width  # across the screen, not squeezed into a column
    table = page.locator("table.winiadmin-problems")
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")  # no sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("h2", has_text="Problems").evaluate("h => h.scrollIntoView()")
    page.screenshot(path=screenshot_dir / "wizard-mobile-problems.png")
