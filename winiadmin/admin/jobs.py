"""The admin of ``ImportJob``: the import history, its actions, and the wizard's URLs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from winiadmin.admin.job_views import wizard_url
from winiadmin.admin.undo import UndoViews
from winiadmin.admin.wizard import ImportWizard
from winiadmin.exceptions import WiniadminError
from winiadmin.importers import all_importers, get_importer
from winiadmin.jobs.background import cancel_job, retry_job, start_execution, start_validation
from winiadmin.jobs.undo import nothing_to_undo
from winiadmin.models import ImportJob
from winiadmin.permissions import VIEW_ALL_JOBS, User, can_import

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.urls import URLPattern

    _ModelAdmin = admin.ModelAdmin[ImportJob]
else:  # ModelAdmin is generic for the type checker only
    _ModelAdmin = admin.ModelAdmin


class ImportJobAdmin(_ModelAdmin):
    # Narrow enough for a 1280 px screen beside the admin's sidebar and the filters: the
    # importer under the file name, where it ran under the status, a short date.
    list_display = ["upload", "state", "user", "when", "rows", "created"]
    list_filter = ["status", "importer", "created_at"]
    search_fields = ["original_name", "importer", "sha256"]
    date_hierarchy = "created_at"
    actions = [
        "dry_run_again",
        "run_import",
        "cancel_jobs",
        "retry_jobs",
        "delete_uploaded_file",
        "undo_import",
    ]

    def get_urls(self) -> list[URLPattern]:
        wizard, undo = ImportWizard(self.admin_site), UndoViews(self.admin_site)
        return [*wizard.get_urls(), *undo.get_urls(), *super().get_urls()]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportJob]:
        jobs = super().get_queryset(request).select_related("user")
        if request.user.has_perm(VIEW_ALL_JOBS):
            return jobs
        return jobs.filter(user_id=cast("int", request.user.pk))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # jobs start from the wizard

    def has_change_permission(self, request: HttpRequest, obj: ImportJob | None = None) -> bool:
        return False  # a job is a record; its actions are the only changes

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: ImportJob | None = None) -> bool:
        """Whoever may import sees the import history (their own jobs, see ``get_queryset``)."""
        if super().has_view_permission(request, obj) or request.user.has_perm(VIEW_ALL_JOBS):
            return True
        return _may_import_anything(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) or super().has_module_permission(request)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """A job's page is the wizard's: the preview until it ran, then the result."""
        return HttpResponseRedirect(wizard_url(self.admin_site, "job", object_id))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        url = wizard_url(self.admin_site, "importers")
        extra = {"importers_url": url if _may_import_anything(request) else ""}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    @admin.display(description=_("file"), ordering="original_name")
    def upload(self, job: ImportJob) -> str:
        return format_html(
            '<div class="winiadmin-file">{}<div class="winiadmin-quiet">{}</div></div>',
            job.original_name,
            job.importer,
        )

    @admin.display(description=_("status"), ordering="status")
    def state(self, job: ImportJob) -> str:
        """The status ("Undone" for a succeeded import whose rows were deleted again), and the
        worker that ran it (``host:pid``, shortened; the whole name on hover)."""
        status = _("Undone") if job.is_undone else job.get_status_display()
        if not job.worker:
            return format_html('<span class="winiadmin-status">{}</span>', status)
        host, _sep, pid = job.worker.rpartition(":")
        short = f"{host[:12]}…:{pid}" if len(host) > 13 else job.worker
        return format_html(
            '<span class="winiadmin-status">{}</span>'
            '<div class="winiadmin-quiet winiadmin-worker" title="{}">{}</div>',
            status,
            _("Worker %(name)s") % {"name": job.worker},
            short,
        )

    @admin.display(description=_("created"), ordering="created_at")
    def when(self, job: ImportJob) -> str:
        created = timezone.localtime(job.created_at)
        same_year = created.year == timezone.localtime().year
        return date_format(created, "j M, H:i" if same_year else "j M Y, H:i")

    @admin.display(description=_("rows"))
    def rows(self, job: ImportJob) -> int:
        return job.import_report.rows_read

    @admin.display(description=_("objects"))
    def created(self, job: ImportJob) -> str:
        counts = job.created_counts or job.dry_run_counts
        total = sum(counts.values())
        if job.is_undone:
            return format_html('<s title="{}">{}</s>', _("deleted again by the undo"), total)
        if job.status == ImportJob.Status.SUCCEEDED:
            return format_html("{}", total)
        return format_html("<span title='{}'>({})</span>", _("would create"), total)

    @admin.action(description=_("Dry run again"), permissions=["import"])
    def dry_run_again(self, request: HttpRequest, queryset: QuerySet[ImportJob]) -> None:
        done = self._each(request, queryset, start_validation)
        self._report(request, done, "%(n)d job checked again.", "%(n)d jobs checked again.")

    @admin.action(description=_("Run import (validated jobs)"), permissions=["import"])
    def run_import(self, request: HttpRequest, queryset: QuerySet[ImportJob]) -> None:
        user: User = request.user

        def run(job: ImportJob) -> object:
            start_execution(
                job, skip_invalid=job.skip_invalid, user=user, create_missing=job.create_missing
            )
            return None

        done = self._each(request, queryset, run)
        self._report(request, done, "%(n)d import ran.", "%(n)d imports ran.")

    @admin.action(description=_("Cancel (queued or running jobs)"), permissions=["import"])
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet[ImportJob]) -> None:
        def cancel(job: ImportJob) -> object:
            if not cancel_job(job):
                raise WiniadminError(_("It is not queued or running."))
            return None

        done = self._each(request, queryset, cancel)
        self._report(request, done, "%(n)d job cancelled.", "%(n)d jobs cancelled.")

    @admin.action(description=_("Retry (failed jobs)"), permissions=["import"])
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet[ImportJob]) -> None:
        done = self._each(request, queryset, retry_job)
        self._report(request, done, "%(n)d job retried.", "%(n)d jobs retried.")

    @admin.action(description=_("Delete uploaded file"), permissions=["import"])
    def delete_uploaded_file(self, request: HttpRequest, queryset: QuerySet[ImportJob]) -> None:
        def delete(job: ImportJob) -> object:
            job.file.delete(save=False)
            if job.preview_file:
                job.file.storage.delete(job.preview_file)
            job.preview_file = ""
            if not job.is_finished:
                job.status = ImportJob.Status.CANCELLED
            job.save()
            return None

        done = self._each(request, queryset, delete)
        self._report(request, done, "%(n)d file deleted.", "%(n)d files deleted.")

    @admin.action(description=_("Undo import (preview first)"), permissions=["import"])
    def undo_import(
        self, request: HttpRequest, queryset: QuerySet[ImportJob]
    ) -> HttpResponse | None:
        """To the undo preview of the one job chosen: each undo is previewed on its own."""
        jobs = list(queryset[:2])
        if len(jobs) != 1:
            messages.warning(request, _("Choose exactly one import to undo."))
            return None
        reason = nothing_to_undo(jobs[0])
        if reason is not None:  # the preview would only say so: say it here
            url = wizard_url(self.admin_site, "job", jobs[0].pk)
            messages.warning(request, format_html('<a href="{}">{}</a>: {}', url, jobs[0], reason))
            return None
        return HttpResponseRedirect(wizard_url(self.admin_site, "undo", jobs[0].pk))

    def _each(self, request: HttpRequest, queryset: QuerySet[ImportJob], work: Any) -> int:
        user: User = request.user
        done = 0
        for job in queryset:
            try:
                if not can_import(user, get_importer(job.importer)):
                    raise WiniadminError(
                        _("You may not use the importer %(name)s.") % {"name": job.importer}
                    )
                work(job)
                done += 1
            except WiniadminError as exc:
                url = wizard_url(self.admin_site, "job", job.pk)
                messages.warning(request, format_html('<a href="{}">{}</a>: {}', url, job, exc))
        return done

    @staticmethod
    def _report(request: HttpRequest, n: int, singular: str, plural: str) -> None:
        if n:
            messages.success(request, ngettext(singular, plural, n) % {"n": n})


def _may_import_anything(request: HttpRequest) -> bool:
    user: User = request.user
    return any(can_import(user, importer) for importer in all_importers())
