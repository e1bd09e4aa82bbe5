"""Follow each row through a ``CleaningDF`` so that what it drops can be told row by row.

The pipeline subclasses whatever cleaning class an importer names with :class:`RowTracking` in
front. The mixin carries a row-number column through winiutils' steps (they only ever select the
declared columns, filter rows or sort, so an extra column rides along), records every row the
null-subset and duplicate steps drop (rows that share a key but disagree elsewhere are errors,
or the first or last of them is kept, as the importer declares), and turns winiutils' "stop at
the first null" check into one problem per offending row.
"""

from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

import polars as pl
from django.utils.translation import get_language, gettext
from winiutils.core.data.dataframe.cleaning import CleaningDF as WiniutilsCleaningDF

from winiadmin.problems import Problem, ProblemKind, Severity

ROW_COL = "__winiadmin_row__"

#: What happens to rows that share a unique key (``get_unique_subsets``) but differ elsewhere:
#: ``"error"`` makes each of them an error naming the others; ``"first"`` keeps the first one
#: (winiutils' own rule) and ``"last"`` the last one, each dropped row a warning naming the kept
#: one. Rows equal in every column are dropped with a warning under every policy.
DuplicateKeyPolicy = Literal["error", "first", "last"]
DUPLICATE_KEY_POLICIES: tuple[DuplicateKeyPolicy, ...] = ("error", "first", "last")

if TYPE_CHECKING:
    _Base = WiniutilsCleaningDF
else:
    _Base = object


def _(text: str) -> str:
    """``gettext``, looked up once per language: a file with many repeated keys makes the
    same messages thousands of times."""
    return _translated(get_language(), text)


@cache
def _translated(language: str | None, text: str) -> str:
    return gettext(text)


def rename_map_of(cls: type[WiniutilsCleaningDF]) -> dict[str, str]:
    """Standard column name → the name the file uses, for every declared column."""
    return {name: name for name in cls.get_col_names()} | cls.get_rename_map()


class RowTracking(_Base):
    """Mixin placed before a cleaning class; see the module docstring."""

    winiadmin_problems: list[Problem]
    #: Set per pipeline run by :func:`tracked` (the importer's ``on_duplicate_key``).
    winiadmin_duplicate_keys: ClassVar[DuplicateKeyPolicy] = "first"
    _winiadmin_rows: pl.Series

    def drop_cols(self, temp_df: pl.DataFrame) -> pl.DataFrame:
        self._winiadmin_rows = temp_df.get_column(ROW_COL)
        return super().drop_cols(temp_df)

    def clean(self) -> None:
        self.winiadmin_problems = []
        self.df = self.df.with_columns(self._winiadmin_rows.alias(ROW_COL))
        super().clean()
        if not self.get_sort_cols() and not self.df.get_column(ROW_COL).is_sorted():
            # winiutils' unique() does not keep order; without sort columns, keep the file's
            # (a sort copies every column: only when the order changed).
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
        subsets = self.get_unique_subsets()
        if not any(_has_repeats(self.df, subset) for subset in subsets):
            # No key repeats (the usual case): nothing to drop. winiutils' step would only
            # reorder the rows (restored in ``clean``), unless it sums columns, which turns an
            # empty cell of a summed column into 0: then it runs as always.
            if self.get_add_on_duplicate_cols():
                super().handle_duplicates()
            return
        policy = self.winiadmin_duplicate_keys
        if policy == "error":
            self._refuse_disagreeing_rows()
        explained = self._explain_duplicates()
        before = self.df.get_column(ROW_COL)
        if policy == "last":
            # winiutils keeps the first row of each key: reversed, that is the last one (the
            # file's order comes back in ``clean``, or by the declared sort).
            self.df = self.df.reverse()
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

    def _compared(self, subset: tuple[str, ...]) -> list[str]:
        """The columns two rows of one key must agree on: all but the key and the summed ones."""
        summed = set(self.get_add_on_duplicate_cols())
        return [c for c in self.df.columns if c != ROW_COL and c not in subset and c not in summed]

    def _disagreeing(self, frame: pl.DataFrame, subset: tuple[str, ...]) -> pl.DataFrame:
        """Rows whose key other rows share with different values: key, row, differing columns."""
        compared = self._compared(subset)
        keys = list(subset)
        frame = _repeated(frame, subset)
        if not compared or frame.is_empty():
            return frame.clear().select([*keys, ROW_COL])
        varies = [pl.col(c).n_unique().over(keys).gt(1).alias(f"__varies_{c}") for c in compared]
        marked = frame.with_columns(varies)
        flags = [f"__varies_{c}" for c in compared]
        return marked.filter(pl.any_horizontal(flags)).select([*keys, ROW_COL, *flags])

    def _refuse_disagreeing_rows(self) -> None:
        """Rows that disagree about one record are errors, each naming every row of its key."""
        for subset in self.get_unique_subsets():
            found = self._disagreeing(self.df, subset)
            if found.is_empty():
                continue
            compared = self._compared(subset)
            groups = found.group_by(list(subset), maintain_order=True).agg(
                pl.col(ROW_COL).sort(), *[pl.col(f"__varies_{c}").any() for c in compared]
            )
            for record in groups.iter_rows(named=True):
                rows: list[int] = record[ROW_COL]
                differing = [self._file_name(c) for c in compared if record[f"__varies_{c}"]]
                key = self._describe_key(subset, record)
                message = _("Rows %(rows)s have the same %(key)s but different %(columns)s.") % {
                    "rows": _join_rows(rows),
                    "key": key,
                    "columns": ", ".join(differing),
                }
                columns, value = self._key_cell(subset, record)
                self.winiadmin_problems.extend(
                    Problem(
                        ProblemKind.DUPLICATE_KEY,
                        Severity.ERROR,
                        message,
                        row=row,
                        column=columns,
                        value=value,
                    )
                    for row in rows
                )
            self.df = self.df.filter(~pl.col(ROW_COL).is_in(found.get_column(ROW_COL).implode()))

    def _describe_key(self, subset: tuple[str, ...], record: dict[str, Any]) -> str:
        return _(" and ").join(f"{self._file_name(c)} {str(record[c])!r}" for c in subset)

    def _key_cell(self, subset: tuple[str, ...], record: dict[str, Any]) -> tuple[str, str]:
        columns = ", ".join(self._file_name(c) for c in subset)
        return columns, ", ".join(str(record[c]) for c in subset)

    def _explain_duplicates(self) -> dict[int, tuple[str, str, str]]:
        """Row → (columns, value, message), mirroring winiutils' subset-by-subset dedup."""
        explained: dict[int, tuple[str, str, str]] = {}
        frame = self.df
        summed = self.get_add_on_duplicate_cols()
        last = self.winiadmin_duplicate_keys == "last"
        for subset in self.get_unique_subsets():
            compared = self._compared(subset)
            pick = pl.col(ROW_COL).last() if last else pl.col(ROW_COL).first()
            # Only rows whose key repeats can be dropped: the rest (usually all) is left alone.
            repeated = _repeated(frame, subset)
            if repeated.is_empty():
                continue
            keyed = repeated.with_columns(pick.over(list(subset)).alias("__kept__"))
            kept_rows = keyed.filter(pl.col(ROW_COL) == pl.col("__kept__"))
            duplicates = keyed.filter(pl.col(ROW_COL) != pl.col("__kept__")).join(
                kept_rows.select(ROW_COL, *compared),
                left_on="__kept__",
                right_on=ROW_COL,
                suffix="__kept",
            )
            # Which columns each dropped row differs in from the row kept for its key.
            differs = [
                pl.col(c).ne_missing(pl.col(f"{c}__kept")).alias(f"__differs_{c}") for c in compared
            ]
            duplicates = duplicates.with_columns(differs)
            columns = ", ".join(self._file_name(c) for c in subset)
            for record in duplicates.iter_rows(named=True):
                value = ", ".join(str(record[c]) for c in subset)
                row, kept = record[ROW_COL], record["__kept__"]
                differing = [self._file_name(c) for c in compared if record[f"__differs_{c}"]]
                message = self._drop_message(row, kept, differing, subset, record)
                if summed:
                    merged = ", ".join(self._file_name(c) for c in summed)
                    message += " " + _("(%(columns)s added up into it.)") % {"columns": merged}
                explained[row] = (columns, value, message)
            gone = duplicates.get_column(ROW_COL).implode()
            frame = frame.filter(~pl.col(ROW_COL).is_in(gone))
        return explained

    def _drop_message(
        self,
        row: int,
        kept: int,
        differing: list[str],
        subset: tuple[str, ...],
        record: dict[str, Any],
    ) -> str:
        rule = _("last wins") if self.winiadmin_duplicate_keys == "last" else _("first wins")
        if not differing:
            return _("Duplicate of row %(kept)s (the same values); row %(kept)s is kept.") % {
                "kept": kept
            }
        return _(
            "Rows %(rows)s have the same %(key)s but different %(columns)s; row %(kept)s is "
            "used (%(rule)s), row %(row)s is dropped."
        ) % {
            "rows": _join_rows(sorted((row, kept))),
            "key": self._describe_key(subset, record),
            "columns": ", ".join(differing),
            "kept": kept,
            "rule": rule,
            "row": row,
        }

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
        names: dict[str, str] | None = self.__dict__.get("_winiadmin_names")
        if names is None:  # once per cleaning, not per reported row
            names = self.__dict__["_winiadmin_names"] = rename_map_of(type(self))
        return names.get(col, col)


def _has_repeats(frame: pl.DataFrame, subset: tuple[str, ...]) -> bool:
    keys = pl.col(subset[0]) if len(subset) == 1 else pl.struct(list(subset))
    return bool(frame.select(keys.n_unique()).item() < frame.height)


def _repeated(frame: pl.DataFrame, subset: tuple[str, ...]) -> pl.DataFrame:
    """The rows of ``frame`` whose ``subset`` values another row has too (one hash pass)."""
    keys = pl.col(subset[0]) if len(subset) == 1 else pl.struct(list(subset))
    return frame.filter(keys.is_duplicated())


def _join_rows(rows: list[int]) -> str:
    """``2 and 4``, ``2, 4 and 9``."""
    texts = [str(r) for r in rows]
    return _("%(first)s and %(last)s") % {"first": ", ".join(texts[:-1]), "last": texts[-1]}


@cache
def tracked[T: WiniutilsCleaningDF](
    cls: type[T], duplicate_keys: DuplicateKeyPolicy = "first"
) -> type[T]:
    """``cls`` with :class:`RowTracking` in front; cached so each class is built once."""
    attrs: dict[str, Any] = {
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "winiadmin_duplicate_keys": duplicate_keys,
    }
    return cast("type[T]", type(cls.__name__, (RowTracking, cls), attrs))
