"""The API's one door: which importer and which job a user may reach, with the wizard's rules
(``winiadmin.permissions``: active staff holding the importer's permissions; their own jobs,
or every job with ``view_all_importjobs``; undo needs delete on what it deletes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from winiadmin.api.errors import forbidden, not_found
from winiadmin.exceptions import ImporterNotFound
from winiadmin.importers import Importer, all_importers, get_importer
from winiadmin.models import ImportJob
from winiadmin.permissions import can_import, can_undo, can_view_job, visible_jobs

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from winiadmin.jobs.undo import UndoPlan
    from winiadmin.permissions import User


def usable_importers(user: User) -> list[type[Importer]]:
    return [i for i in all_importers() if can_import(user, i)]


def importer_for(user: User, name: str) -> type[Importer]:
    try:
        importer = get_importer(name)
    except ImporterNotFound as exc:
        raise not_found(str(exc)) from exc
    if not can_import(user, importer):
        raise forbidden(_("You may not import with this importer."))
    return importer


def visible_job(user: User, job_id: str) -> ImportJob:
    """The job, if the user may see it (undo and reading need no importer permission)."""
    try:
        job = ImportJob.objects.filter(pk=job_id).first()
    except ValidationError:  # not a UUID
        job = None
    if job is None:
        raise not_found(_("No such import job."))
    if not can_view_job(user, job):
        raise forbidden(_("This import belongs to another user."))
    return job


def usable_job(user: User, job_id: str) -> tuple[ImportJob, type[Importer]]:
    """The job and its importer, if the user may see the job and use the importer."""
    job = visible_job(user, job_id)
    return job, importer_for(user, job.importer)


def job_list(user: User) -> QuerySet[ImportJob]:
    """The jobs the user sees, newest first."""
    return visible_jobs(user).order_by("-created_at")


def check_undo(user: User, job: ImportJob, plan: UndoPlan) -> None:
    if not can_undo(user, job, plan.labels):
        raise forbidden(_("You may not delete what this import created."))
