"""Every corpus file through the pipeline, ``manage.py winiadmin_import`` and the admin wizard.

Each must end as its case says (cases.py), the same way everywhere: never a traceback, never a
500, never half an import.
"""

import re
from dataclasses import asdict
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils.html import escape

from tests.admin.helpers import html, job_url, upload_file
from tests.reliability.cases import (
    CASES,
    SCRIPT,
    Case,
    Failed,
    Imported,
    Invalid,
    Outcome,
    Refused,
)
from tests.testapp.models import CorpusItem
from winiadmin.commands.report import row_accounting_line
from winiadmin.importers import get_importer
from winiadmin.models import ImportJob
from winiadmin.problems import Problem, ProblemKind, ProblemReport, Severity
from winiadmin.readers import ReadOptions
from winiadmin.results import ImportResult, ImportStatus, RowAccounting

pytestmark = pytest.mark.django_db
IDS = [case.name for case in CASES]


_BUILT: dict[str, bytes] = {}


def content(case: Case) -> bytes:
    """Each file built once per test session (the large ones take a moment)."""
    if case.name not in _BUILT:
        _BUILT[case.name] = case.build()
    return _BUILT[case.name]


def stored() -> dict[str, dict[str, object]]:
    fields = ("name", "quantity", "price", "day")
    return {
        item.code: {name: getattr(item, name) for name in fields}
        for item in CorpusItem.objects.all()
    }


def assert_nothing_written() -> None:
    assert not CorpusItem.objects.exists()


def error_cells(
    problems: list[Problem] | list[dict[str, Any]],
) -> set[tuple[int, str | None, str | None]]:
    cells: set[tuple[int, str | None, str | None]] = set()
    for problem in problems:
        p: dict[str, Any] = problem if isinstance(problem, dict) else {
            "row": problem.row, "column": problem.column, "value": problem.value,
            "severity": problem.severity.value,
        }  # fmt: skip
        if p["severity"] == "error" and p["row"] is not None:
            cells.add((p["row"], p["column"], p["value"]))
    return cells


def expected_cells(outcome: Invalid) -> set[tuple[int, str | None, str | None]]:
    return {(row, column, value) for row, column, value, _ in outcome.errors}


def problem_line(row: int, column: str | None, value: str | None, reason: str) -> str:
    """How a row problem prints (``Problem.__str__``): a row-wide one has no column or value."""
    return str(Problem(ProblemKind.INVALID_VALUE, Severity.ERROR, reason, row, column, value))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_pipeline(case: Case) -> None:
    result = get_importer(case.importer)().run(
        content(case), file_name=case.filename, read_options=ReadOptions(**case.read_options)
    )
    check_result(case.outcome, result)
    assert result.rows.balanced, result.rows
    if case.rows is not None:
        assert result.rows == RowAccounting(**case.rows)


def check_result(outcome: Outcome, result: ImportResult) -> None:
    if isinstance(outcome, Failed):
        assert result.status is ImportStatus.FAILED
        assert result.error.startswith(outcome.message), result.error
        assert_nothing_written()
        return
    if isinstance(outcome, Imported):
        assert result.status is ImportStatus.SUCCEEDED, result.error or list(result.problems)
        assert stored() == outcome.rows
        return
    assert result.status is ImportStatus.INVALID
    assert_nothing_written()
    if isinstance(outcome, Refused):
        assert result.error.startswith(outcome.message), result.error
    else:
        assert error_cells(list(result.problems)) == expected_cells(outcome)
        texts = [str(p) for p in result.problems]
        for row, column, value, reason in outcome.errors:
            line = problem_line(row, column, value, reason)
            assert any(text.startswith(line) for text in texts), (line, texts)
        for line in outcome.file_errors:
            assert any(text.startswith(line) for text in texts), (line, texts)


def command_args(case: Case, path: Path) -> list[str]:
    args = [case.importer, str(path)]
    for key, value in case.read_options.items():
        args += [f"--{key}", value]
    return args


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_command(case: Case, tmp_path: Path) -> None:
    path = tmp_path / case.filename
    path.write_bytes(content(case))
    out, err = StringIO(), StringIO()
    outcome = case.outcome
    if isinstance(outcome, Imported):
        call_command("winiadmin_import", *command_args(case, path), stdout=out, stderr=err)
        assert stored() == outcome.rows
        assert "Traceback" not in out.getvalue() + err.getvalue()
        if case.rows is not None:
            assert row_accounting_line_of(case) in out.getvalue()
        return
    with pytest.raises(CommandError) as info:
        call_command("winiadmin_import", *command_args(case, path), stdout=out, stderr=err)
    assert_nothing_written()
    assert "Traceback" not in out.getvalue() + err.getvalue()
    if isinstance(outcome, Failed):
        assert str(info.value).startswith(outcome.command_message), str(info.value)
        assert "\n" not in str(info.value)
        assert str(info.value).endswith("(run with --traceback for details)")
    elif isinstance(outcome, Refused):
        assert str(info.value).startswith(outcome.message), str(info.value)
    else:
        assert "nothing was written" in str(info.value) or outcome.file_errors
        for row, column, value, reason in outcome.errors:
            line = f"error: {problem_line(row, column, value, reason)}"
            assert line in err.getvalue(), (line, err.getvalue())
        for line in outcome.file_errors:
            assert f"error: {line}" in err.getvalue(), (line, err.getvalue())


def row_accounting_line_of(case: Case) -> str:
    """The line the command prints for the case's row accounting (a committed run)."""
    assert case.rows is not None
    result = ImportResult(
        "", dry_run=False, status=ImportStatus.SUCCEEDED, problems=ProblemReport()
    )
    result.rows = RowAccounting(**case.rows)
    return row_accounting_line(result)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_admin(case: Case, su_client: Client) -> None:
    response = upload_file(
        su_client,
        content=content(case),
        name=case.filename,
        importer=case.importer,
        model="",
        **case.read_options,
    )
    outcome = case.outcome
    if isinstance(outcome, Refused) and (outcome.admin_form_error or response.status_code == 200):
        # Refused by the upload form at once (no job, no dry run): a file the readers can tell
        # is not a table from its first bytes, with the readers' own message.
        assert response.status_code == 200
        assert escape(outcome.admin_form_error or outcome.message) in html(response)
        assert not ImportJob.objects.exists()
        assert_nothing_written()
        return
    assert response.status_code == 302, html(response)[:3000]
    job = ImportJob.objects.get()
    page = su_client.get(response["Location"])
    assert page.status_code == 200
    text = html(page)
    assert "Traceback" not in text
    assert SCRIPT not in text  # markup from the file is never live
    if SCRIPT in content(case).decode("utf-8", "replace"):
        assert escape(SCRIPT) in text  # the header and the cells, shown as text
        assert escape(SCRIPT) in html(su_client.get(job_url(job, "rows")))
    if isinstance(outcome, Failed):
        assert job.status == ImportJob.Status.FAILED
        assert job.error.startswith(outcome.message), job.error
        assert escape(outcome.message) in text
        assert_nothing_written()
        return
    if case.rows is not None:
        assert job.report["rows"] == asdict(RowAccounting(**case.rows))  # the check
    if isinstance(outcome, Imported):
        assert job.status == ImportJob.Status.VALIDATED, job.error
        done = su_client.post(job_url(job, "confirm"), follow=True)
        assert done.status_code == 200
        job.refresh_from_db()
        assert job.status == ImportJob.Status.SUCCEEDED, job.error
        assert stored() == outcome.rows
        if case.rows is not None:
            assert job.report["rows"] == asdict(RowAccounting(**case.rows))
        return
    assert job.status == ImportJob.Status.INVALID
    assert su_client.post(job_url(job, "confirm")).status_code == 302  # refused, not run
    assert_nothing_written()
    if isinstance(outcome, Refused):
        assert job.error.startswith(outcome.message), job.error
        assert escape(outcome.message) in text
    else:
        assert error_cells(job.report["problems"]) == expected_cells(outcome)
        for row, _column, value, reason in outcome.errors:
            # The row number links to the row in the table of rows with problems.
            assert re.search(rf"<td>(<a [^>]*>)?{row}(</a>)?</td>", text), row
            assert f"<code>{escape(value)}</code>" in text if value is not None else True
            assert escape(reason) in text
        for line in outcome.file_errors:
            message = line.split(": ", 1)[-1]  # without the "Column ...: " prefix
            assert escape(message) in text
