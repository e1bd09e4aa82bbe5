"""A job's steps: its column mapping, options and accepted conventions (each runs the dry run
again), confirm, cancel, retry and undo — each one call of what the wizard calls
(``winiadmin.jobs``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import JsonResponse
from django.utils.translation import gettext as _

from winiadmin.api.access import check_undo, usable_job, visible_job
from winiadmin.api.endpoint import endpoint, flag, json_body
from winiadmin.api.errors import ApiError, invalid
from winiadmin.api.inputs import option_texts, read_options
from winiadmin.api.serializers import job_json, mapping_json, undo_plan_json
from winiadmin.cleaning.mapping import ColumnMapping
from winiadmin.jobs.background import cancel_job, retry_job, start_execution, start_validation
from winiadmin.jobs.conventions import ACCEPT_STATUSES, accept_reading, proposed_reading
from winiadmin.jobs.mapping import (
    apply_mapping,
    can_change_mapping,
    mapping_report,
    saved_mapping,
)
from winiadmin.jobs.runner import VALIDATE_FROM, JobStateError
from winiadmin.jobs.states import state_message
from winiadmin.jobs.undo import UndoRefused, plan_undo, undo_job

if TYPE_CHECKING:
    from django.http import HttpRequest

    from winiadmin.import_report import ColumnMatches
    from winiadmin.permissions import User


def show_mapping(request: HttpRequest, user: User, job_id: str) -> JsonResponse:
    job, _importer = usable_job(user, job_id)
    found = mapping_report(job)
    if found is None:
        raise ApiError(409, "job_state", "The file was not read as far as its headers yet.")
    saved = saved_mapping(job, user)
    return JsonResponse(mapping_json(job, found, saved.mapping if saved is not None else None))


def set_mapping(request: HttpRequest, user: User, job_id: str) -> JsonResponse:
    """``{"mapping": {"File header": "column" or null}}``; headers left out keep their match.
    Remembered for the user's next file with the same headers, then the dry run again."""
    job, _importer = usable_job(user, job_id)
    found = mapping_report(job)
    if found is None or not can_change_mapping(job):
        raise ApiError(409, "job_state", "The columns of this import cannot be changed now.")
    given = json_body(request).get("mapping")
    if not isinstance(given, dict):
        raise invalid("mapping must be a JSON object: file header → column or null.")
    apply_mapping(job, checked_mapping(found, given), user)
    return JsonResponse(job_json(job))


def checked_mapping(found: ColumnMatches, given: dict[str, object]) -> ColumnMapping:
    """As the wizard's column step checks it: known headers, known columns, no column fed by two
    headers, every expected column fed."""
    headers = [c.header for c in found.columns]
    unknown = sorted(set(given) - set(headers))
    if unknown:
        raise invalid(f"Not headers of the file: {', '.join(unknown)}.", {"headers": unknown})
    chosen = {c.header: given.get(c.header, c.target) or None for c in found.columns}
    wrong = sorted({str(t) for t in chosen.values() if t is not None and t not in found.expected})
    if wrong:
        raise invalid(f"Not columns of the importer: {', '.join(wrong)}.", {"columns": wrong})
    fed: dict[str, list[str]] = {}
    for header, target in chosen.items():
        if target is not None:
            fed.setdefault(str(target), []).append(header)
    twice = {t: h for t, h in fed.items() if len(h) > 1}
    if twice:
        msg = "; ".join(f"{t} is chosen for {', '.join(h)}" for t, h in twice.items())
        raise invalid(msg + ".", {"twice": twice})
    unfed = [name for name in found.expected if name not in fed]
    if unfed:
        raise invalid(f"Choose a file column for: {', '.join(unfed)}.", {"unfed": unfed})
    return ColumnMapping.from_json(chosen)


def set_options(request: HttpRequest, user: User, job_id: str) -> JsonResponse:
    """``{"options": {...}, "read_options": {...}}`` (each optional: left out, unchanged); the
    upload is read and checked again with them."""
    job, importer = usable_job(user, job_id)
    body = json_body(request)
    if job.status not in VALIDATE_FROM:
        raise JobStateError(state_message(job, "validate"))
    if "options" in body:
        job.options = option_texts(importer, body["options"])
    if "read_options" in body:
        given = body["read_options"]
        if not isinstance(given, dict):
            raise invalid("read_options must be a JSON object.", {"field": "read_options"})
        job.read_options = read_options(given)
    job.save(update_fields=["options", "read_options", "updated_at"])
    start_validation(job)
    return JsonResponse(job_json(job))


def accept_conventions(request: HttpRequest, user: User, job_id: str) -> JsonResponse:
    """``{"column": "price", "reading": 0}``: the ``reading``-th reading the check proposed for
    ``column`` (``report.proposals``) kept on the job, remembered for the user's next files of
    the importer, and the file checked again — as the wizard's button does."""
    job, _importer = usable_job(user, job_id)
    body = json_body(request)
    column, index = body.get("column"), body.get("reading", 0)
    if not isinstance(column, str) or isinstance(index, bool) or not isinstance(index, int):
        msg = _("Name the proposal's column and the number of its reading (from 0).")
        raise invalid(msg, {"field": "column"})
    if job.status not in ACCEPT_STATUSES:
        raise ApiError(409, "job_state", _("This proposal cannot be accepted now."))
    reading = proposed_reading(job, column, index)
    if reading is None:
        proposed = {p.column: len(p.readings) for p in job.import_report.proposals}
        msg = _("The last check proposed no such reading.")
        raise invalid(msg, {"field": "reading", "proposed": proposed})
    accept_reading(job, column, reading, user)
    start_validation(job)  # here, or queued for a worker (BACKGROUND_THRESHOLD)
    return JsonResponse(job_json(job))


def confirm(request: HttpRequest, user: User, job_id: str) -> JsonResponse:
    """``{"skip_invalid": false, "create_missing": false}``: the real run (here, or queued)."""
    job, _importer = usable_job(user, job_id)
    body = json_body(request)
    start_execution(
        job,
        user=user,
        skip_invalid=flag(body, "skip_invalid"),
        create_missing=flag(body, "create_missing"),
    )
    return JsonResponse(job_json(job), status=202 if job.is_active else 200)


def cancel(request: HttpRequest, user: User, job_id: str) -> JsonResponse:
    job, _importer = usable_job(user, job_id)
    outcome = cancel_job(job)
    return JsonResponse(
        {"outcome": outcome.value, "cancelled": bool(outcome), "job": job_json(job)}
    )


def retry(request: HttpRequest, user: User, job_id: str) -> JsonResponse:
    job, _importer = usable_job(user, job_id)
    retry_job(job)
    return JsonResponse(job_json(job))


def show_undo(request: HttpRequest, user: User, job_id: str) -> JsonResponse:
    """What an undo would delete (cascades measured) and what stops it."""
    job = visible_job(user, job_id)
    plan = plan_undo(job)
    check_undo(user, job, plan)
    return JsonResponse(undo_plan_json(plan))


def undo(request: HttpRequest, user: User, job_id: str) -> JsonResponse:
    job = visible_job(user, job_id)
    check_undo(user, job, plan_undo(job, measure=False))
    try:
        result = undo_job(job, user)
    except UndoRefused as exc:
        raise ApiError(409, "undo_refused", str(exc), undo_plan_json(exc.plan)) from exc
    return JsonResponse({"deleted": result.deleted, "job": job_json(job)})


mapping = endpoint({"GET": show_mapping, "PUT": set_mapping})
options = endpoint({"POST": set_options})
conventions = endpoint({"POST": accept_conventions})
confirm_endpoint = endpoint({"POST": confirm})
cancel_endpoint = endpoint({"POST": cancel})
retry_endpoint = endpoint({"POST": retry})
undo_endpoint = endpoint({"GET": show_undo, "POST": undo})
