"""The admin of ``ExportJob``: the export history, read only.

Each person sees their own exports; whoever holds ``winiadmin.view_exportjob`` sees everybody's.
A row names the model, the format and the file, the status (with the reason of a failure), who
and when, the rows, and the download while the link works — for the job's owner only, through
the model admin's own download view, which checks again that they may still export the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import admin
from django.db.models import Case, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from winiadmin.models import ExportJob

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    _ModelAdmin = admin.ModelAdmin[ExportJob]
else:  # ModelAdmin is generic for the type checker only
    _ModelAdmin = admin.ModelAdmin

VIEW_ALL_EXPORTS = "winiadmin.view_exportjob"


class ExportJobAdmin(_ModelAdmin):
    list_display = ["exported", "state", "user", "created_at", "rows", "download"]
    list_filter = ["status", "format", "model", "created_at"]
    search_fields = ["model", "file_name"]
    date_hierarchy = "created_at"
    _shown = (
        "model", "importer", "format", "columns", "file_name", "status", "error", "user",
        "rows_done", "rows_total", "created_at", "finished_at", "expires_at",
    )  # fmt: skip
    fields = _shown
    readonly_fields = _shown

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExportJob]:
        own = Case(When(user_id=request.user.pk, then=Value(True)), default=Value(False))
        jobs = super().get_queryset(request).select_related("user").annotate(own=own)
        if request.user.has_perm(VIEW_ALL_EXPORTS):
            return jobs
        return jobs.filter(user_id=cast("int", request.user.pk))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # exports start from a model's changelist

    def has_change_permission(self, request: HttpRequest, obj: ExportJob | None = None) -> bool:
        return False  # a record

    def has_view_permission(self, request: HttpRequest, obj: ExportJob | None = None) -> bool:
        """Whoever holds the view permission, and the staff who started an export (their own)."""
        if super().has_view_permission(request, obj):
            return True
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if obj is not None:
            return obj.user_id == user.pk
        return ExportJob.objects.filter(user_id=user.pk).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) or super().has_module_permission(request)

    @admin.display(description=_("export"), ordering="model")
    def exported(self, job: ExportJob) -> str:
        return format_html(
            '<div class="winiadmin-file">{}<div class="winiadmin-quiet">{} · {}</div></div>',
            job.file_name or job.model,
            job.model,
            job.format.upper(),
        )

    @admin.display(description=_("status"), ordering="status")
    def state(self, job: ExportJob) -> str:
        if job.error:
            return format_html(
                '{}<div class="winiadmin-quiet">{}</div>', job.get_status_display(), job.error
            )
        return str(job.get_status_display())

    @admin.display(description=_("rows"), ordering="rows_done")
    def rows(self, job: ExportJob) -> str:
        if job.rows_total is None or job.rows_total == job.rows_done:
            return f"{job.rows_done:,}"
        return f"{job.rows_done:,} / {job.rows_total:,}"

    @admin.display(description=_("download"))
    def download(self, job: ExportJob) -> str:
        # The owner's only (``own``, from get_queryset); the download view checks again that
        # they may still export the model.
        if not getattr(job, "own", False) or not job.link_works():
            return ""
        app_label, model_name = job.model.lower().split(".", 1)
        try:
            url = reverse(
                f"{self.admin_site.name}:{app_label}_{model_name}_export_download",
                args=[job.pk],
            )
        except NoReverseMatch:
            return ""  # the model's admin no longer exports
        until = date_format(timezone.localtime(job.expires_at), "SHORT_DATETIME_FORMAT")
        return format_html(
            '<a href="{}">{}</a><div class="winiadmin-quiet">{}</div>',
            url,
            _("Download"),
            _("until %(when)s") % {"when": until} if job.expires_at else "",
        )
