"""The clean stage: raw table in, cleaned frame and every problem out.

1. match the header to the declared columns (missing ones stop here, extra ones are ignored);
   text that winiadmin's own CSV files guarded against formulas (``'=A1``) gets its ``'`` back
   off, so that a downloaded file of rejected rows imports as it is;
2. parse every declared column into its dtype, recording each cell that does not fit;
3. run the importer's winiutils ``CleaningDF`` (with row tracking) on the rows without errors.

Rows with errors never reach the cleaning class, so what it keeps is exactly what would be
imported if the caller chooses to skip invalid rows.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl
from django.utils.translation import gettext as _
from winiutils.core.data.dataframe.cleaning import CleaningDF as WiniutilsCleaningDF

from winiadmin.cleaning.coerce import (
    CoercedColumn,
    ColumnParser,
    ParseFormats,
    as_dtype,
    coerce_column,
    coerce_text,
    normalise_text,
)
from winiadmin.cleaning.columns import match_columns
from winiadmin.cleaning.conventions import FileConventions, normalise_dates, normalise_numbers
from winiadmin.cleaning.detection import ConventionEvidence, ConventionProposal
from winiadmin.cleaning.tracking import (
    ROW_COL,
    DuplicateKeyPolicy,
    RowTracking,
    rename_map_of,
    tracked,
)
from winiadmin.exceptions import CleaningError, describe_exception
from winiadmin.problems import Problem, ProblemKind, Severity
from winiadmin.spreadsheets import unquote_formulas


@dataclass(slots=True)
class CleaningOutcome:
    #: The cleaned rows, with the standard column names, ready for ``get_bulks_by_model``.
    frame: pl.DataFrame
    #: The file row number of each row of ``frame``.
    row_numbers: pl.Series
    problems: list[Problem] = field(default_factory=list)
    #: File row numbers that have at least one error (left out of ``frame``).
    invalid_rows: tuple[int, ...] = ()
    #: The cleaning class instance, as winiutils left it (``None`` if cleaning could not run).
    cleaning_df: WiniutilsCleaningDF | None = None
    #: Columns whose failing cells a convention would read (proposed, not applied).
    proposals: list[ConventionProposal] = field(default_factory=list)

    @property
    def has_file_errors(self) -> bool:
        return any(p.is_error and p.row is None for p in self.problems)


def default_row_numbers(height: int) -> pl.Series:
    """Header is row 1, so data starts at row 2."""
    return pl.int_range(2, height + 2, eager=True, dtype=pl.Int64).alias(ROW_COL)


def optional_cols_of(cls: type[WiniutilsCleaningDF]) -> tuple[str, ...]:
    """The columns a file may leave out (winiadmin's ``get_optional_cols``; none on a plain
    winiutils class)."""
    optional: tuple[str, ...] = getattr(cls, "get_optional_cols", tuple)()
    return optional


def _column_problems(
    header: list[str], expected: list[str], optional: Iterable[str] = ()
) -> tuple[dict[str, str], list[Problem]]:
    match = match_columns(header, expected)
    problems = [
        Problem(
            ProblemKind.MISSING_COLUMN,
            Severity.ERROR,
            _("Column %(name)r is missing. The file has: %(header)s.")
            % {"name": name, "header": ", ".join(header) or _("no columns")},
            column=name,
        )
        for name in match.missing
        if name not in set(optional)
    ]
    problems += [
        Problem(
            ProblemKind.UNEXPECTED_COLUMN,
            Severity.WARNING,
            _("This column is not used by the importer and is ignored."),
            column=name,
        )
        for name in match.unexpected
    ]
    return match.renames, problems


def _unquote_text(frame: pl.DataFrame, names: Iterable[str]) -> pl.DataFrame:
    """Drop the ``'`` winiadmin's own CSV files put before formula-like text (``'=A1``)."""
    text = [n for n in names if n in frame.columns and frame.schema[n] == pl.String]
    return frame.with_columns(unquote_formulas(frame.get_column(n)) for n in text)


@dataclass(frozen=True, slots=True)
class _InConvention:
    """A column's text rewritten from its conventions into the parsers' default."""

    text: pl.Series
    #: Whether ``text`` is normalised already (:func:`normalise_text`).
    normalised: bool = False
    formats: ParseFormats | None = None
    #: Cells not written in the convention, and why.
    refused: pl.Series | None = None
    reason: str | None = None
    #: Cells to divide by 100 once parsed (``percent="fraction"``).
    percent: pl.Series | None = None


def _in_convention(
    raw: pl.Series,
    dtype: pl.DataType,
    conventions: FileConventions,
    *,
    own_parser: bool,
) -> _InConvention:
    """The column's text in the parsers' default convention
    (:mod:`winiadmin.cleaning.conventions`). Read by its dtype, a date column is given the
    declared formats instead (parsed once); read by a parser of its own, rewritten as ISO."""
    numeric = dtype.is_numeric()
    if numeric and conventions.declares_numbers:
        text = raw.cast(pl.String, strict=False)
        # Symbols and signs are found at the ends of stripped cells; without them, the parser's
        # own stripping is the only one needed.
        stripped = bool(conventions.currency_symbols) or conventions.percent is not None
        if stripped:
            text = normalise_text(text)
        column = normalise_numbers(text, conventions)
        percent = column.divide_by_100
        if conventions.percent == "fraction" and not dtype.is_float() and percent is not None:
            # 12% as 0.12 in an integer or a decimal column would change the value's scale.
            refused = (column.refused | percent.fill_null(False)).alias(raw.name)
            reason = _("A percentage cannot be read as a fraction in this column")
            return _InConvention(column.text, normalised=True, refused=refused, reason=reason)
        fraction = percent if conventions.percent == "fraction" else None
        return _InConvention(
            column.text,
            normalised=stripped,
            refused=column.refused,
            reason=column.reason,
            percent=fraction,
        )
    is_date, is_datetime = dtype == pl.Date, isinstance(dtype, pl.Datetime)
    declared = conventions.date_formats if is_date else conventions.datetime_formats
    if not (is_date or is_datetime) or not declared:
        return _InConvention(raw)
    text = normalise_text(raw.cast(pl.String, strict=False))
    if own_parser:
        return _InConvention(normalise_dates(text, declared, with_time=is_datetime))
    return _InConvention(text, normalised=True, formats=ParseFormats(declared, declared))


def _parse_column(
    raw: pl.Series,
    dtype: pl.DataType,
    formats: ParseFormats,
    parser: ColumnParser | None,
    conventions: FileConventions | None,
) -> CoercedColumn:
    """One column parsed in its conventions; a refused cell keeps its convention's reason."""
    if conventions is None or raw.dtype != pl.String:
        return parser(raw) if parser else coerce_column(raw, dtype, formats)
    read = _in_convention(raw, dtype, conventions, own_parser=parser is not None)
    if read.formats is not None:
        formats = ParseFormats(
            dates=(*read.formats.dates, *formats.dates),
            datetimes=(*read.formats.datetimes, *formats.datetimes),
        )
    if parser:
        column = parser(read.text)
    elif read.normalised:
        column = coerce_text(read.text, dtype, formats)
    else:
        column = coerce_column(read.text, dtype, formats)
    if read.percent is not None and read.percent.any():
        values = pl.select(
            pl.when(pl.lit(read.percent.fill_null(False)))
            .then(pl.lit(column.values) / 100)
            .otherwise(pl.lit(column.values))
        ).to_series()
        column = CoercedColumn(values.alias(raw.name), column.failed, column.reasons)
    refused = read.refused
    if refused is None or not refused.any():
        return column
    failed = (column.failed | refused).alias(raw.name)
    reasons = column.reasons.set(refused, read.reason).set(~failed, None)
    return CoercedColumn(column.values.set(failed, None), failed, reasons)


def _parse(
    frame: pl.DataFrame,
    dtypes: Mapping[str, pl.DataType | type[pl.DataType]],
    formats: ParseFormats,
    rows: pl.Series,
    readers: tuple[Mapping[str, ColumnParser], Mapping[str, FileConventions] | None],
) -> tuple[pl.DataFrame, pl.Series, list[Problem], dict[str, pl.Series]]:
    """Parse each column (by its own parser, else by its dtype, in its conventions); return the
    parsed frame, a per-row failure mask, the problems (each naming the value as typed) and
    the failure mask of each column with failing cells."""
    parsed: list[pl.Series] = []
    failures: dict[str, pl.Series] = {}
    problems: list[Problem] = []
    row_failed = pl.repeat(False, frame.height, dtype=pl.Boolean, eager=True)
    parsers, conventions = readers
    for name, dtype in dtypes.items():
        raw = frame.get_column(name)
        column = _parse_column(
            raw,
            as_dtype(dtype),
            formats,
            parsers.get(name),
            None if conventions is None else conventions.get(name),
        )
        parsed.append(column.values)
        if column.failed.any():
            failures[name] = column.failed
            row_failed = row_failed | column.failed
            bad = pl.DataFrame({"row": rows, "raw": raw.cast(pl.String), "why": column.reasons})
            for row, value, why in bad.filter(column.failed).iter_rows():
                problems.append(
                    Problem(ProblemKind.INVALID_VALUE, Severity.ERROR, f"{why}.", row, name, value)
                )
    return pl.DataFrame(parsed), row_failed, problems, failures


def _declares(conventions: FileConventions | None, dtype: pl.DataType) -> bool:
    """Whether ``conventions`` say how a column of ``dtype`` is written (then none is proposed:
    the user has said)."""
    if conventions is None:
        return False
    if dtype.is_numeric():
        return conventions.declares_numbers
    if dtype == pl.Date:
        return conventions.date_formats is not None
    return conventions.datetime_formats is not None


def _add_evidence(
    frame: pl.DataFrame,
    dtypes: Mapping[str, pl.DataType | type[pl.DataType]],
    readers: tuple[ParseFormats, Mapping[str, ColumnParser], Mapping[str, FileConventions] | None],
    failures: Mapping[str, pl.Series],
    evidence: tuple[ConventionEvidence, Mapping[str, str]],
) -> None:
    """Add this batch of each text column of numbers or dates with no declared convention of
    its kind to ``evidence`` (:mod:`winiadmin.cleaning.detection`), keyed by the standard
    names of ``evidence``'s mapping (file name → standard name)."""
    formats, parsers, conventions = readers
    found, standard = evidence
    for name, target in dtypes.items():
        dtype = as_dtype(target)
        if not (dtype.is_numeric() or dtype == pl.Date or isinstance(dtype, pl.Datetime)):
            continue
        own = None if conventions is None else conventions.get(name)
        raw = frame.get_column(name)
        if _declares(own, dtype) or raw.dtype != pl.String:
            continue
        parser = parsers.get(name)

        def parse(raw: pl.Series, candidate: FileConventions) -> CoercedColumn:
            return _parse_column(raw, dtype, formats, parser, candidate.over(own))  # noqa: B023

        failed = failures.get(name)
        if failed is None:
            failed = pl.repeat(False, raw.len(), dtype=pl.Boolean, eager=True)
        column = found.column(standard[name], str(raw.name), dtype)
        column.add(raw, failed, parse)


def _run_cleaning(
    cls: type[WiniutilsCleaningDF], frame: pl.DataFrame, duplicate_keys: DuplicateKeyPolicy
) -> tuple[WiniutilsCleaningDF, list[Problem]]:
    """Run the cleaning class; a hook that raises is :class:`CleaningError` (a bug in the
    project's code, not in the file: the pipeline reports the importer as failed)."""
    try:
        cleaning = tracked(cls, duplicate_keys)(frame)
    except Exception as exc:
        message = _("The cleaning rules of %(cls)s failed: %(exc)s") % {
            "cls": cls.__name__,
            "exc": describe_exception(exc),
        }
        raise CleaningError(message) from exc
    assert isinstance(cleaning, RowTracking)
    return cleaning, cleaning.winiadmin_problems


def clean_table(  # noqa: PLR0913 - keyword-only: the run's choices
    frame: pl.DataFrame,
    cleaning_cls: type[WiniutilsCleaningDF],
    row_numbers: pl.Series | None = None,
    *,
    duplicate_keys: DuplicateKeyPolicy = "first",
    conventions: FileConventions | None = None,
    evidence: ConventionEvidence | None = None,
) -> CleaningOutcome:
    """``duplicate_keys``: rows sharing a unique key with different values (see
    :data:`~winiadmin.cleaning.tracking.DuplicateKeyPolicy`); ``"first"`` is winiutils' rule.
    ``conventions``: how the file writes numbers and dates (its columns' keyed by the cleaning
    class's standard names); ``None``: the default, and conventions are only proposed.
    ``evidence``: where a file cleaned in batches gathers its columns' evidence, the caller
    deciding the proposals once every batch is cleaned; ``None``: ``frame`` is the whole file,
    and the outcome holds its proposals."""
    rows = (default_row_numbers(frame.height) if row_numbers is None else row_numbers).alias(
        ROW_COL
    )
    file_names = rename_map_of(cleaning_cls)
    optional = [file_names[name] for name in optional_cols_of(cleaning_cls)]
    renames, problems = _column_problems(frame.columns, list(file_names.values()), optional)
    empty = CleaningOutcome(pl.DataFrame(), rows.clear(), problems)
    if empty.has_file_errors:
        return empty
    frame = frame.rename(renames)
    absent = [name for name in optional if name not in frame.columns]
    # An optional column the file lacks is read as empty, then left out of the cleaned frame.
    frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(name) for name in absent)
    frame = _unquote_text(frame, file_names.values())
    dtypes = {file_names[std]: dtype for std, dtype in cleaning_cls.get_col_dtype_map().items()}
    formats = ParseFormats(
        dates=getattr(cleaning_cls, "DATE_FORMATS", ("%Y-%m-%d",)),
        datetimes=getattr(cleaning_cls, "DATETIME_FORMATS", ()),
    )
    own_parsers: Mapping[str, ColumnParser] = getattr(cleaning_cls, "get_col_parser_map", dict)()
    parsers = {file_names[std]: parser for std, parser in own_parsers.items()}
    by_column = (
        None
        if conventions is None
        else {file_names[std]: conventions.for_column(std) for std in file_names}
    )
    parsed, failed, cell_problems, failures = _parse(
        frame, dtypes, formats, rows, (parsers, by_column)
    )
    problems += cell_problems
    gathered = ConventionEvidence() if evidence is None else evidence
    standard_names = {file: std for std, file in file_names.items()}
    readers = (formats, parsers, by_column)
    _add_evidence(frame, dtypes, readers, failures, (gathered, standard_names))
    del failures
    proposals = gathered.proposals() if evidence is None else []
    valid = parsed.with_columns(rows)
    if failed.any():  # a copy of every column: only when some row is left out
        valid = valid.filter(~failed)
    del parsed
    cleaning, cleaning_problems = _run_cleaning(cleaning_cls, valid, duplicate_keys)
    problems += cleaning_problems
    error_rows = {p.row for p in problems if p.is_error and p.row is not None}
    cleaned = cleaning.df
    # Hand the importer the frame without the tracking column, as a plain CleaningDF would.
    standard = {file: std for std, file in file_names.items()}
    cleaning.df = cleaned.drop(ROW_COL, *(standard[name] for name in absent))
    return CleaningOutcome(
        frame=cleaning.df,
        row_numbers=cleaned.get_column(ROW_COL),
        problems=problems,
        invalid_rows=tuple(sorted(error_rows)),
        cleaning_df=cleaning,
        proposals=proposals,
    )
