"""The page the wizard opens on outside the admin: what the user may import, and their own
imports (the admin has its changelist of jobs for this)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from winiadmin.admin.job_views import JobViews, Route, user_of
from winiadmin.admin.paging import PageInfo

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

#: Jobs per page of the list.
JOBS_PER_PAGE = 25


class JobListViews(JobViews):
    """``""``: the importers offered to the user and their imports, newest first."""

    def routes(self) -> list[Route]:
        return [*super().routes(), ("", self.jobs_view, "jobs")]

    def jobs_view(self, request: HttpRequest) -> HttpResponse:
        user = user_of(request)
        jobs = self.site.jobs(user).order_by("-created_at")
        page = PageInfo.from_request(request.GET.get("page"), JOBS_PER_PAGE, jobs.count())
        context = self._context(
            request,
            _("Imports"),
            None,
            importers=self.site.offered(user),
            jobs=jobs[page.offset : page.offset + page.size],
            jobs_page=page,
        )
        return self._render(request, "jobs", context, None)
