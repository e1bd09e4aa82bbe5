"""``ImportReport``: what an ``ImportJob`` keeps of its last run, typed, and its stored JSON.

The job stores the report in a JSONField (``ImportJob.report``); everything else reads it through
``ImportJob.import_report``, an :class:`ImportReport`. This module is the one place that turns the
stored JSON into the typed report and back (:meth:`ImportReport.from_json`,
:meth:`ImportReport.to_json`). Reading is tolerant: a report stored by an earlier version, with
keys missing, reads with their defaults (zero, empty, ``None``), so that old jobs still show; a key
it does not know is ignored. Writing gives the JSON shape every version so far has stored.

Built from an ``ImportResult`` by :func:`winiadmin.jobs.report.build_report`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from winiadmin.results import ImportStatus, ModelCount, RowAccounting

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoredProblem:
    """One problem as the report keeps it (``winiadmin.problems.Problem`` in words)."""

    #: ``ProblemKind`` value (a kind a later version added stays as text).
    kind: str
    #: The kind in words, as it read when the report was written.
    label: str
    #: ``"error"`` or ``"warning"``.
    severity: str
    message: str
    #: The file row (header = row 1); ``None``: a problem of the whole file.
    row: int | None = None
    column: str | None = None
    value: str | None = None
    #: A workbook read sheet by sheet: the sheet ``row`` is numbered in (``None``: the file's
    #: one table, or a report written before sheets were named).
    sheet: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True, slots=True)
class ChangedCell:
    """Upsert: one field of a stored row, its value before and the file's (as text)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class StoredChange:
    """Upsert: an updated row kept as an example (``MAX_DIFFS`` per model)."""

    label: str
    verbose_name: str
    row: int | None
    #: The upsert key's values, joined by ", ".
    key: str
    cells: tuple[ChangedCell, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredColumn:
    """A column of the cleaned frame: its name and polars dtype (as text)."""

    name: str
    dtype: str


@dataclass(frozen=True, slots=True)
class ColumnProfile:
    """A column of the cleaned frame in figures, for the preview."""

    name: str
    dtype: str
    #: Share of empty cells, 0 … 1.
    nulls: float = 0.0
    distinct: int = 0
    #: Smallest and largest value as text (``None``: not orderable, or no value).
    min: str | None = None
    max: str | None = None


@dataclass(frozen=True, slots=True)
class MappedColumn:
    """A file header and the expected column it feeds (``None``: ignored)."""

    header: str
    target: str | None
    #: ``MatchReason`` value: how the header was matched.
    reason: str
    #: How alike, 0 … 1, for a fuzzy match.
    score: float | None = None
    #: The first few values of the column, for the mapping step.
    samples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ColumnMatches:
    """How the file's headers were matched to the importer's columns."""

    columns: tuple[MappedColumn, ...] = ()
    expected: tuple[str, ...] = ()
    #: Expected columns no header feeds.
    unmatched: tuple[str, ...] = ()
    #: The automatic match left a column out or guessed one: the wizard asks.
    needs_review: bool = False
    #: The headers' fingerprint (a saved mapping is found by it).
    fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class UnmatchedValue:
    """A natural-key value that matched nothing: how often, and its first rows."""

    value: str
    count: int
    rows: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class UnmatchedLookup:
    """Per lookup (``db.lookups``), the values that matched nothing."""

    field: str
    column: str
    by: str
    #: The related model's label.
    target: str
    verbose_name: str
    verbose_name_plural: str
    can_create: bool = False
    created: bool = False
    #: The values are identifiers of another frame of the same import.
    reference: bool = False
    description: str = ""
    values: tuple[UnmatchedValue, ...] = ()
    #: ``shop.Product.category`` (``db.lookups.lookup_key``): what a value mapping names.
    key: str = ""


@dataclass(frozen=True, slots=True)
class MappedValue:
    """A value that matched nothing, resolved to the row a saved mapping chose."""

    value: str
    #: The chosen row's primary key (text) and its natural key as shown.
    pk: str
    target: str
    count: int = 0


@dataclass(frozen=True, slots=True)
class MappedLookup:
    """Per lookup, the values resolved through saved value mappings (``RunOptions``)."""

    #: ``shop.Product.category`` (``db.lookups.lookup_key``).
    key: str
    column: str
    by: str
    verbose_name: str
    values: tuple[MappedValue, ...] = ()


@dataclass(frozen=True, slots=True)
class SheetPreview:
    """A workbook with a sheet per model: the first cleaned rows of one sheet, as text."""

    name: str
    columns: tuple[str, ...] = ()
    #: The cells as text in a form that reads back by the column's type (``4.0``, ISO dates),
    #: formatted in the user's locale when shown (``winiadmin_sheet_rows``).
    rows: tuple[tuple[str, ...], ...] = ()
    #: The columns' polars dtypes (``Float64``); empty in reports written before they were kept.
    dtypes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReadSource:
    """How the file was read: format, encoding, delimiter, sheet, header row (``source_info``).

    Open-ended on purpose: a key a later version adds is kept and shown.
    """

    items: Mapping[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def encoding(self) -> str:
        return self.items.get("encoding", "")

    @property
    def sheet(self) -> str:
        return self.items.get("sheet", "")


@dataclass(frozen=True, slots=True)
class StoredReading:
    """One way to read a column a convention was proposed for (``ProposedReading``)."""

    #: ``FileConventions.to_json()`` of the reading.
    conventions: Json
    description: str
    #: (typed, read as) pairs.
    examples: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class StoredProposal:
    """A column whose refused cells a convention would read (``ConventionProposal``)."""

    column: str
    header: str
    message: str
    readings: tuple[StoredReading, ...] = ()
    #: Cells of the whole column the default refused or would misread (0: not recorded).
    cells: int = 0


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The last run of a job, as its pages, downloads and undo read it."""

    #: ``ImportStatus`` value of the run (``""``: no run reported yet).
    status: str = ""
    #: Why the run failed, in one sentence.
    error: str = ""
    rows_read: int = 0
    rows_cleaned: int = 0
    rows_skipped: int = 0
    #: Every row of the file accounted for.
    rows: RowAccounting = field(default_factory=RowAccounting)
    #: The rows a skip-invalid run left out (the first ``STORED_PROBLEMS``).
    skipped_rows: tuple[int, ...] = ()
    #: Seconds per stage (``Stage`` value).
    timings: Mapping[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0
    source: ReadSource = field(default_factory=ReadSource)
    #: Workbooks: every sheet's name.
    sheets: tuple[str, ...] = ()
    #: The file row the column names were read from (``None``: none, or not read).
    header_row: int | None = None
    #: Objects per model created (dry run: would be), updated, unchanged.
    models: tuple[ModelCount, ...] = ()
    #: Upsert: some stored rows were (or would be) updated or left unchanged.
    upserted: bool = False
    changes: tuple[StoredChange, ...] = ()
    #: ``MAX_DIFFS`` when the report was written: changes kept per model.
    changes_limit: int = 0
    #: The problems kept (the first ``STORED_PROBLEMS``); the counts below are exact.
    problems: tuple[StoredProblem, ...] = ()
    problem_count: int = 0
    error_count: int = 0
    warning_count: int = 0
    #: Errors of the whole file (no row): skipping invalid rows cannot help.
    file_errors: int = 0
    #: Problems per ``ProblemKind`` value.
    counts_by_kind: Mapping[str, int] = field(default_factory=dict)
    columns: tuple[StoredColumn, ...] = ()
    profile: tuple[ColumnProfile, ...] = ()
    #: ``None``: the file was never read as far as its headers.
    column_mapping: ColumnMatches | None = None
    unmatched: tuple[UnmatchedLookup, ...] = ()
    #: Values resolved through saved value mappings.
    mapped: tuple[MappedLookup, ...] = ()
    #: A workbook with a sheet per model (``sheets`` declared): each sheet's first rows.
    sheet_previews: tuple[SheetPreview, ...] = ()
    #: "Skip invalid rows" cannot help: a workbook of several sheets (all or nothing), or
    #: many-to-many values that match nothing (their rows are stored before their links).
    unskippable: bool = False
    #: Conventions proposed for columns whose cells did not parse (decimal commas…).
    proposals: tuple[StoredProposal, ...] = ()

    @property
    def succeeded(self) -> bool:
        """The run committed and its outcome was written."""
        return self.status == ImportStatus.SUCCEEDED

    @property
    def model_names(self) -> dict[str, str]:
        """Model label → verbose name, for the models of the run."""
        return {m.label: m.verbose_name for m in self.models}

    @property
    def updated_models(self) -> dict[str, int]:
        """Model label → rows updated, for the models with any."""
        return {m.label: m.updated for m in self.models if m.updated}

    # -- the stored JSON ---------------------------------------------------------------------

    @classmethod
    def from_json(cls, data: object) -> "ImportReport":
        """The report a job stored, whatever version wrote it (missing keys: their defaults)."""
        stored: Json = data if isinstance(data, dict) else {}
        mapping = stored.get("column_mapping")
        return cls(
            status=str(stored.get("status") or ""),
            error=str(stored.get("error") or ""),
            rows_read=int(stored.get("rows_read") or 0),
            rows_cleaned=int(stored.get("rows_cleaned") or 0),
            rows_skipped=int(stored.get("rows_skipped") or 0),
            rows=_rows(stored.get("rows")),
            skipped_rows=tuple(int(r) for r in stored.get("skipped_rows") or ()),
            timings={str(k): float(v) for k, v in (stored.get("timings") or {}).items()},
            total_seconds=float(stored.get("total_seconds") or 0.0),
            source=ReadSource({str(k): str(v) for k, v in (stored.get("source") or {}).items()}),
            sheets=tuple(str(s) for s in stored.get("sheets") or ()),
            header_row=_int_or_none(stored.get("header_row")),
            models=tuple(_model(m) for m in stored.get("models") or ()),
            upserted=bool(stored.get("upserted")),
            changes=tuple(_change(c) for c in stored.get("changes") or ()),
            changes_limit=int(stored.get("changes_limit") or 0),
            problems=tuple(_problem(p) for p in stored.get("problems") or ()),
            problem_count=int(stored.get("problem_count") or 0),
            error_count=int(stored.get("error_count") or 0),
            warning_count=int(stored.get("warning_count") or 0),
            file_errors=int(stored.get("file_errors") or 0),
            counts_by_kind={
                str(k): int(v) for k, v in (stored.get("counts_by_kind") or {}).items()
            },
            columns=tuple(
                StoredColumn(str(c.get("name", "")), str(c.get("dtype", "")))
                for c in stored.get("columns") or ()
            ),
            profile=tuple(_profile(c) for c in stored.get("profile") or ()),
            column_mapping=_matches(mapping) if isinstance(mapping, dict) else None,
            unmatched=tuple(_unmatched(u) for u in stored.get("unmatched") or ()),
            mapped=tuple(_mapped(m) for m in stored.get("mapped") or ()),
            sheet_previews=tuple(_sheet_preview(s) for s in stored.get("sheet_previews") or ()),
            unskippable=bool(stored.get("unskippable")),
            proposals=tuple(_proposal(p) for p in stored.get("proposals") or ()),
        )

    def to_json(self) -> Json:
        """The JSON ``ImportJob.report`` stores (the same keys and shapes as ever)."""
        matches = self.column_mapping
        return {
            "status": self.status,
            "error": self.error,
            "rows_read": self.rows_read,
            "rows_cleaned": self.rows_cleaned,
            "rows_skipped": self.rows_skipped,
            "rows": {f.name: getattr(self.rows, f.name) for f in fields(RowAccounting)},
            "skipped_rows": list(self.skipped_rows),
            "timings": dict(self.timings),
            "total_seconds": self.total_seconds,
            "source": dict(self.source.items),
            "sheets": list(self.sheets),
            "header_row": self.header_row,
            "models": [
                {
                    "label": m.label,
                    "verbose_name": m.verbose_name,
                    "count": m.count,
                    "updated": m.updated,
                    "unchanged": m.unchanged,
                    # Many-to-many links an upsert removed: only where there are some.
                    **({"removed": m.removed} if m.removed else {}),
                }
                for m in self.models
            ],
            "upserted": self.upserted,
            "changes": [
                {
                    "label": c.label,
                    "verbose_name": c.verbose_name,
                    "row": c.row,
                    "key": c.key,
                    "cells": [{"field": x.field, "old": x.old, "new": x.new} for x in c.cells],
                }
                for c in self.changes
            ],
            "changes_limit": self.changes_limit,
            "problems": [_stored_problem_json(p) for p in self.problems],
            "problem_count": self.problem_count,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "file_errors": self.file_errors,
            "counts_by_kind": dict(self.counts_by_kind),
            "columns": [{"name": c.name, "dtype": c.dtype} for c in self.columns],
            "profile": [
                {
                    "name": c.name,
                    "dtype": c.dtype,
                    "nulls": c.nulls,
                    "distinct": c.distinct,
                    "min": c.min,
                    "max": c.max,
                }
                for c in self.profile
            ],
            "column_mapping": None if matches is None else matches_json(matches),
            "unmatched": [_unmatched_json(u) for u in self.unmatched],
            # Only the keys that apply (a report of a file of one table keeps its shape).
            **({"mapped": [_mapped_json(m) for m in self.mapped]} if self.mapped else {}),
            **(
                {"sheet_previews": [_sheet_preview_json(s) for s in self.sheet_previews]}
                if self.sheet_previews
                else {}
            ),
            **({"unskippable": True} if self.unskippable else {}),
            **({"proposals": [proposal_json(p) for p in self.proposals]} if self.proposals else {}),
        }


def proposal_json(proposal: StoredProposal) -> Json:
    """A proposal as the job's report stores it (and the API answers it)."""
    return {
        "column": proposal.column,
        "header": proposal.header,
        "message": proposal.message,
        "cells": proposal.cells,
        "readings": [
            {
                "conventions": r.conventions,
                "description": r.description,
                "examples": [list(e) for e in r.examples],
            }
            for r in proposal.readings
        ],
    }


def _proposal(data: Json) -> StoredProposal:
    return StoredProposal(
        column=str(data.get("column", "")),
        header=str(data.get("header", "")),
        message=str(data.get("message", "")),
        cells=int(data.get("cells") or 0),
        readings=tuple(
            StoredReading(
                conventions=dict(r.get("conventions") or {}),
                description=str(r.get("description", "")),
                examples=tuple((str(e[0]), str(e[1])) for e in r.get("examples") or ()),
            )
            for r in data.get("readings") or ()
        ),
    )


def _sheet_preview_json(preview: SheetPreview) -> Json:
    return {
        "name": preview.name,
        "columns": list(preview.columns),
        "rows": [list(row) for row in preview.rows],
        **({"dtypes": list(preview.dtypes)} if preview.dtypes else {}),
    }


def _sheet_preview(data: Json) -> SheetPreview:
    return SheetPreview(
        name=str(data.get("name", "")),
        columns=tuple(str(c) for c in data.get("columns") or ()),
        rows=tuple(tuple(str(v) for v in row) for row in data.get("rows") or ()),
        dtypes=tuple(str(d) for d in data.get("dtypes") or ()),
    )


def problem_json(problem: StoredProblem) -> Json:
    """A problem as JSON: the row as a spreadsheet shows it (header = row 1), its sheet (``None``
    outside a workbook of several sheets), column, value, message. The one serializer: the
    stored report and the API both use it."""
    return {
        "kind": problem.kind,
        "label": problem.label,
        "severity": problem.severity,
        "message": problem.message,
        "row": problem.row,
        "sheet": problem.sheet,
        "column": problem.column,
        "value": problem.value,
    }


def _stored_problem_json(problem: StoredProblem) -> Json:
    stored = problem_json(problem)
    if problem.sheet is None:  # only when it names one: reports keep the keys they had
        del stored["sheet"]
    return stored


def matches_json(matches: ColumnMatches) -> Json:
    """How a file's headers were matched to the importer's columns, as JSON (the stored report
    and the API's mapping step)."""
    return {
        "columns": [
            {
                "header": c.header,
                "target": c.target,
                "reason": c.reason,
                "score": c.score,
                "samples": list(c.samples),
            }
            for c in matches.columns
        ],
        "expected": list(matches.expected),
        "unmatched": list(matches.unmatched),
        "needs_review": matches.needs_review,
        "fingerprint": matches.fingerprint,
    }


def _unmatched_json(lookup: UnmatchedLookup) -> Json:
    return {
        "field": lookup.field,
        "column": lookup.column,
        "by": lookup.by,
        "target": lookup.target,
        "verbose_name": lookup.verbose_name,
        "verbose_name_plural": lookup.verbose_name_plural,
        "can_create": lookup.can_create,
        "created": lookup.created,
        "reference": lookup.reference,
        "description": lookup.description,
        "key": lookup.key,
        "values": [
            {"value": v.value, "count": v.count, "rows": list(v.rows)} for v in lookup.values
        ],
    }


# -- reading, one part at a time (each tolerant of keys an earlier version did not write) ------


def _int_or_none(value: object) -> int | None:
    if value is None or value == "":
        return None
    return int(value) if isinstance(value, int | float) else int(str(value))


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _rows(data: object) -> RowAccounting:
    stored: Json = data if isinstance(data, dict) else {}
    return RowAccounting(**{
        f.name: int(stored.get(f.name) or 0) for f in fields(RowAccounting)
    })  # fmt: skip


def _model(data: Json) -> ModelCount:
    label = str(data.get("label", ""))
    return ModelCount(
        label=label,
        verbose_name=str(data.get("verbose_name") or label),
        count=int(data.get("count") or 0),
        updated=int(data.get("updated") or 0),
        unchanged=int(data.get("unchanged") or 0),
        removed=int(data.get("removed") or 0),
    )


def _change(data: Json) -> StoredChange:
    label = str(data.get("label", ""))
    return StoredChange(
        label=label,
        verbose_name=str(data.get("verbose_name") or label),
        row=_int_or_none(data.get("row")),
        key=str(data.get("key") or ""),
        cells=tuple(
            ChangedCell(str(c.get("field", "")), str(c.get("old", "")), str(c.get("new", "")))
            for c in data.get("cells") or ()
        ),
    )


def _problem(data: Json) -> StoredProblem:
    kind = str(data.get("kind", ""))
    return StoredProblem(
        kind=kind,
        label=str(data.get("label") or kind),
        severity=str(data.get("severity", "")),
        message=str(data.get("message", "")),
        row=_int_or_none(data.get("row")),
        column=_text_or_none(data.get("column")),
        value=_text_or_none(data.get("value")),
        sheet=_text_or_none(data.get("sheet")),
    )


def _profile(data: Json) -> ColumnProfile:
    return ColumnProfile(
        name=str(data.get("name", "")),
        dtype=str(data.get("dtype", "")),
        nulls=float(data.get("nulls") or 0.0),
        distinct=int(data.get("distinct") or 0),
        min=_text_or_none(data.get("min")),
        max=_text_or_none(data.get("max")),
    )


def _matches(data: Json) -> ColumnMatches:
    return ColumnMatches(
        columns=tuple(
            MappedColumn(
                header=str(c.get("header", "")),
                target=_text_or_none(c.get("target")),
                reason=str(c.get("reason", "")),
                score=None if c.get("score") is None else float(c["score"]),
                samples=tuple(str(s) for s in c.get("samples") or ()),
            )
            for c in data.get("columns") or ()
        ),
        expected=tuple(str(e) for e in data.get("expected") or ()),
        unmatched=tuple(str(u) for u in data.get("unmatched") or ()),
        needs_review=bool(data.get("needs_review")),
        fingerprint=str(data.get("fingerprint") or ""),
    )


def _mapped_json(lookup: MappedLookup) -> Json:
    return {
        "key": lookup.key,
        "column": lookup.column,
        "by": lookup.by,
        "verbose_name": lookup.verbose_name,
        "values": [
            {"value": v.value, "pk": v.pk, "target": v.target, "count": v.count}
            for v in lookup.values
        ],
    }


def _mapped(data: Json) -> MappedLookup:
    return MappedLookup(
        key=str(data.get("key", "")),
        column=str(data.get("column", "")),
        by=str(data.get("by", "")),
        verbose_name=str(data.get("verbose_name", "")),
        values=tuple(
            MappedValue(
                value=str(v.get("value", "")),
                pk=str(v.get("pk", "")),
                target=str(v.get("target", "")),
                count=int(v.get("count") or 0),
            )
            for v in data.get("values") or ()
        ),
    )


def _unmatched(data: Json) -> UnmatchedLookup:
    target = str(data.get("target", ""))
    verbose_name = str(data.get("verbose_name") or target)
    return UnmatchedLookup(
        field=str(data.get("field", "")),
        column=str(data.get("column", "")),
        by=str(data.get("by", "")),
        target=target,
        verbose_name=verbose_name,
        verbose_name_plural=str(data.get("verbose_name_plural") or verbose_name),
        can_create=bool(data.get("can_create")),
        created=bool(data.get("created")),
        reference=bool(data.get("reference")),
        description=str(data.get("description") or ""),
        key=str(data.get("key") or ""),
        values=tuple(
            UnmatchedValue(
                value=str(v.get("value", "")),
                count=int(v.get("count") or 0),
                rows=tuple(int(r) for r in v.get("rows") or ()),
            )
            for v in data.get("values") or ()
        ),
    )
