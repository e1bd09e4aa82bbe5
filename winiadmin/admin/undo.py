"""Undo a finished import from the admin: a preview of the deletion, then a confirmation (POST).

One URL: GET shows what the undo would delete (cascades included) and what stops it; POST checks
everything again with the rows locked and deletes. Templates per model, like the wizard's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from winiadmin.admin.cell_format import format_count
from winiadmin.admin.refusals import admin_page
from winiadmin.admin.responses import model_or_none, redirect
from winiadmin.admin.templates import template_candidates
from winiadmin.jobs.undo import UndoPlan, UndoRefused, plan_undo, undo_job
from winiadmin.models import ImportJob
from winiadmin.permissions import User, can_undo, can_view_job

if TYPE_CHECKING:
    from uuid import UUID

    from django.contrib.admin import AdminSite
    from django.http import HttpRequest, HttpResponse


def undo_url(job: ImportJob) -> str:
    return reverse("admin:winiadmin_importjob_undo", args=[job.pk])


class UndoViews:
    def __init__(self, admin_site: AdminSite) -> None:
        self.admin_site = admin_site

    def get_urls(self) -> list[URLPattern]:
        view = admin_page(self.admin_site, self.undo_view)
        return [path("<uuid:job_id>/undo/", view, name="winiadmin_importjob_undo")]

    def undo_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job = get_object_or_404(ImportJob, pk=job_id)
        user: User = request.user
        if not can_view_job(user, job):
            raise PermissionDenied(_("This import belongs to another user."))
        # The confirmation checks again inside undo_job; only the preview measures the cascades.
        plan = plan_undo(job, measure=request.method != "POST")
        if not can_undo(user, job, plan.labels):
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
        return redirect(request, reverse("admin:winiadmin_importjob_job", args=[job.pk]))

    def _preview(self, request: HttpRequest, plan: UndoPlan, status: int = 200) -> HttpResponse:
        model = model_or_none(plan.job.target_model)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Undo the import of %(name)s") % {"name": plan.job.original_name},
            "opts": (model or ImportJob)._meta,
            "job_opts": ImportJob._meta,
            "target_opts": model._meta if model is not None else None,
            "job": plan.job,
            "plan": plan,
            "rows": undo_rows(plan),
        }
        candidates = template_candidates("undo", model)
        return TemplateResponse(request, candidates, context, status=status)


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
