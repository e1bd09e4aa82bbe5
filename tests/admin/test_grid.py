"""The preview's cleaned-data grid: values formatted, cells with problems marked, and the filter
that shows only the rows with problems (winiadmin.admin.grid)."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.test import Client

from tests.admin.conftest import MakeJob
from tests.admin.helpers import html, job_url
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

HEADER = "sku,name,price,quantity,category,store,available_from\n"


def row_numbers(fragment: str) -> list[int]:
    return [int(n) for n in re.findall(r'<th scope="row"[^>]*>(\d+)', fragment)]


def marked_cells(fragment: str) -> list[tuple[str, str, str]]:
    """(severity, title, shown text) of every marked cell."""
    cells = re.findall(
        r'<td class="winiadmin-cell-problem (\w+)" title="([^"]*)">(.*?) <span', fragment
    )
    return [(severity, unescape(title), text) for severity, title, text in cells]


def test_values_as_the_model_stores_them_types_in_words(
    su_client: Client, make_job: MakeJob
) -> None:
    job = make_job(content=(HEADER + "P-1,Lamp,60,150000,Books,,2026-06-19\n").encode())
    assert job.status == ImportJob.Status.VALIDATED
    page = html(su_client.get(job_url(job)))
    grid = page[page.index('id="winiadmin-rows"') :]
    assert '<td class="winiadmin-number">60.00</td>' in grid  # DecimalField(2), not 60.0
    assert '<td class="winiadmin-number">150000</td>' in grid
    assert "<td>June 19, 2026</td>" in grid
    assert '<td class="winiadmin-empty"><span class="winiadmin-null">empty</span></td>' in grid
    assert ">null<" not in grid
    types = re.findall(r'<span class="winiadmin-dtype">([^<]*)</span>', grid)
    assert types == ["text", "text", "decimal number", "whole number", "text", "text", "date"]
    profile = page[page.index('class="winiadmin-profile"') :]
    assert re.findall(r'<td class="winiadmin-dtype">([^<]*)</td>', profile) == types
    assert "<td>60.00</td>" in profile and "<td>June 19, 2026</td>" in profile  # min and max
    assert "Float64" not in page and "Int64" not in page and "String" not in page
    assert "Show only the" not in grid  # no problems: no filter


def test_problem_filter_shows_left_out_rows_as_typed_and_marks_cells(
    su_client: Client, make_job: MakeJob, samples: Path
) -> None:
    job = make_job(samples / "catalogue_with_mistakes.csv")
    page = html(su_client.get(job_url(job)))
    assert "Show only the 6 rows with problems" in page
    url = job_url(job, "rows")
    only = html(su_client.get(url, {"problems": "1"}))
    assert "Showing only the 6 rows with problems." in only
    assert row_numbers(only) == [3, 5, 7, 8, 10, 12]
    assert only.count("not imported") == 6
    cells = marked_cells(only)
    assert ("error", "Not a number.", "12,50 EUR") in cells  # as typed in the file
    assert ("error", "Not a whole number.", "lots") in cells
    assert ("error", "Not a date (expected YYYY-MM-DD).", "31/02/2026") in cells
    assert ("error", "A value is required.", '<span class="winiadmin-null">empty</span>') in cells
    assert ("warning", "Duplicate of row 6 (the same values); row 6 is kept.", "SKU-0005") in cells
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in only and "<script>alert" not in only
    # Not colour alone: the message is in the cell for screen readers too.
    assert '<span class="winiadmin-sr">Error: Not a number.</span>' in only
    # Every row back.
    assert row_numbers(html(su_client.get(url))) == [2, 4, 6, 9, 11, 13]


def test_problem_filter_pages_and_keeps_the_filter(
    su_client: Client, make_job: MakeJob, settings: object
) -> None:
    settings.WINIADMIN = {"PAGE_SIZE": 5}  # type: ignore[attr-defined]
    lines = [f"P-{n:02},Item,{'bad' if n % 3 == 0 else '1.00'},1,,,\n" for n in range(1, 25)]
    job = make_job(content=(HEADER + "".join(lines)).encode())
    url = job_url(job, "rows")
    first = html(su_client.get(url, {"problems": "1"}))
    assert row_numbers(first) == [4, 7, 10, 13, 16]
    assert "Page 1 of 2" in first
    assert f"{url}?page=2&amp;problems=1" in first
    second = html(su_client.get(url, {"problems": "1", "page": "2"}))
    assert row_numbers(second) == [19, 22, 25]
    assert "Rows 6\u20138 of 8" in second


def test_kept_row_with_a_problem_is_marked_in_the_grid(
    su_client: Client, make_job: MakeJob, samples: Path, known: None
) -> None:
    job = make_job(samples / "products_unknown_keys.csv", importer="shop.products")
    problems = [p for p in job.report["problems"] if p["row"] is not None]
    assert problems, job.report
    page = html(su_client.get(job_url(job)))
    grid = page[page.index('id="winiadmin-rows"') :]
    cells = marked_cells(grid)
    assert ("error", problems[0]["message"], problems[0]["value"]) in cells
    only = html(su_client.get(job_url(job, "rows"), {"problems": "1"}))
    assert row_numbers(only) == sorted({p["row"] for p in problems})
    assert "not imported" not in only  # kept in the cleaned data, values formatted
