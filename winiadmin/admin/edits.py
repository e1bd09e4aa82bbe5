"""Fixing the data in the preview: a cell edited, a row excluded, a replace in a column, the last
edit undone, the whole file checked again (:mod:`winiadmin.jobs.edits`).

Every edit is a POST (CSRF by ``admin_view``) by a user who may see the job and use its importer.
A cell edit or an exclusion checks its row at once (:mod:`winiadmin.jobs.row_check`) and answers
with the preview again, which HTMX swaps in place; a replace checks the whole file again, in the
background when the job is big.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from winiadmin.admin.job_views import JobViews, Route, user_of
from winiadmin.jobs.background import start_validation
from winiadmin.jobs.edits import (
    EditRefused,
    Replacement,
    can_edit,
    edits_of,
    exclude_row,
    replace_count,
    replace_in_column,
    set_cell,
    undo_last,
)
from winiadmin.jobs.raw import raw_columns
from winiadmin.jobs.row_check import check_row
from winiadmin.jobs.runner import JobStateError
from winiadmin.models import ImportEdit, ImportJob

if TYPE_CHECKING:
    from uuid import UUID

    from django.http import HttpRequest, HttpResponse, QueryDict


class EditViews(JobViews):
    """The edit routes; the preview page itself is ``preview_response`` (the wizard's)."""

    def routes(self) -> list[Route]:
        return [
            *super().routes(),
            ("<uuid:job_id>/edit/cell/", self.edit_cell_view, "edit_cell"),
            ("<uuid:job_id>/edit/exclude/", self.exclude_view, "edit_exclude"),
            ("<uuid:job_id>/edit/replace/", self.replace_view, "edit_replace"),
            ("<uuid:job_id>/edit/replace/count/", self.replace_count_view, "edit_replace_count"),
            ("<uuid:job_id>/edit/undo/", self.undo_edit_view, "edit_undo"),
            ("<uuid:job_id>/edit/check/", self.check_again_view, "edit_check"),
        ]

    def preview_response(
        self, request: HttpRequest, job: ImportJob, extra: dict[str, Any]
    ) -> HttpResponse:
        """The job's page; the wizard's view group gives it."""
        raise NotImplementedError

    # -- one row ----------------------------------------------------------------------------

    def edit_cell_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._edit_cell)(request, job_id)

    def _edit_cell(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        row = _int(request.POST.get("row"))
        column = file_column(job, request.POST.get("column", ""))
        empty = request.POST.get("empty") == "on"
        value = None if empty else request.POST.get("value", "")
        try:
            if row is None:
                raise EditRefused(_("Say which row to edit."))
            before = edits_of(job)
            set_cell(job, user_of(request), row, column, value)
            checked = check_row(job, row, before, column)
        except EditRefused as exc:
            return self._answer(request, job, {"edit_error": str(exc)})
        return self._answer(request, job, {"checked_row": checked})

    def exclude_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._exclude)(request, job_id)

    def _exclude(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        row = _int(request.POST.get("row"))
        try:
            if row is None:
                raise EditRefused(_("Say which row to exclude."))
            before = edits_of(job)
            exclude_row(job, user_of(request), row)
            checked = check_row(job, row, before)
        except EditRefused as exc:
            return self._answer(request, job, {"edit_error": str(exc)})
        return self._answer(request, job, {"checked_row": checked})

    def undo_edit_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._undo_edit)(request, job_id)

    def _undo_edit(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        before = edits_of(job)
        try:
            undone = undo_last(job, user_of(request))
        except EditRefused as exc:
            return self._answer(request, job, {"edit_error": str(exc)})
        if undone is None or undone.row is None:  # a replace: the whole file again
            return self._check_again(request, job_id)
        checked = check_row(job, undone.row, before, undone.column or None)
        return self._answer(request, job, {"checked_row": checked})

    # -- a whole column ----------------------------------------------------------------------

    def replace_count_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        replacement = _replacement(job, request.GET)
        count = replace_count(job, replacement) if replacement is not None and can_edit(job) else 0
        context = {"count": count, "replacement": replacement}
        return TemplateResponse(request, "admin/winiadmin/_replace_count.html", context)

    def replace_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._replace)(request, job_id)

    def _replace(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        replacement = _replacement(job, request.POST)
        try:
            if replacement is None:
                raise EditRefused(_("Choose a column."))
            edit = replace_in_column(job, user_of(request), replacement)
        except EditRefused as exc:
            return self._answer(request, job, {"edit_error": str(exc)})
        changed = ngettext(
            "%(n)s cell replaced; the whole file is checked again.",
            "%(n)s cells replaced; the whole file is checked again.",
            edit.cells,
        )
        messages.success(request, changed % {"n": edit.cells})
        return self._check_again(request, job_id)

    def check_again_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._check_again)(request, job_id)

    def _check_again(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        """The whole dry run again with the edits: here, or queued (the progress page)."""
        job, _importer = self._job(request, job_id)
        try:
            start_validation(job)
        except JobStateError as exc:
            messages.warning(request, str(exc))
        return self.redirect_to_job(request, job)

    def _answer(self, request: HttpRequest, job: ImportJob, extra: dict[str, Any]) -> HttpResponse:
        job.refresh_from_db()
        if getattr(request, "htmx", False):
            return self.preview_response(request, job, extra)
        if "edit_error" in extra:
            messages.error(request, extra["edit_error"])
        return self.redirect_to_job(request, job)


def file_column(job: ImportJob, column: str) -> str:
    """The file's column for ``column`` as a problem or the grid names it (an importer's column
    is fed by the header mapped to it)."""
    names = raw_columns(job.pk)
    if column in names:
        return column
    matches = job.import_report.column_mapping
    if matches is not None:
        for mapped in matches.columns:
            if mapped.target == column:
                return mapped.header
    return column


def edits_context(job: ImportJob) -> dict[str, Any]:
    """The edits panel: its edits, the columns to replace in (``can_edit``: the problems')."""
    editable = can_edit(job)
    return {
        "edits": list(ImportEdit.objects.filter(job=job).select_related("user").order_by("id")),
        "edit_columns": raw_columns(job.pk) if editable else [],
    }


def _replacement(job: ImportJob, data: QueryDict) -> Replacement | None:
    column = data.get("column", "")
    if not column:
        return None
    empty_new = data.get("new_empty") == "on"
    return Replacement(
        column=file_column(job, column),
        old=data.get("old", "") or None,
        new=None if empty_new else data.get("new", ""),
        whole=data.get("inside") != "on",
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
