"""Values not found, chosen one by one in the preview to be created
(:mod:`winiadmin.jobs.create_choices`), or that choice taken back.

Both routes need a user who may see the job and use its importer (``JobViews._job``) and who
holds the add permission on the related model (403 otherwise); a job started outside the admin
(``ImportJob.user_scoped``) is refused, like the value mappings: there the confirm's "create the
missing rows" is the only way to create them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from winiadmin.admin.job_views import JobViews, Route, user_of
from winiadmin.jobs.background import start_validation
from winiadmin.jobs.create_choices import (
    choose_create,
    chosen_lookup,
    creatable,
    take_back_create,
)
from winiadmin.jobs.edits import EditRefused, can_edit
from winiadmin.jobs.runner import JobStateError
from winiadmin.jobs.value_mappings import target_model
from winiadmin.permissions import can_add_model

if TYPE_CHECKING:
    from uuid import UUID

    from django.http import HttpRequest, HttpResponse

    from winiadmin.import_report import ImportReport
    from winiadmin.models import ImportJob


class CreateChoiceViews(JobViews):
    """Create a value not found when the job runs, or take that choice back."""

    def routes(self) -> list[Route]:
        return [
            *super().routes(),
            ("<uuid:job_id>/create-value/", self.create_value_view, "create_value"),
            ("<uuid:job_id>/create-value/back/", self.take_back_view, "take_back_create"),
        ]

    def create_value_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._create_value)(request, job_id)

    def take_back_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._take_back)(request, job_id)

    def _lookup(self, request: HttpRequest, job: ImportJob, key: str, *, chosen: bool) -> None:
        if job.user_scoped:
            raise PermissionDenied(_("Values are created one by one in the admin only."))
        try:
            unmatched = chosen_lookup(job, key) if chosen else creatable(job, key)
        except EditRefused as exc:
            raise PermissionDenied(str(exc)) from exc
        model = target_model(unmatched)
        if not can_add_model(user_of(request), model):
            raise PermissionDenied(
                _("You may not add %(name)s.") % {"name": model._meta.verbose_name_plural}
            )

    def _create_value(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return self._choose(request, job_id, chosen=False)

    def _take_back(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return self._choose(request, job_id, chosen=True)

    def _choose(self, request: HttpRequest, job_id: UUID, *, chosen: bool) -> HttpResponse:
        """Create the posted value (``chosen``: take that choice back), then check again."""
        job, _importer = self._job(request, job_id)
        key, value = request.POST.get("key", ""), request.POST.get("value", "")
        self._lookup(request, job, key, chosen=chosen)
        change = take_back_create if chosen else choose_create
        try:
            unmatched = change(job, user_of(request), key, value)
        except EditRefused as exc:
            messages.error(request, str(exc))
            return self.redirect_to_job(request, job)
        text = (
            _("%(model)s “%(value)s” will not be created; the whole file is checked again.")
            if chosen
            else _("%(model)s “%(value)s” will be created; the whole file is checked again.")
        )
        messages.success(
            request, text % {"model": unmatched.verbose_name.capitalize(), "value": value}
        )
        return self._checked_again(request, job)

    def _checked_again(self, request: HttpRequest, job: ImportJob) -> HttpResponse:
        try:
            start_validation(job)  # here, or queued for a worker (BACKGROUND_THRESHOLD)
        except JobStateError as exc:
            messages.warning(request, str(exc))
        return self.redirect_to_job(request, job)


def create_choice_context(
    request: HttpRequest, job: ImportJob, report: ImportReport
) -> dict[str, Any]:
    """``creatable_keys``: the lookups whose values this user may choose to create (or take
    back) now; ``create_values``: the job's choices (lookup key → values)."""
    keys: set[str] = set()
    chosen = {k: set(v) for k, v in job.create_values.items()}
    if job.user_scoped or not can_edit(job):
        return {"creatable_keys": keys, "create_values": chosen}
    user = user_of(request)
    for unmatched in report.unmatched:
        if not unmatched.key or unmatched.reference or not unmatched.can_create:
            continue
        try:
            model = target_model(unmatched)
        except LookupError:
            continue
        if can_add_model(user, model):
            keys.add(unmatched.key)
    return {"creatable_keys": keys, "create_values": chosen}
