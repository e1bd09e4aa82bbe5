"""Undo a finished import from the admin: a preview of the deletion, then a confirmation (POST).

One URL: GET shows what the undo would delete (cascades included) and what stops it; POST checks
everything again with the rows locked and deletes. Templates per model, like the wizard's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from winiadmin.admin.cell_format import format_count
from winiadmin.admin.job_views import JobViews, Route, user_of
from winiadmin.admin.responses import model_or_none
from winiadmin.jobs.undo import UndoPlan, UndoRefused, plan_undo, undo_job

if TYPE_CHECKING:
    from uuid import UUID

    from django.http import HttpRequest, HttpResponse


class UndoViews(JobViews):
    """One URL: the undo's preview (GET) and its confirmation (POST)."""

    def routes(self) -> list[Route]:
        return [*super().routes(), ("<uuid:job_id>/undo/", self.undo_view, "undo")]

    def undo_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        # Undo needs no importer: only the job, and the delete permissions checked below.
        job = self._visible_job(request, job_id)
        user = user_of(request)
        # The confirmation checks again inside undo_job; only the preview measures the cascades.
        plan = plan_undo(job, measure=request.method != "POST")
        if not self.site.can_undo(user, job, plan.labels):
            raise PermissionDenied(_("You may not delete what this import created."))
        if request.method != "POST":
            return self._preview(request, plan)
        try:
            result = undo_job(job, user)
        except UndoRefused as exc:
            messages.error(request, _("The import was not undone: %(why)s") % {"why": exc})
            return self._preview(request, exc.plan, status=409)
        deleted = ngettext(
            "The import was undone: %(count)s row deleted.",
            "The import was undone: %(count)s rows deleted.",
            result.total,
        )
        messages.success(request, deleted % {"count": format_count(result.total)})
        return self.redirect_to_job(request, job)

    def _preview(self, request: HttpRequest, plan: UndoPlan, status: int = 200) -> HttpResponse:
        model = model_or_none(plan.job.target_model)
        title = _("Undo the import of %(name)s") % {"name": plan.job.original_name}
        context = self._context(request, title, model, job=plan.job, plan=plan)
        context["rows"] = undo_rows(plan)
        return self._render(request, "undo", context, model, status=status)


def undo_rows(plan: UndoPlan) -> list[dict[str, Any]]:
    """One line per model the undo deletes from: created rows, examples, rows deleted with them.

    An undo that is blocked measured nothing: its rows deleted with them are those of the
    reasons (other rows pointing at created ones), so the table and the reasons agree."""
    cascades = plan.cascades if plan.allowed else dict(plan.referencing)
    rows = [
        {
            "verbose_name": undo.verbose_name_plural,
            "count": len(undo.keys),
            "sample": undo.sample,
            "cascade": cascades.pop(undo.label, 0),
        }
        for undo in plan.models
    ]
    for label, n in cascades.items():
        name = apps.get_model(label)._meta.verbose_name_plural
        rows.append({"verbose_name": name, "count": 0, "sample": [], "cascade": n})
    return rows
