"""Who may import with which importer, and who may see which job. One place, used everywhere."""

from typing import TYPE_CHECKING, Protocol, cast

from django.apps import apps
from django.db.models import Model

from winiadmin.importers import Importer
from winiadmin.models import ExportJob, ImportJob

if TYPE_CHECKING:
    from django.db.models import QuerySet


class User(Protocol):
    """What the checks need of ``request.user`` (a user model or ``AnonymousUser``)."""

    @property
    def pk(self) -> object: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_staff(self) -> bool: ...
    @property
    def is_authenticated(self) -> bool: ...
    def has_perm(self, perm: str, obj: Model | None = None) -> bool: ...
    def has_perms(self, perm_list: list[str], obj: Model | None = None) -> bool: ...


VIEW_ALL_JOBS = "winiadmin.view_all_importjobs"


def user_id(user: User | None) -> int | None:
    """The id to store for ``user`` (a job's owner, who undid it…); ``None`` for nobody."""
    if user is None or not user.is_authenticated:
        return None
    return cast("int", user.pk)


def add_permissions(importer: type[Importer]) -> list[str]:
    """``<app>.add_<model>`` for every model the importer creates, then its extra permissions."""
    adds = [_codename("add", m) for m in importer.models]
    return [*adds, *importer.permission_required]


def change_permissions(importer: type[Importer]) -> list[str]:
    """``<app>.change_<model>`` for every model the importer upserts (its ``upsert_keys``)."""
    return [_codename("change", m) for m in importer.models if m in importer.upsert_keys]


def import_permissions(importer: type[Importer]) -> list[str]:
    """Every permission using the importer needs: add on each of its models, change on each
    model it upserts (an upsert updates stored rows), its ``permission_required``."""
    return [*add_permissions(importer), *change_permissions(importer)]


def can_import(user: User, importer: type[Importer]) -> bool:
    """Active staff holding every permission the importer needs (superusers hold all)."""
    if not (user.is_active and user.is_staff):
        return False
    return holds_import_permissions(user, importer)


def holds_import_permissions(user: User, importer: type[Importer]) -> bool:
    """An active, logged-in user holding every permission the importer needs, staff or not
    (the wizard outside the admin, ``winiadmin.wizard``; the admin adds the staff check)."""
    if not (user.is_active and user.is_authenticated):
        return False
    return bool(importer.models) and user.has_perms(import_permissions(importer))


def owns_job(user: User, job: ImportJob) -> bool:
    """The job is ``user``'s own (outside the admin a user sees no other job, whatever their
    permissions)."""
    return user.is_active and user.is_authenticated and job.user_id == user.pk


def export_permissions(model: type[Model]) -> list[str]:
    """Either of these lets a user export a model's rows: seeing them is enough (Django's
    admin lets a user with the change permission see them too)."""
    return [_codename("view", model), _codename("change", model)]


def can_export(user: User, model: type[Model]) -> bool:
    """Active staff who may see the model's rows (superusers may)."""
    return can_view_model(user, model)


def can_view_model(user: User, model: type[Model]) -> bool:
    """Active staff with the view (or change) permission on ``model``: who may search its rows
    (the exports, the value mappings' choice of a row)."""
    if not (user.is_active and user.is_staff):
        return False
    return any(user.has_perm(perm) for perm in export_permissions(model))


def can_add_model(user: User, model: type[Model]) -> bool:
    """Active staff with the add permission on ``model``: who may choose to create its rows
    one by one in the preview (winiadmin.jobs.create_choices)."""
    if not (user.is_active and user.is_staff):
        return False
    return user.has_perm(_codename("add", model))


def can_see_export(user: User, job: ExportJob) -> bool:
    """Their own export jobs, while they may still export the model."""
    if job.user_id is None or job.user_id != user.pk:
        return False
    return can_export(user, apps.get_model(job.model))


def _codename(action: str, model: type[Model]) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def can_view_job(user: User, job: ImportJob) -> bool:
    """Their own jobs, or everybody's with ``view_all_importjobs``."""
    if not (user.is_active and user.is_staff):
        return False
    return job.user_id == user.pk or user.has_perm(VIEW_ALL_JOBS)


def visible_jobs(user: User) -> "QuerySet[ImportJob]":
    """The jobs :func:`can_view_job` lets ``user`` see, as a query (the API's job list)."""
    if not (user.is_active and user.is_staff):
        return ImportJob.objects.none()
    if user.has_perm(VIEW_ALL_JOBS):
        return ImportJob.objects.all()
    return ImportJob.objects.filter(user_id=cast("int", user.pk))


def delete_permissions(labels: list[str]) -> list[str]:
    """``<app>.delete_<model>`` for every model label (``app_label.ModelName``)."""
    opts = [apps.get_model(label)._meta for label in labels]
    return [f"{o.app_label}.delete_{o.model_name}" for o in opts]


def can_undo(user: User, job: ImportJob, labels: list[str]) -> bool:
    """Who sees the job and may delete rows of every model the undo deletes from."""
    return can_view_job(user, job) and user.has_perms(delete_permissions(labels))
