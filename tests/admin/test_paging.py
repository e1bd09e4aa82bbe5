"""Pages of the preview tables: the arithmetic, and the HTMX fragments that use it."""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.admin.conftest import MakeJob
from tests.admin.helpers import html, job_url
from winiadmin.admin.paging import PageInfo
from winiadmin.models import ImportJob

HEADER = "sku,name,price,quantity,category,store,available_from\n"


@pytest.mark.parametrize(
    ("raw", "total", "number", "start", "end", "prev", "next_"),
    [
        (None, 12, 1, 1, 5, False, True),
        ("2", 12, 2, 6, 10, True, True),
        ("3", 12, 3, 11, 12, True, False),
        ("99", 12, 3, 11, 12, True, False),  # past the end: the last page
        ("0", 12, 1, 1, 5, False, True),
        ("-4", 12, 1, 1, 5, False, True),
        ("two", 12, 1, 1, 5, False, True),
        ("", 12, 1, 1, 5, False, True),
        ("1", 0, 1, 0, 0, False, False),  # nothing: one empty page
        ("1", 5, 1, 1, 5, False, False),
    ],
)
def test_page_info(
    raw: str | None, total: int, number: int, start: int, end: int, prev: bool, next_: bool
) -> None:
    page = PageInfo.from_request(raw, 5, total)
    assert page.number == number
    assert (page.start_index, page.end_index) == (start, end)
    assert (page.has_previous, page.has_next) == (prev, next_)
    assert page.offset == (number - 1) * 5
    assert page.num_pages == max(1, -(-total // 5))


def row_numbers(fragment: str) -> list[int]:
    return [int(n) for n in re.findall(r'<th scope="row">(\d+)</th>', fragment)]


@pytest.fixture
def small_pages(settings: object) -> None:
    settings.WINIADMIN = {"PAGE_SIZE": 5}  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.usefixtures("small_pages")
def test_rows_fragment_pages(su_client: Client, make_job: MakeJob, samples: Path) -> None:
    job = make_job(samples / "catalogue.csv")
    url = job_url(job, "rows")

    first = html(su_client.get(job_url(job)))  # the job page holds page 1
    assert row_numbers(first) == [2, 3, 4, 5, 6]
    assert "Rows 1\u20135 of 40" in first and "Page 1 of 8" in first

    second = html(su_client.get(url, {"page": "2"}))
    assert second.startswith('\n<div id="winiadmin-rows"')  # a fragment, not a page
    assert "<html" not in second
    assert row_numbers(second) == [7, 8, 9, 10, 11]
    assert "Rows 6\u201310 of 40" in second and "Page 2 of 8" in second
    assert f'hx-get="{url}?page=1"' in second and f'hx-get="{url}?page=3"' in second
    assert 'hx-target="#winiadmin-rows"' in second

    last = html(su_client.get(url, {"page": "8"}))
    assert row_numbers(last) == [37, 38, 39, 40, 41]
    assert f"{url}?page=9" not in last and 'rel="next"' not in last
    assert row_numbers(html(su_client.get(url, {"page": "500"}))) == [37, 38, 39, 40, 41]


@pytest.mark.django_db
@pytest.mark.usefixtures("small_pages")
def test_rows_skip_the_invalid_ones(su_client: Client, make_job: MakeJob, samples: Path) -> None:
    job = make_job(samples / "catalogue_with_mistakes.csv")
    page = html(su_client.get(job_url(job, "rows"), {"page": "2"}))
    assert row_numbers(page) == [13]  # rows 2, 4, 6, 9, 11 on page 1
    assert "Rows 6\u20136 of 6" in page


@pytest.mark.django_db
@pytest.mark.usefixtures("small_pages")
def test_problems_fragment_pages_and_keeps_its_filter(su_client: Client, make_job: MakeJob) -> None:
    lines = [f"P-{n:02},Item,{'bad' if n % 2 else '1.00'},{'x' if n % 3 == 0 else 1},,,\n"
             for n in range(1, 25)]  # fmt: skip
    job = make_job(content=(HEADER + "".join(lines)).encode())
    assert job.status == ImportJob.Status.INVALID
    url = job_url(job, "problems")

    def problem_rows(fragment: str) -> list[int]:
        # The row number links to the row in the table (admin/edits.py's "jump to the row").
        found = re.findall(
            r'<tr class="error">\s*<td><a class="winiadmin-to-row"[^>]*>(\d+)</a>', fragment
        )
        return [int(n) for n in found]

    # 12 bad prices (odd numbers) and 8 bad quantities: 20 problems, 4 pages.
    everything = html(su_client.get(url))
    assert "Page 1 of 4" in everything
    assert problem_rows(html(su_client.get(url, {"page": "2"}))) == [8, 10, 10, 12, 13]

    prices = {"kind": "invalid_value", "column": "price"}
    second = html(su_client.get(url, {**prices, "page": "2"}))
    assert problem_rows(second) == [12, 14, 16, 18, 20]  # file rows of P-11 … P-19
    assert "Page 2 of 3" in second
    # The page links keep the filter.
    assert f'hx-get="{url}?page=3&amp;kind=invalid_value&amp;column=price"' in second
    assert f'href="{url}?page=1&amp;kind=invalid_value&amp;column=price"' in second

    quantities = html(su_client.get(url, {"column": "quantity", "page": "2"}))
    assert problem_rows(quantities) == [19, 22, 25]
    assert "Page 2 of 2" in quantities
