"""The preview's problem list: grouped, filtered, and downloaded as a CSV a spreadsheet can open."""

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest
from django.test import Client

from tests.admin.conftest import MakeJob
from tests.admin.helpers import html, job_url
from winiadmin.admin.problems import filter_problems, problem_groups, problems_csv
from winiadmin.import_report import StoredProblem
from winiadmin.spreadsheets import neutralise

HEADER = b"sku,name,price,quantity,category,store,available_from\n"


def problem(
    kind: str, column: str | None, severity: str = "error", row: int | None = 2
) -> StoredProblem:
    label = kind.replace("_", " ").capitalize()
    return StoredProblem(kind, label, severity, "…", row=row, column=column)


def test_groups_put_errors_first_then_the_most_frequent() -> None:
    problems = [
        problem("duplicate_row", "sku", "warning"),
        problem("duplicate_row", "sku", "warning"),
        problem("duplicate_row", "sku", "warning"),
        problem("invalid_value", "price"),
        problem("missing_value", "name"),
        problem("missing_value", "name"),
        problem("invalid_value", "quantity"),
        problem("missing_column", None, row=None),
    ]
    groups = problem_groups(problems)
    assert [(g.kind, g.column, g.severity, g.count) for g in groups] == [
        ("missing_value", "name", "error", 2),
        ("invalid_value", "price", "error", 1),
        ("invalid_value", "quantity", "error", 1),
        ("missing_column", "", "error", 1),
        ("duplicate_row", "sku", "warning", 3),
    ]
    assert problem_groups([]) == []


def test_filter_by_kind_and_column() -> None:
    problems = [
        problem("invalid_value", "price"),
        problem("invalid_value", "quantity"),
        problem("missing_value", "price"),
        problem("missing_column", None, row=None),
    ]
    assert filter_problems(problems) == problems
    assert filter_problems(problems, kind="invalid_value") == problems[:2]
    assert filter_problems(problems, column="price") == [problems[0], problems[2]]
    assert filter_problems(problems, "invalid_value", "price") == [problems[0]]
    assert filter_problems(problems, "missing_column") == [problems[3]]
    assert filter_problems(problems, "nothing") == []


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("-5", "-5"),  # a signed number is data, not a formula
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (12, "12"),
    ],
)
def test_neutralise(cell: object, shown: str) -> None:
    assert neutralise(cell) == shown


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.django_db
def test_problems_csv_holds_the_original_rows_disarmed(make_job: MakeJob) -> None:
    content = (
        HEADER
        + b"A-1,Fine,1.00,1,,,\n"
        + b"A-2,\"=cmd|' /C calc'!A0\",lots,1,@SUM(A1),+49 30,\n"
        + b"A-3,Minus,-1,x,,,\n"
    )
    job = make_job(content=content)
    rows = read_csv(problems_csv(job))
    assert rows[0] == [
        "row", "severity", "code", "problem", "column", "value", "message",
        "sku", "name", "price", "quantity", "category", "store", "available_from",
    ]  # fmt: skip
    assert rows[1] == [
        "3", "error", "invalid_value", "Invalid value", "price", "lots", "Not a number.",
        "A-2", "'=cmd|' /C calc'!A0", "lots", "1", "'@SUM(A1)", "'+49 30", "",
    ]  # fmt: skip
    assert rows[2][:6] == ["4", "error", "invalid_value", "Invalid value", "quantity", "x"]
    assert rows[2][7:] == ["A-3", "Minus", "-1", "x", "", "", ""]
    assert len(rows) == 3


@pytest.mark.django_db
def test_problems_naming_a_sheet_get_a_sheet_column_and_show_it(
    su_client: Client, make_job: MakeJob
) -> None:
    job = make_job(content=HEADER + b"A-1,Fine,1.00,1,,,\n")
    named = replace(problem("unknown_key", "order", row=4), sheet="Order lines", value="O-9")
    problems = (named, problem("missing_column", "email", row=None))
    job.report = replace(job.import_report, problems=problems).to_json()
    job.save(update_fields=["report"])
    rows = read_csv(problems_csv(job))
    assert rows[0][:3] == ["sheet", "row", "severity"]
    assert rows[1] == [
        "Order lines", "4", "error", "unknown_key", "Unknown key", "order", "O-9", "…",
    ]  # fmt: skip
    assert rows[2][:3] == ["", "", "error"]
    page = html(su_client.get(job_url(job, "problems")))
    assert "Sheet Order lines, Row 4, column order" in page


@pytest.mark.django_db
def test_problems_csv_download(su_client: Client, make_job: MakeJob, samples: Path) -> None:
    job = make_job(samples / "catalogue_with_mistakes.csv")
    response = su_client.get(job_url(job, "problems_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="problems-{job.pk}.csv"'
    rows = read_csv(html(response))
    assert len(rows) == 1 + job.report["problem_count"] == 8
    # A file-level problem has no row, so no original values.
    assert rows[1] == [
        "", "warning", "unexpected_column", "Unexpected column", "notes", "",
        "This column is not used by the importer and is ignored.",
    ]  # fmt: skip
    by_row = {row[0]: row for row in rows[2:]}
    assert by_row["3"][5] == "12,50 EUR"
    assert by_row["3"][7:] == [
        "SKU-0002", "Red Shovel", "12,50 EUR", "11", "Kitchen", "Online", "2026-02-08", "",
    ]  # fmt: skip
    # As typed, not as cleaned: the date that is no date, the quantity that is no number.
    assert by_row["8"][7:] == [
        "SKU-0007", "Happy Chess Set", "89.10", "54", "Garden", "Online", "31/02/2026", "check",
    ]  # fmt: skip
    assert by_row["10"][10] == "lots"


@pytest.mark.django_db
def test_problems_csv_without_the_upload(make_job: MakeJob, samples: Path) -> None:
    job = make_job(samples / "catalogue_with_mistakes.csv")
    job.file.delete(save=True)
    rows = read_csv(problems_csv(job))
    assert len(rows) == 8
    assert all(len(row) == 7 for row in rows[1:])  # where, what, why: no original values


@pytest.mark.django_db
def test_problems_fragment_filters(su_client: Client, make_job: MakeJob, samples: Path) -> None:
    job = make_job(samples / "catalogue_with_mistakes.csv")
    url = job_url(job, "problems")

    every = html(su_client.get(url))
    assert every.count("<tr class=") == 7
    assert "Show all problems" not in every

    prices = html(su_client.get(url, {"kind": "invalid_value", "column": "price"}))
    assert prices.count("<tr class=") == 2
    assert "<code>12,50 EUR</code>" in prices and "lots" not in prices
    assert "Showing \u201cInvalid value\u201d in column \u201cprice\u201d." in prices
    assert f'href="{url}"' in prices  # "Show all problems"

    invalid = html(su_client.get(url, {"kind": "invalid_value"}))
    assert invalid.count("<tr class=") == 4
    assert html(su_client.get(url, {"column": "sku"})).count("<tr class=") == 1
    nothing = html(su_client.get(url, {"kind": "no_such_kind"}))
    assert "No problems." in nothing


@pytest.mark.django_db
def test_job_page_links_each_group_to_its_filter(
    su_client: Client, make_job: MakeJob, samples: Path
) -> None:
    job = make_job(samples / "catalogue_with_mistakes.csv")
    page = html(su_client.get(job_url(job)))
    link = f"{job_url(job, 'problems')}?kind=invalid_value&column=price"
    assert f'href="{link}"' in page and f'hx-get="{link}"' in page
    assert f'href="{job_url(job, "problems_csv")}"' in page


@pytest.mark.django_db
def test_no_download_link_without_problems(su_client: Client, make_job: MakeJob) -> None:
    job = make_job(content=HEADER + b"A-1,Fine,1.00,1,,,\n")
    page = html(su_client.get(job_url(job)))
    assert job_url(job, "problems_csv") not in page
    assert "No problems." in page
