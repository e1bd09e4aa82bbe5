"""The wizard's views for background jobs: the polled progress fragment, cancel and retry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from winiadmin.admin.grid import rows_context
from winiadmin.admin.job_views import JobViews, Route
from winiadmin.admin.progress import progress_context
from winiadmin.jobs.background import CancelOutcome, cancel_job, retry_job
from winiadmin.jobs.runner import JobStateError
from winiadmin.jobs.stale import reap_stale_jobs
from winiadmin.models import ImportJob

if TYPE_CHECKING:
    from uuid import UUID

    from django.http import HttpRequest, HttpResponse


#: While a job is in one of these, its page waits for the dry run's cleaned rows.
EARLY_ROWS_STATUSES = frozenset({ImportJob.Status.QUEUED, ImportJob.Status.VALIDATING})


class BackgroundViews(JobViews):
    """The progress fragment a running job's page polls, its early rows, cancel and retry."""

    def routes(self) -> list[Route]:
        return [
            *super().routes(),
            ("<uuid:job_id>/early-rows/", self.early_rows_view, "early_rows"),
            ("<uuid:job_id>/progress/", self.progress_view, "progress"),
            ("<uuid:job_id>/cancel/", self.cancel_view, "cancel"),
            ("<uuid:job_id>/retry/", self.retry_view, "retry"),
        ]

    def progress_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        """The fragment the job page polls; once the job ended, the whole page reloads."""
        job, _importer = self._job(request, job_id)
        reap_stale_jobs(job)
        if not job.is_active:
            return HttpResponseClientRefresh()
        return TemplateResponse(request, "admin/winiadmin/_progress.html", progress_context(job))

    def early_rows_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        """A dry run's cleaned rows while it still runs: a placeholder that polls until they are
        stored, then the first page, loaded once (its pages come from the rows view)."""
        job, _importer = self._job(request, job_id)
        ready = job.status == job.Status.VALIDATING and bool(job.preview_file)
        context: dict[str, Any] = rows_context(job, None) if ready else {"job": job}
        # Queued (for its dry run, it may be) or validating: poll; a real run shows no rows.
        context["waiting"] = not ready and job.status in EARLY_ROWS_STATUSES
        return TemplateResponse(request, "admin/winiadmin/_early_rows.html", context)

    def cancel_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._cancel)(request, job_id)

    def _cancel(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        outcome = cancel_job(job)
        if outcome == CancelOutcome.CANCELLED:
            messages.info(request, _("Cancelled; nothing was written."))
        elif outcome == CancelOutcome.CANCELLING:
            messages.info(request, _("Cancelling: the import stops and nothing is written."))
        elif outcome == CancelOutcome.TOO_LATE:
            messages.warning(
                request,
                _("Too late to cancel: the import was already being saved. Undo it if needed."),
            )
        else:
            messages.warning(request, _("This import is no longer running."))
        return self.redirect_to_job(request, job)

    def retry_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._retry)(request, job_id)

    def _retry(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        try:
            retry_job(job)
        except JobStateError as exc:
            messages.warning(request, str(exc))
        return self.redirect_to_job(request, job)
