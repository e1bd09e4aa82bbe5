"""Check a frame of one model's field values against the model's rules, in bulk.

``full_clean()`` minus the unique checks (done by the conflict checks, per chunk against the
database): null and blank, choices, every field validator (max_length, ranges, decimal digits,
email, URL, slug, IP addresses, the project's own ``validators=[…]``) and the model's
``CheckConstraint``s (:mod:`winiadmin.validation.constraints`). A :class:`FrameChecker` keeps
Django's verdict per distinct value across the chunks it is given, so a validator runs once per
distinct value of an import, not once per row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from winiadmin.db.model_frame import ROW_NUMBER_COLUMN
from winiadmin.problems import Problem, ProblemKind, Severity
from winiadmin.validation.checks import Rule, checked_fields, field_rules
from winiadmin.validation.constraints import check_constraints, condition_expr

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.db.models import Model

logger = logging.getLogger("winiadmin")

_INDEX = "__winiadmin_index__"


@dataclass(slots=True)
class FrameCheck:
    problems: list[Problem]
    #: True for the rows of the frame that break a rule.
    refused: pl.Series
    #: Per problem: the frame's row index and the frame columns it names (the object path
    #: finds the file row from them).
    found: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)


@dataclass(slots=True)
class FrameChecker:
    model: type[Model]
    #: The column a problem names, by frame column (the file's header); else the frame column.
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Django's verdict per rule and distinct value, across every chunk checked.
    _verdicts: dict[tuple[str, str, int], dict[object, str | None]] = field(default_factory=dict)

    def columns(self, frame: pl.DataFrame) -> dict[str, str]:
        """Field name (and attname) → the frame column holding its values."""
        found: dict[str, str] = {}
        for f in self.model._meta.concrete_fields:
            column = next((c for c in (f.name, f.attname) if c in frame.columns), None)
            if column is not None:
                found[f.name] = found[f.attname] = column
        return found

    def check(self, frame: pl.DataFrame) -> FrameCheck:
        indexed = frame.with_row_index(_INDEX)
        refused = pl.Series([False] * frame.height, dtype=pl.Boolean)
        problems: list[Problem] = []
        found: list[tuple[int, tuple[str, ...]]] = []
        if not frame.height:
            return FrameCheck(problems, refused)
        columns = self.columns(frame)
        flagged: set[int] = set()
        for f in self.model._meta.concrete_fields:
            if f.name not in columns or not checked_fields(f):
                continue
            column = columns[f.name]
            for position, rule in enumerate(field_rules(f, column, frame.schema[column])):
                key = (column, str(frame.schema[column]), position)
                verdicts = self._verdicts.setdefault(key, {})
                self._apply(indexed, rule, verdicts, _Found(problems, found, flagged))
        self._constraints(indexed, columns, _Found(problems, found, flagged))
        if flagged:
            refused = pl.Series(_INDEX, range(frame.height)).is_in(list(flagged))
        return FrameCheck(problems, refused.alias("refused"), found)

    def _apply(
        self,
        frame: pl.DataFrame,
        rule: Rule,
        verdicts: dict[object, str | None],
        out: _Found,
    ) -> None:
        try:
            hits = frame.filter(rule.candidates)
        except pl.exceptions.PolarsError:  # a comparison polars cannot make: Django judges all
            hits = frame.filter(pl.col(rule.column).is_not_null())
        if not hits.height:
            return
        values = hits.get_column(rule.column)
        if values.dtype == pl.Object or values.dtype.is_nested():
            messages = [rule.judge(v) for v in values]
        else:
            for value in values.unique().to_list():
                if value not in verdicts:
                    verdicts[value] = rule.judge(value)
            bad = {v: m for v, m in verdicts.items() if m is not None}
            if not bad:
                return
            messages = [bad.get(v) for v in values.to_list()]
        kind = ProblemKind.MISSING_VALUE if rule.missing else ProblemKind.INVALID_VALUE
        label = self.labels.get(rule.column, rule.column)
        for index, row, value, message in zip(
            hits.get_column(_INDEX), _rows(hits), values, messages, strict=True
        ):
            if message is not None:
                shown = None if value is None else str(value)
                problem = Problem(kind, Severity.ERROR, message, row, label, shown)
                out.add(problem, index, (rule.column,))

    def _constraints(self, frame: pl.DataFrame, columns: Mapping[str, str], out: _Found) -> None:
        for constraint in check_constraints(self.model):
            expr = condition_expr(constraint.condition, columns)
            if expr is None:
                logger.debug("%s: %s is left to the database", self.model._meta.label, constraint)
                continue
            try:
                hits = frame.filter(~expr.fill_null(value=True))
            except pl.exceptions.PolarsError:
                continue  # types polars cannot compare: the database still checks it
            if not hits.height:
                continue
            used = _referenced(self.model, constraint.condition, columns)
            label = ", ".join(self.labels.get(c, c) for c in used)
            message = str(constraint.get_violation_error_message())
            values = hits.select(used).rows()
            for index, row, value in zip(hits.get_column(_INDEX), _rows(hits), values, strict=True):
                shown = ", ".join("" if v is None else str(v) for v in value)
                kind = ProblemKind.INVALID_VALUE
                out.add(
                    Problem(kind, Severity.ERROR, message, row, label, shown), index, tuple(used)
                )


@dataclass(slots=True)
class _Found:
    """What one check found so far: the problems, where, and the rows refused."""

    problems: list[Problem]
    found: list[tuple[int, tuple[str, ...]]]
    flagged: set[int]

    def add(self, problem: Problem, index: int, columns: tuple[str, ...]) -> None:
        self.problems.append(problem)
        self.found.append((index, columns))
        self.flagged.add(index)


def _rows(frame: pl.DataFrame) -> list[int | None]:
    if ROW_NUMBER_COLUMN in frame.columns:
        return [None if r is None else int(r) for r in frame.get_column(ROW_NUMBER_COLUMN)]
    return [None] * frame.height


def _referenced(model: type[Model], condition: Any, columns: Mapping[str, str]) -> list[str]:
    """The frame columns a condition reads, in the model's field order."""
    names: set[str] = set(getattr(condition, "referenced_base_fields", set()))
    used = (f.name for f in model._meta.concrete_fields if f.name in names)
    return list(dict.fromkeys(columns[n] for n in used if n in columns))
