"""``ExportMixin``: an Export button on a model's changelist and an "Export selected" action.

The file has the columns of the model's importer (:mod:`winiadmin.exports`), so it imports back
unchanged; the rows are the changelist's (its filters, search and ordering) or the selected
ones. The view permission on the model is required (:func:`winiadmin.permissions.can_export`).
"""

from __future__ import annotations

import os
import tempfile
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseGone,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from winiadmin.admin.export_jobs import download, progress_page
from winiadmin.admin.forms import ExportForm
from winiadmin.admin.refusals import admin_page
from winiadmin.admin.templates import template_candidates
from winiadmin.exceptions import WiniadminError
from winiadmin.exports import (
    ExportColumns,
    ExportOptions,
    check_rows,
    export_columns,
    export_queryset,
    importers_exporting,
)
from winiadmin.importers import Importer, get_importer
from winiadmin.jobs.dead_exports import sweep_dead_exports
from winiadmin.jobs.dispatch import send_export
from winiadmin.jobs.exports import cancel_export, create_export_job, runs_export_in_background
from winiadmin.models import ExportJob
from winiadmin.permissions import User, can_export, can_see_export, user_id
from winiadmin.spreadsheets import CONTENT_TYPES

if TYPE_CHECKING:
    from uuid import UUID

    from django.contrib.admin import AdminSite, ModelAdmin
    from django.db.models import Model, QuerySet

    _Base = ModelAdmin[Model]
else:
    _Base = object

#: Query parameters of the changelist that are not about which rows it shows.
_NOT_FILTERS = ("p", "e", "_changelist_filters")


class ExportMixin(_Base):
    """Mix into a ``ModelAdmin`` before it: ``class ProductAdmin(ExportMixin, ImportMixin,
    admin.ModelAdmin)``.

    ``export_importer`` names the importer whose columns the file has (a class or registered
    name); by default the first importer whose files hold the model's rows (the last model it
    writes, :func:`winiadmin.exports.exported_model`), else the model's derived importer.
    """

    change_list_template = "admin/winiadmin/change_list.html"
    export_importer: ClassVar[type[Importer] | str | None] = None

    def get_export_importer(self) -> type[Importer]:
        chosen = self.export_importer
        if isinstance(chosen, str):
            return get_importer(chosen)
        if chosen is not None:
            return chosen
        return importers_exporting(self.model)[0]

    def get_export_columns(self) -> ExportColumns:
        return export_columns(self.get_export_importer(), self.model)

    def has_export_permission(self, request: HttpRequest) -> bool:
        user: User = request.user
        return can_export(user, self.model)

    def get_urls(self) -> list[URLPattern]:
        info = (self.model._meta.app_label, self.model._meta.model_name)
        return [
            path(
                "export/",
                admin_page(self.admin_site, self.export_view),
                name="{}_{}_export".format(*info),
            ),
            path(
                "export/<uuid:job_id>/",
                admin_page(self.admin_site, self.export_job_view),
                name="{}_{}_export_job".format(*info),
            ),
            path(
                "export/<uuid:job_id>/cancel/",
                admin_page(self.admin_site, self.export_cancel_view),
                name="{}_{}_export_cancel".format(*info),
            ),
            path(
                "export/<uuid:job_id>/download/",
                admin_page(self.admin_site, self.export_download_view),
                name="{}_{}_export_download".format(*info),
            ),
            *super().get_urls(),
        ]

    def export_url(self, view: str = "export", *args: object) -> str:
        info = (self.model._meta.app_label, self.model._meta.model_name, view)
        return reverse("admin:{}_{}_{}".format(*info), args=args, current_app=self.admin_site.name)

    def __init__(self, model: type[Model], admin_site: AdminSite) -> None:
        super().__init__(model, admin_site)
        # The action beside the admin's own (the permission filter asks has_export_permission),
        # unless the admin turned actions off.
        if self.actions is not None and "export_selected" not in self.actions:
            self.actions = (*self.actions, "export_selected")

    @admin.action(
        description=gettext_lazy("Export selected %(verbose_name_plural)s"),
        permissions=["export"],
    )
    def export_selected(self, request: HttpRequest, queryset: QuerySet[Model]) -> HttpResponse:
        headers = self.get_export_columns().headers
        if request.POST.get("select_across") == "1":
            # "Select all N": the list's rows, by its query string (not N keys in a form).
            return self._export_page(request, ExportForm(headers=headers), queryset.count())
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        return self._export_page(request, ExportForm(headers=headers, ids=ids), len(ids))

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        """GET: the format and columns to choose; POST: the file."""
        if not self.has_export_permission(request):
            name = self.model._meta.verbose_name_plural
            raise PermissionDenied(_("You may not export %(name)s.") % {"name": name})
        columns = self.get_export_columns()
        if request.method != "POST":
            form = ExportForm(headers=columns.headers)
            return self._export_page(request, form, self._rows(request, []).count())
        form = ExportForm(request.POST, headers=columns.headers)
        ids = request.POST.getlist("ids")
        if not form.is_valid():
            return self._export_page(request, form, self._rows(request, ids).count())
        chosen = columns.chosen(form.cleaned_data["columns"])
        rows, fmt = self._rows(request, ids), form.cleaned_data["format"]
        count = rows.count()
        try:
            check_rows(fmt, count)  # XLSX: one sheet's rows
        except WiniadminError as exc:
            form.add_error("format", str(exc))
            return self._export_page(request, form, count)
        if runs_export_in_background(count):
            job = create_export_job(
                user_id=user_id(request.user),
                rows=rows,
                importer=self.get_export_importer().get_name(),
                columns=chosen,
                fmt=fmt,
                file_name=self._file_name(fmt),
            )
            # Once the job's row is committed: a worker on another connection must find it.
            transaction.on_commit(partial(send_export, job.pk))
            return HttpResponseRedirect(self.export_url("export_job", job.pk))
        try:
            return self._file_response(rows, chosen, fmt)
        except WiniadminError as exc:  # a cell the format cannot hold, named
            form.add_error(None, str(exc))
            return self._export_page(request, form, count)

    def _export_job(self, request: HttpRequest, job_id: UUID) -> ExportJob:
        """The user's own export of this model, else a refusal (404 when there is none)."""
        job = get_object_or_404(ExportJob, pk=job_id, model=self.model._meta.label)
        user: User = request.user
        if not can_see_export(user, job):
            raise PermissionDenied(
                _("This export is not yours, or you may no longer see its rows.")
            )
        return job

    def export_job_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job = self._export_job(request, job_id)
        sweep_dead_exports(job=job)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "target_opts": self.model._meta,
            "cancel_url": self.export_url("export_cancel", job.pk),
            "download_url": self.export_url("export_download", job.pk),
        }
        return progress_page(request, context, self.model, job)

    def export_cancel_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job = self._export_job(request, job_id)
        if request.method == "POST":
            cancel_export(job)
        return HttpResponseRedirect(self.export_url("export_job", job.pk))

    def export_download_view(self, request: HttpRequest, job_id: UUID) -> HttpResponseBase:
        job = self._export_job(request, job_id)
        if not job.link_works():
            return HttpResponseGone(_("This download link has expired: export again."))
        return download(job)

    def _rows(self, request: HttpRequest, ids: list[str]) -> QuerySet[Model]:
        """The selected rows, else the changelist's (the filters are in the query string)."""
        if ids:
            ordering = self.get_ordering(request) or ("pk",)
            return self.get_queryset(request).filter(pk__in=ids).order_by(*ordering)
        changelist = self.get_changelist_instance(request)
        return changelist.get_queryset(request)

    def _file_response(
        self, rows: QuerySet[Model], columns: ExportColumns, fmt: str
    ) -> FileResponse:
        handle, name = tempfile.mkstemp(prefix="winiadmin-export-", suffix=f".{fmt}")
        os.close(handle)
        out = Path(name)
        try:
            export_queryset(rows, columns, out, ExportOptions(fmt))
            # Open, then unlink: the response streams the file from disk, which goes with it.
            stream = out.open("rb")
        finally:
            out.unlink(missing_ok=True)
        return FileResponse(
            stream,
            as_attachment=True,
            filename=self._file_name(fmt),
            content_type=CONTENT_TYPES[fmt],
        )

    def _file_name(self, fmt: str) -> str:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return get_valid_filename(f"{self.model._meta.model_name}-{stamp}.{fmt}")

    def _export_page(self, request: HttpRequest, form: ExportForm, count: int) -> HttpResponse:
        opts = self.model._meta
        query = request.GET.copy()
        for name in _NOT_FILTERS:
            query.pop(name, None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export %(name)s") % {"name": opts.verbose_name_plural},
            "opts": opts,
            "target_opts": opts,
            "form": form,
            "row_count": count,
            "selected": bool(form.initial.get("ids")) or "ids" in form.data,
            "left_out": self.get_export_columns().left_out,
            "importer": self.get_export_importer(),
            "action_url": self.export_url() + (f"?{query.urlencode()}" if query else ""),
        }
        return TemplateResponse(request, template_candidates("export", self.model), context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if self.has_export_permission(request):
            query = request.GET.copy()
            for name in _NOT_FILTERS:
                query.pop(name, None)
            url = self.export_url() + (f"?{query.urlencode()}" if query else "")
            extra_context = {**(extra_context or {}), "winiadmin_export_url": url}
        return super().changelist_view(request, extra_context)
