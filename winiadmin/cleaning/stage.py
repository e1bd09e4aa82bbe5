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

from winiadmin.cleaning.coerce import ColumnParser, ParseFormats, coerce_column
from winiadmin.cleaning.columns import match_columns
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


def _parse(
    frame: pl.DataFrame,
    dtypes: Mapping[str, pl.DataType | type[pl.DataType]],
    formats: ParseFormats,
    rows: pl.Series,
    parsers: Mapping[str, ColumnParser],
) -> tuple[pl.DataFrame, pl.Series, list[Problem]]:
    """Parse each column (by its own parser, else by its dtype); return the parsed frame, a
    per-row failure mask and the problems."""
    parsed: list[pl.Series] = []
    problems: list[Problem] = []
    row_failed = pl.repeat(False, frame.height, dtype=pl.Boolean, eager=True)
    for name, dtype in dtypes.items():
        raw = frame.get_column(name)
        parser = parsers.get(name)
        column = parser(raw) if parser else coerce_column(raw, dtype, formats)
        parsed.append(column.values)
        if column.failed.any():
            row_failed = row_failed | column.failed
            bad = pl.DataFrame({"row": rows, "raw": raw.cast(pl.String), "why": column.reasons})
            for row, value, why in bad.filter(column.failed).iter_rows():
                problems.append(
                    Problem(ProblemKind.INVALID_VALUE, Severity.ERROR, f"{why}.", row, name, value)
                )
    return pl.DataFrame(parsed), row_failed, problems


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


def clean_table(
    frame: pl.DataFrame,
    cleaning_cls: type[WiniutilsCleaningDF],
    row_numbers: pl.Series | None = None,
    *,
    duplicate_keys: DuplicateKeyPolicy = "first",
) -> CleaningOutcome:
    """``duplicate_keys``: rows sharing a unique key with different values (see
    :data:`~winiadmin.cleaning.tracking.DuplicateKeyPolicy`); ``"first"`` is winiutils' rule."""
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
    parsed, failed, cell_problems = _parse(frame, dtypes, formats, rows, parsers)
    problems += cell_problems
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
    )
