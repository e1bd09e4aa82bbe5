"""What a run reports about natural keys that matched nothing (see :mod:`winiadmin.db.lookups`).

Decision on "skip invalid rows": rows whose key matches nothing are left out and, with that
choice, skipped like any invalid row; they are never dropped silently, since the result lists
every unmatched value with its count and rows (``ImportResult.unmatched``) and the rows are in
``skipped_rows``. Without that choice (and without creating the values) nothing is written.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from winiadmin.db.key_runs import KeyRuns
from winiadmin.db.lookups import ROWS_PER_VALUE
from winiadmin.problems import Problem, ProblemKind, Severity
from winiadmin.results import ModelCount

if TYPE_CHECKING:
    from collections.abc import Sequence

    from winiadmin.db.lookups import KeyResolver, UnmatchedKeys
    from winiadmin.results import ImportResult


def find_rows(resolver: KeyResolver, frame: pl.DataFrame, rows: pl.Series) -> None:
    """The instance path knows objects, not rows: find the unmatched values' rows in the file."""
    for unmatched in resolver.unmatched.values():
        column = unmatched.lookup.source_column
        wanted = {str(v): v for v in unmatched.counts if not unmatched.rows.get(v)}
        if not wanted or column not in frame.columns:
            continue
        # Compared as text, like rows_with_values: the cleaned value and the object's may differ
        # in type (a date, a Decimal) but not in how they print.
        texts = frame.select(pl.col(column).cast(pl.String).alias("value")).with_columns(
            rows.alias("row")
        )
        if unmatched.separator is not None:  # a many-to-many cell: each of its values
            parts = (
                pl.col("value")
                .str.split(unmatched.separator)
                .list.eval(pl.element().str.strip_chars())
            )
            texts = texts.with_columns(parts).explode("value")
        hits = (
            texts.filter(pl.col("value").is_in(list(wanted)))
            .group_by("value", maintain_order=True)
            .agg(pl.col("row"))
        )
        for text, found in hits.iter_rows():
            value = wanted[text]
            unmatched.rows[value] = [int(r) for r in found[:ROWS_PER_VALUE]]
            if not unmatched.created:
                unmatched.all_rows[value] = [int(r) for r in found]
                resolver.dropped_rows.update(int(r) for r in found)


def record_unmatched(result: ImportResult, resolver: KeyResolver) -> None:
    """Put the unmatched values, their problems and the created related rows on the result."""
    result.unmatched = list(resolver.unmatched.values())
    result.mapped = list(resolver.mapped.values())
    for unmatched in resolver.blocking:
        result.problems.extend(_problems(unmatched))
    counts = {c.label: c for c in result.created}
    new = []
    for model, n in resolver.created.items():
        label = model._meta.label
        if label in counts:
            counts[label] = replace(counts[label], count=counts[label].count + n)
        else:
            new.append(ModelCount(label, str(model._meta.verbose_name_plural), n))
    # The related rows are created before the rows that point at them.
    result.created = new + list(counts.values())
    if result.created_pks:  # keys were asked for (collect_pks): the created related rows' too
        for model, pks in resolver.created_pks.items():
            label = model._meta.label
            result.created_pks[label] = [*pks, *result.created_pks.get(label, [])]
    if result.created_keys:  # a streamed run's (compact) keys
        for model, pks in resolver.created_pks.items():
            runs = result.created_keys.setdefault(model._meta.label, KeyRuns())
            runs.extend(pks)


def unmatched_error(resolver: KeyResolver) -> str:
    values = sum(len(u.counts) for u in resolver.blocking)
    creatable = any(u.can_create for u in resolver.blocking)
    many = any(u.separator is not None for u in resolver.blocking)
    if all(u.reference for u in resolver.blocking):
        message = ngettext(
            "%(n)d value matches no row of this import; nothing was written.",
            "%(n)d values match no row of this import; nothing was written.",
            values,
        ) % {"n": values}
    else:
        message = ngettext(
            "%(n)d value matches nothing in the database; nothing was written.",
            "%(n)d values match nothing in the database; nothing was written.",
            values,
        ) % {"n": values}
    if many:  # skipping rows cannot cure these: their rows are stored before their links
        message += " " + (
            _("Choose to create the missing ones, or fix the file.")
            if creatable
            else _("Fix the file (skipping rows does not leave out many-to-many values).")
        )
    elif creatable:
        message += " " + _("Choose to create the missing ones, or to skip those rows.")
    else:
        message += " " + _("Fix the file, or choose to skip those rows.")
    return message


def _problems(unmatched: UnmatchedKeys) -> list[Problem]:
    lookup = unmatched.lookup
    name = lookup.target._meta.verbose_name
    problems = []
    for value, count in unmatched.counts.items():
        message = _message(unmatched, value) % {
            "model": name,
            "field": lookup.by,
            "value": value,
        }
        rows: Sequence[int | None] = unmatched.all_rows.get(value, [])[:count]
        problems += [
            Problem(
                ProblemKind.UNKNOWN_KEY,
                Severity.ERROR,
                message,
                row,
                lookup.source_column,
                str(value),
            )
            for row in rows or [None]
        ]
    return problems


def _message(unmatched: UnmatchedKeys, value: object) -> str:
    if not unmatched.reference:
        return _("No %(model)s has %(field)s %(value)r.")
    if value in unmatched.left_out:
        return _(
            "The %(model)s with %(field)s %(value)r was left out of this import (see its row)."
        )
    return _("No %(model)s of this import has %(field)s %(value)r.")
