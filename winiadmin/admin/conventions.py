"""The wizard's number and date conventions (:mod:`winiadmin.jobs.conventions`): a proposal
accepted, the conventions remembered from the user's earlier files shown where they were
applied and left out of one upload on request, and the admin of what is remembered.

Both routes need a user who may see the job and use its importer (``JobViews._job``) and a POST
with its CSRF token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from winiadmin.admin.job_views import JobViews, Route, user_of
from winiadmin.cleaning.conventions import FileConventions
from winiadmin.jobs.background import start_validation
from winiadmin.jobs.conventions import (
    ACCEPT_STATUSES,
    WHOLE_FILE,
    accept_reading,
    applied_memory,
    job_conventions,
    proposed_reading,
    without_conventions,
)
from winiadmin.jobs.runner import JobStateError

if TYPE_CHECKING:
    from uuid import UUID

    from django.http import HttpRequest, HttpResponse

    from winiadmin.admin.sites import WizardSite
    from winiadmin.models import ImportJob, SavedConventions

    _ConventionsAdmin = admin.ModelAdmin[SavedConventions]
else:  # ModelAdmin is generic for the type checker only
    _ConventionsAdmin = admin.ModelAdmin


class ConventionViews(JobViews):
    def routes(self) -> list[Route]:
        return [
            ("<uuid:job_id>/conventions/", self.conventions_view, "conventions"),
            ("<uuid:job_id>/conventions/off/", self.conventions_off_view, "conventions_off"),
            *super().routes(),
        ]

    def conventions_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._accept_conventions)(request, job_id)

    def _accept_conventions(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        """A proposed reading of a column accepted: kept on the job, remembered for the user's
        next files of the importer, and the file checked again."""
        job, _importer = self._job(request, job_id)
        index = request.POST.get("reading", "")
        reading = (
            proposed_reading(job, request.POST.get("column", ""), int(index))
            if index.isdigit()
            else None
        )
        if reading is None or job.status not in ACCEPT_STATUSES:
            messages.warning(request, _("This proposal cannot be accepted now."))
            return self.redirect_to_job(request, job)
        accept_reading(job, request.POST["column"], reading, user_of(request))
        self._conventions_checked(request, job)
        return self.redirect_to_job(request, job)

    def conventions_off_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._conventions_off)(request, job_id)

    def _conventions_off(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        """This upload checked again without the conventions remembered from earlier files
        (the memory is kept: it is forgotten in the admin's list)."""
        job, _importer = self._job(request, job_id)
        if job.status not in ACCEPT_STATUSES or not without_conventions(job):
            messages.warning(request, _("The conventions of this import cannot be changed now."))
            return self.redirect_to_job(request, job)
        self._conventions_checked(request, job)
        return self.redirect_to_job(request, job)

    @staticmethod
    def _conventions_checked(request: HttpRequest, job: ImportJob) -> None:
        try:
            start_validation(job)  # here, or queued for a worker (BACKGROUND_THRESHOLD)
        except JobStateError as exc:
            messages.warning(request, str(exc))


def described(conventions: FileConventions | None) -> str:
    """Conventions in words, per column (``""``: none)."""
    if conventions is None:
        return ""
    parts = [conventions.describe()] if conventions.describe() else []
    parts += [f"{name}: {c.describe()}" for name, c in conventions.columns.items()]
    return "; ".join(parts)


def conventions_context(site: WizardSite, request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    """The preview's conventions: those the job is read in, and those of them remembered from
    the user's earlier files (with the link to the list where they are forgotten)."""
    memory = applied_memory(job)
    url = ""
    if memory is not None and user_of(request).has_perm("winiadmin.view_savedconventions"):
        try:
            url = reverse("admin:winiadmin_savedconventions_changelist", current_app=site.name)
            query = {"importer": job.importer}
            if job.user_id is not None:
                query["user__id__exact"] = str(job.user_id)
            url += "?" + urlencode(query)
        except NoReverseMatch:
            url = ""
    return {
        "can_accept_conventions": job.status in ACCEPT_STATUSES,
        "conventions_applied": described(job_conventions(job)),
        "conventions_remembered": described(memory),
        "conventions_memory_url": url,
    }


class SavedConventionsAdmin(_ConventionsAdmin):
    """The remembered number and date conventions, per user and importer: reviewed, filtered,
    deleted (nothing else) — a deleted one is no longer applied to the user's next files."""

    list_display = ["importer", "column_shown", "described", "user", "updated_at"]
    list_filter = ["importer", "user"]
    search_fields = ["importer", "column", "user__username"]
    fields = ("importer", "column", "conventions", "user", "updated_at")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("column"), ordering="column")
    def column_shown(self, obj: SavedConventions) -> str:
        return _("(the whole file)") if obj.column == WHOLE_FILE else obj.column

    @admin.display(description=gettext_lazy("conventions"))
    def described(self, obj: SavedConventions) -> str:
        return FileConventions.from_json(obj.conventions).describe()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made on upload and in the preview

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
