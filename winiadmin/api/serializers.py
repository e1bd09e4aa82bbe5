"""What the API answers with: plain JSON values built by typed functions from the job, its
typed report (``ImportJob.import_report``) and the importers. A problem, a convention proposal
and the column matches are the report's own JSON (``import_report.problem_json``,
``proposal_json``, ``matches_json``). The shapes are
those of the OpenAPI document (``openapi.py``), which the tests check every answer against."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from winiadmin.exceptions import WiniadminError
from winiadmin.import_report import matches_json, proposal_json
from winiadmin.importers.template_file import template_columns
from winiadmin.jobs.conventions import ACCEPT_STATUSES
from winiadmin.jobs.mapping import can_change_mapping, needs_mapping
from winiadmin.jobs.undo import nothing_to_undo

if TYPE_CHECKING:
    from winiadmin.import_report import ColumnMatches, ImportReport
    from winiadmin.importers import Importer
    from winiadmin.jobs.undo import UndoPlan
    from winiadmin.models import ImportJob

Json = dict[str, Any]


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def importer_json(importer: type[Importer]) -> Json:
    """An importer: its name, models, the columns a file needs and the options it takes."""
    try:
        columns = [
            {"name": c.header, "kind": c.kind, "required": c.required}
            for c in template_columns(importer)
        ]
    except WiniadminError:  # no cleaning class: the columns are the importer's own affair
        columns = []
    return {
        "name": importer.get_name(),
        "verbose_name": str(importer.get_verbose_name()),
        "models": [m._meta.label for m in importer.models],
        "columns": columns,
        "options": [
            {
                "name": o.name,
                "label": str(o.display_label),
                "help": str(o.help),
                "required": o.required,
                "type": type(o).__name__.removesuffix("Option").lower() or "string",
            }
            for o in importer.options
        ],
        "upserts": [m._meta.label for m in importer.models if m in importer.upsert_keys],
    }


def job_json(job: ImportJob) -> Json:
    """A job: what it is, where it stands, its progress and its last run's outcome."""
    report = job.import_report
    url = reverse("winiadmin_api:job", args=[job.pk])
    return {
        "id": str(job.pk),
        "url": url,
        "importer": job.importer,
        "file_name": job.original_name,
        "size": job.size,
        "status": str(job.status),
        "active": job.is_active,
        "finished": job.is_finished,
        "error": job.error,
        "options": job.options,
        "read_options": job.read_options,
        "skip_invalid": job.skip_invalid,
        "create_missing": job.create_missing,
        #: Values chosen in the admin's preview to be created (lookup key → values).
        "create_values": job.create_values,
        "column_mapping": job.column_mapping,
        #: How the file writes numbers and dates (``FileConventions.to_json``; null: the
        #: importer's own).
        "conventions": job.conventions,
        #: Whether a proposal of the report may be accepted now (``POST conventions/``).
        "can_accept_conventions": job.status in ACCEPT_STATUSES,
        "needs_mapping": needs_mapping(job),
        "can_change_mapping": can_change_mapping(job),
        "can_confirm": job.can_confirm(skip_invalid=False),
        "can_confirm_skipping_invalid": job.can_confirm(skip_invalid=True),
        "can_undo": nothing_to_undo(job) is None,
        "progress": {
            "stage": job.stage,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "cancel_requested": job.cancel_requested,
            "queued_step": job.queued_step,
        },
        "created_at": _when(job.created_at),
        "validated_at": _when(job.validated_at),
        "started_at": _when(job.started_at),
        "finished_at": _when(job.finished_at),
        "undone_at": _when(job.undone_at),
        "report": report_json(report),
    }


def report_json(report: ImportReport) -> Json:
    """The last run's figures (problems and rows are paged by their own endpoints)."""
    rows = report.rows
    return {
        "status": report.status,
        "error": report.error,
        "rows": {
            "read": rows.read,
            "imported": rows.imported,
            "updated": rows.updated,
            "unchanged": rows.unchanged,
            "skipped": rows.skipped,
            "rejected": rows.rejected,
        },
        "models": [
            {
                "label": m.label,
                "verbose_name": m.verbose_name,
                "created": m.count,
                "updated": m.updated,
                "unchanged": m.unchanged,
            }
            for m in report.models
        ],
        "problem_count": report.problem_count,
        "error_count": report.error_count,
        "warning_count": report.warning_count,
        "file_errors": report.file_errors,
        "counts_by_kind": dict(report.counts_by_kind),
        "columns": [{"name": c.name, "dtype": c.dtype} for c in report.columns],
        "source": dict(report.source.items),
        "sheets": list(report.sheets),
        "header_row": report.header_row,
        "proposals": [proposal_json(p) for p in report.proposals],
    }


def page_json(number: int, size: int, total: int) -> Json:
    return {"page": number, "page_size": size, "total": total, "pages": max(-(-total // size), 1)}


def cell_json(value: object) -> object:
    """A cleaned value as JSON: numbers and booleans as they are, the rest (dates, decimals) as
    text, so that a decimal is never rounded through a float."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)  # JSON has no NaN nor infinity
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def mapping_json(job: ImportJob, found: ColumnMatches, saved: dict[str, Any] | None) -> Json:
    """How the headers were matched; ``saved``: the mapping the user chose last for files with
    these headers (the wizard preselects it; PUT it to use it again)."""
    return {**matches_json(found), "chosen": job.column_mapping, "saved": saved}


def undo_plan_json(plan: UndoPlan) -> Json:
    return {
        "allowed": plan.allowed,
        "models": [
            {"label": u.label, "verbose_name": u.verbose_name_plural, "rows": len(u.keys)}
            for u in plan.models
        ],
        "deletes": dict(plan.deletes),
        "blockers": [{"message": b.message, "examples": list(b.examples)} for b in plan.blockers],
    }
