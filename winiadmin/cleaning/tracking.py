"""Follow each row through a ``CleaningDF`` so that what it drops can be told row by row.

The pipeline subclasses whatever cleaning class an importer names with :class:`RowTracking` in
front. The mixin carries a row-number column through winiutils' steps (they only ever select the
declared columns, filter rows or sort, so an extra column rides along), records every row the
null-subset and duplicate steps drop, and turns winiutils' "stop at the first null" check into one
problem per offending row.
"""

from functools import cache
from typing import TYPE_CHECKING, Any, cast

import polars as pl
from django.utils.translation import gettext as _
from winiutils.core.data.dataframe.cleaning import CleaningDF as WiniutilsCleaningDF

from winiadmin.problems import Problem, ProblemKind, Severity

ROW_COL = "__winiadmin_row__"

if TYPE_CHECKING:
    _Base = WiniutilsCleaningDF
else:
    _Base = object


def rename_map_of(cls: type[WiniutilsCleaningDF]) -> dict[str, str]:
    """Standard column name → the name the file uses, for every declared column."""
    return {name: name for name in cls.get_col_names()} | cls.get_rename_map()


class RowTracking(_Base):
    """Mixin placed before a cleaning class; see the module docstring."""

    winiadmin_problems: list[Problem]
    _winiadmin_rows: pl.Series

    def drop_cols(self, temp_df: pl.DataFrame) -> pl.DataFrame:
        self._winiadmin_rows = temp_df.get_column(ROW_COL)
        return super().drop_cols(temp_df)

    def clean(self) -> None:
        self.winiadmin_problems = []
        self.df = self.df.with_columns(self._winiadmin_rows.alias(ROW_COL))
        super().clean()
        if not self.get_sort_cols():
            # winiutils' unique() does not keep order; without sort columns, keep the file's.
            self.df = self.df.sort(ROW_COL)

    def drop_null_subsets(self) -> None:
        before = self.df.get_column(ROW_COL)
        super().drop_null_subsets()
        dropped = before.filter(~before.is_in(self.df.get_column(ROW_COL).implode()))
        subsets = self.get_drop_null_subsets()
        where = " or ".join(
            "(" + ", ".join(self._file_name(c) for c in subset) + ")" for subset in subsets
        )
        why = (
            _("Dropped: empty in %(columns)s.") % {"columns": where}
            if subsets
            else _("Dropped: the row has no values.")
        )
        self.winiadmin_problems.extend(
            Problem(ProblemKind.NULL_ROW_DROPPED, Severity.WARNING, why, row=int(row))
            for row in dropped
        )

    def handle_duplicates(self) -> None:
        explained = self._explain_duplicates()
        before = self.df.get_column(ROW_COL)
        super().handle_duplicates()
        dropped = before.filter(~before.is_in(self.df.get_column(ROW_COL).implode()))
        severity = (
            Severity.ERROR if getattr(self, "DUPLICATES", "warn") == "error" else Severity.WARNING
        )
        for row in dropped:
            column, value, message = explained.get(
                int(row), (None, None, _("Dropped as a duplicate."))
            )
            self.winiadmin_problems.append(
                Problem(
                    ProblemKind.DUPLICATE_ROW,
                    severity,
                    message,
                    row=int(row),
                    column=column,
                    value=value,
                )
            )

    def _explain_duplicates(self) -> dict[int, tuple[str, str, str]]:
        """Row → (columns, value, message), mirroring winiutils' subset-by-subset dedup."""
        explained: dict[int, tuple[str, str, str]] = {}
        frame = self.df
        summed = self.get_add_on_duplicate_cols()
        for subset in self.get_unique_subsets():
            keyed = frame.with_columns(
                pl.col(ROW_COL).first().over(list(subset)).alias("__first__")
            )
            duplicates = keyed.filter(pl.col(ROW_COL) != pl.col("__first__"))
            columns = ", ".join(self._file_name(c) for c in subset)
            for record in duplicates.select([*subset, ROW_COL, "__first__"]).iter_rows(named=True):
                value = ", ".join(str(record[c]) for c in subset)
                first = record["__first__"]
                message = _("Duplicate of row %(row)s; only the first row is kept.") % {
                    "row": first
                }
                if summed:
                    merged = ", ".join(self._file_name(c) for c in summed)
                    message = _(
                        "Duplicate of row %(row)s; only the first row is kept "
                        "(%(columns)s added up into it)."
                    ) % {"row": first, "columns": merged}
                explained[record[ROW_COL]] = (columns, value, message)
            frame = keyed.filter(pl.col(ROW_COL) == pl.col("__first__")).drop("__first__")
        return explained

    def check_no_null_cols(self) -> None:
        required = list(self.get_no_null_cols())
        if not required:
            return
        has_null = pl.any_horizontal(pl.col(required).is_null())
        offending = self.df.filter(has_null).sort(ROW_COL)
        for record in offending.iter_rows(named=True):
            for col in required:
                if record[col] is None:
                    self.winiadmin_problems.append(
                        Problem(
                            ProblemKind.MISSING_VALUE,
                            Severity.ERROR,
                            _("A value is required."),
                            row=record[ROW_COL],
                            column=self._file_name(col),
                        )
                    )
        self.df = self.df.filter(~has_null)

    def _file_name(self, col: str) -> str:
        return rename_map_of(type(self)).get(col, col)


@cache
def tracked[T: WiniutilsCleaningDF](cls: type[T]) -> type[T]:
    """``cls`` with :class:`RowTracking` in front; cached so each class is built once."""
    attrs: dict[str, Any] = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
    return cast("type[T]", type(cls.__name__, (RowTracking, cls), attrs))
