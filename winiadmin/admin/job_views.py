"""The base of the wizard's view groups: the site they run on, their URLs, the job and importer
lookups (with the permission checks), the page context and the URLs they link to.

Every group (the wizard's pages, background runs, downloads, undo) lists its routes in
:meth:`JobViews.routes`; :meth:`JobViews.get_urls` wraps each view with its site's door
(:class:`~winiadmin.admin.sites.WizardSite`: on an admin site ``admin_site.admin_view`` — login,
staff, CSRF on POST — and the admin's refusal page for ``PermissionDenied``). URLs are reversed
for the site the views belong to, so the wizard works on any ``AdminSite`` and outside the
admin (``winiadmin.wizard``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from winiadmin.admin.responses import redirect
from winiadmin.admin.sites import URL_PREFIX, AdminWizardSite, WizardSite
from winiadmin.admin.templates import template_candidates
from winiadmin.exceptions import ImporterNotFound
from winiadmin.importers import Importer, get_importer
from winiadmin.models import ImportJob

if TYPE_CHECKING:
    from collections.abc import Callable
    from uuid import UUID

    from django.contrib.admin import AdminSite
    from django.db.models import Model
    from django.http import HttpRequest, HttpResponse

    from winiadmin.permissions import User

__all__ = ["URL_PREFIX", "JobViews", "Route", "user_of", "wizard_url"]

#: A route of a view group: the path, the view, its URL name without ``URL_PREFIX``.
Route = tuple[str, "Callable[..., HttpResponse]", str]


def wizard_url(admin_site: AdminSite, name: str, *args: object) -> str:
    """The URL of the wizard's view ``name`` on ``admin_site``."""
    return reverse(f"admin:{URL_PREFIX}{name}", args=args, current_app=admin_site.name)


class JobViews:
    """Views of the import wizard on one site; subclasses add their routes. Given an
    ``AdminSite``, the views run on it (:class:`~winiadmin.admin.sites.AdminWizardSite`)."""

    def __init__(self, site: WizardSite | AdminSite) -> None:
        self.site = site if isinstance(site, WizardSite) else AdminWizardSite(site)

    def routes(self) -> list[Route]:
        """This group's routes; a subclass adds its own to ``super().routes()``."""
        return []

    def get_urls(self) -> list[URLPattern]:
        return [
            path(route, self.site.wrap(view), name=URL_PREFIX + name)
            for route, view, name in self.routes()
        ]

    # -- lookups (each checks the permissions) ------------------------------------------------

    def _importer(self, request: HttpRequest, name: str) -> type[Importer]:
        try:
            importer_cls = get_importer(name)
        except ImporterNotFound as exc:
            raise Http404(str(exc)) from exc
        if not self.site.can_import(user_of(request), importer_cls):
            raise PermissionDenied(_("You may not import with this importer."))
        return importer_cls

    def _visible_job(self, request: HttpRequest, job_id: UUID) -> ImportJob:
        """The job, if the user may see it on this site (on the admin: theirs, or they may see
        every job; outside it: theirs only, and another user's is not found)."""
        job = get_object_or_404(self.site.findable_jobs(user_of(request)), pk=job_id)
        if not self.site.can_view_job(user_of(request), job):
            raise PermissionDenied(_("This import belongs to another user."))
        return job

    def _job(self, request: HttpRequest, job_id: UUID) -> tuple[ImportJob, type[Importer]]:
        """The job and its importer, if the user may see the job and use the importer."""
        job = self._visible_job(request, job_id)
        return job, self._importer(request, job.importer)

    # -- pages ----------------------------------------------------------------------------------

    def _context(
        self, request: HttpRequest, title: str, model: type[Model] | None, **extra: Any
    ) -> dict[str, Any]:
        if model is not None and not self.site.is_registered(model):
            model = None  # no admin pages to link to (the breadcrumbs would fail to reverse)
        return {
            **self.site.each_context(request),
            "all_imports_url": self.site.jobs_url(),
            "title": title,
            "opts": (model or ImportJob)._meta,
            "job_opts": ImportJob._meta,
            "target_opts": model._meta if model is not None else None,
            **extra,
        }

    def _render(
        self,
        request: HttpRequest,
        step: str,
        context: dict[str, Any],
        model: type[Model] | None,
        status: int = 200,
    ) -> HttpResponse:
        return TemplateResponse(request, template_candidates(step, model), context, status=status)

    # -- links ----------------------------------------------------------------------------------

    def url(self, name: str, *args: object) -> str:
        """The URL of the wizard's view ``name`` on this site."""
        return self.site.url(name, *args)

    def job_url(self, job: ImportJob) -> str:
        return self.url("job", job.pk)

    def redirect_to_job(self, request: HttpRequest, job: ImportJob) -> HttpResponse:
        return redirect(request, self.job_url(job))


def user_of(request: HttpRequest) -> User:
    return request.user
