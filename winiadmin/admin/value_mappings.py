"""Values not found, mapped to existing rows in the preview (:mod:`winiadmin.jobs.value_mappings`),
and the admin of the saved value and column mappings.

Both routes need a user who may see the job and use its importer (``JobViews._job``) and who may
view the related model (403 otherwise). The search answers an HTMX fragment: at most
``SEARCH_LIMIT`` rows, found by the related ModelAdmin's ``get_search_results`` (its
``search_fields``) when the model is registered on this admin site, else by its natural key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from winiadmin.admin.job_views import JobViews, Route, user_of
from winiadmin.jobs.background import start_validation
from winiadmin.jobs.edits import EditRefused, can_edit
from winiadmin.jobs.runner import JobStateError
from winiadmin.jobs.value_mappings import map_value, mappable, target_model
from winiadmin.permissions import can_view_model

if TYPE_CHECKING:
    from uuid import UUID

    from django.db.models import Model, QuerySet
    from django.http import HttpRequest, HttpResponse

    from winiadmin.admin.sites import WizardSite
    from winiadmin.import_report import ImportReport
    from winiadmin.models import ImportJob, SavedColumnMapping, ValueMapping

    _ValueMappingAdmin = admin.ModelAdmin[ValueMapping]
    _ColumnMappingAdmin = admin.ModelAdmin[SavedColumnMapping]
else:  # ModelAdmin is generic for the type checker only
    _ValueMappingAdmin = _ColumnMappingAdmin = admin.ModelAdmin

#: Rows the search offers at most.
SEARCH_LIMIT = 20
#: Characters of the search text read at most.
MAX_QUERY = 200


class ValueMappingViews(JobViews):
    """Map a value not found to an existing row: the search and the choice."""

    def routes(self) -> list[Route]:
        return [
            *super().routes(),
            ("<uuid:job_id>/map/", self.map_view, "map_value"),
            ("<uuid:job_id>/map/search/", self.map_search_view, "map_search"),
        ]

    def _target(self, request: HttpRequest, job: ImportJob, key: str) -> tuple[Any, type[Model]]:
        if job.user_scoped:
            raise PermissionDenied(_("Values are mapped in the admin only."))
        try:
            unmatched = mappable(job, key)
        except EditRefused as exc:
            raise PermissionDenied(str(exc)) from exc
        model = target_model(unmatched)
        if not can_view_model(user_of(request), model):
            raise PermissionDenied(
                _("You may not view %(name)s.") % {"name": model._meta.verbose_name_plural}
            )
        return unmatched, model

    def map_search_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        unmatched, model = self._target(request, job, request.GET.get("key", ""))
        query = request.GET.get("q", "")[:MAX_QUERY].strip()
        rows = self._search(request, model, unmatched.by, query) if query else []
        context = {
            "rows": [(row.pk, str(getattr(row, unmatched.by, row)), str(row)) for row in rows],
            "query": query,
            "name": unmatched.verbose_name,
        }
        return TemplateResponse(request, "admin/winiadmin/_map_choices.html", context)

    def _search(self, request: HttpRequest, model: type[Model], by: str, query: str) -> list[Model]:
        model_admin = self.site.model_admin(model)
        if model_admin is not None and model_admin.get_search_fields(request):
            # The rows the model's admin shows this user, searched as its changelist searches.
            queryset: QuerySet[Model] = model_admin.get_queryset(request)
            queryset, _duplicates = model_admin.get_search_results(request, queryset, query)
            queryset = queryset.distinct()
        else:
            queryset = model._default_manager.filter(**{f"{by}__icontains": query})
        return list(queryset.order_by(by)[:SEARCH_LIMIT])

    def map_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._map)(request, job_id)

    def _map(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        key = request.POST.get("key", "")
        self._target(request, job, key)
        try:
            mapping = map_value(
                job,
                user_of(request),
                key,
                request.POST.get("value", ""),
                request.POST.get("pk", ""),
            )
        except EditRefused as exc:
            messages.error(request, str(exc))
            return self.redirect_to_job(request, job)
        messages.success(
            request,
            _("“%(value)s” is mapped to “%(target)s”; the whole file is checked again.")
            % {"value": mapping.value, "target": mapping.target_label},
        )
        try:
            start_validation(job)  # here, or queued for a worker (BACKGROUND_THRESHOLD)
        except JobStateError as exc:
            messages.warning(request, str(exc))
        return self.redirect_to_job(request, job)


def mapping_context(
    site: WizardSite, request: HttpRequest, job: ImportJob, report: ImportReport
) -> dict[str, Any]:
    """``mappable_keys``: the lookups whose values this user may map now; ``mappings_url``: the
    saved value mappings of the job's importer (``""``: not on this admin site, or the user may
    not view them)."""
    user = user_of(request)
    keys: set[str] = set()
    if job.user_scoped:  # the shared mappings are the admin's
        return {"mappable_keys": keys, "mappings_url": ""}
    if can_edit(job):
        for unmatched in report.unmatched:
            if not unmatched.key or unmatched.reference or unmatched.created:
                continue
            try:
                model = target_model(unmatched)
            except LookupError:
                continue
            if can_view_model(user, model):
                keys.add(unmatched.key)
    url = ""
    if user.has_perm("winiadmin.view_valuemapping"):  # else the link would only be refused
        try:
            url = reverse("admin:winiadmin_valuemapping_changelist", current_app=site.name)
            url += "?" + urlencode({"importer": job.importer})
        except NoReverseMatch:
            url = ""
    return {"mappable_keys": keys, "mappings_url": url}


class ValueMappingAdmin(_ValueMappingAdmin):
    """The saved value mappings: reviewed, filtered by importer, deleted (nothing else)."""

    list_display = ["value", "target_label", "column", "importer", "user", "updated_at"]
    list_filter = ["importer", "lookup"]
    search_fields = ["value", "target_label", "column"]
    fields = (
        "importer", "lookup", "column", "value", "target_model", "target_pk", "target_label",
        "user", "updated_at",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made in the preview, where the value was found

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SavedColumnMappingAdmin(_ColumnMappingAdmin):
    """The saved column mappings: reviewed, filtered by importer, deleted (nothing else)."""

    list_display = ["importer", "__str__", "user", "updated_at"]
    list_filter = ["importer"]
    search_fields = ["importer", "user__username"]
    fields = ("importer", "headers", "mapping", "fingerprint", "user", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made in the wizard's columns step

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
