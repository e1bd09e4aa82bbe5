from winiadmin.problems import Problem, ProblemKind, ProblemReport, Severity


def problem(
    kind: ProblemKind = ProblemKind.INVALID_VALUE,
    severity: Severity = Severity.ERROR,
    row: int | None = 2,
) -> Problem:
    return Problem(kind, severity, "Bad.", row=row, column="c", value="v")


def test_str_names_row_column_and_value() -> None:
    assert str(problem()) == "Row 2, column 'c', value 'v': Bad."
    assert str(Problem(ProblemKind.MISSING_COLUMN, Severity.ERROR, "Gone.")) == "Gone."
    assert ProblemKind.DUPLICATE_ROW.label == "Duplicate row"


def test_a_problem_may_name_its_sheet() -> None:
    assert problem().sheet is None  # problems of a file of one table name none
    in_orders = problem().in_sheet("Orders")
    assert str(in_orders) == "Sheet 'Orders', row 2, column 'c', value 'v': Bad."
    assert in_orders.in_sheet("Customers").sheet == "Orders"  # named once, by who found it
    assert (in_orders.row, in_orders.column, in_orders.value) == (2, "c", "v")


def test_report_counts_beyond_its_limit() -> None:
    report = ProblemReport(limit=2)
    report.extend(
        [problem(), problem(), problem(severity=Severity.WARNING, kind=ProblemKind.DUPLICATE_ROW)]
    )
    assert len(report) == 3
    assert len(list(report)) == 2
    assert report.truncated
    assert (report.error_count, report.warning_count) == (2, 1)
    assert report.counts_by_kind() == {ProblemKind.INVALID_VALUE: 2, ProblemKind.DUPLICATE_ROW: 1}
    assert report.has_errors
    assert not report.has_file_errors
    assert report.warnings() == []


def test_file_errors_and_empty_report() -> None:
    report = ProblemReport()
    assert not report
    report.add(problem(row=None))
    assert report.has_file_errors
    assert report.errors() == [problem(row=None)]
