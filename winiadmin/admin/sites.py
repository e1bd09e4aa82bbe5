"""Where the wizard's views run: what ties them to a site, behind one small object.

The wizard's view groups (:class:`~winiadmin.admin.job_views.JobViews` and its subclasses) ask
their :class:`WizardSite` how to wrap a view (login, CSRF, refusals), what every page's context
starts with (the base template among it), who may use an importer and see a job, and where
their links go. :class:`AdminWizardSite` is the Django admin (``admin_site.admin_view``,
``each_context``, the admin's base template); ``winiadmin.wizard.UserWizardSite`` is the same
views for the application's own users, outside the admin (docs/user-wizard.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse

from winiadmin.admin.refusals import admin_page, refusal_page
from winiadmin.importers import all_importers
from winiadmin.models import ImportJob
from winiadmin.permissions import can_import, can_undo, can_view_job, visible_jobs

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from django.contrib.admin import AdminSite, ModelAdmin
    from django.db.models import Model, QuerySet
    from django.http import HttpRequest, HttpResponse, HttpResponseBase

    from winiadmin.importers import Importer
    from winiadmin.permissions import User

#: The wizard's URL names start with this (``admin:winiadmin_importjob_job``…).
URL_PREFIX = "winiadmin_importjob_"

#: The template every wizard page extends on the admin.
ADMIN_BASE = "admin/winiadmin/base.html"


class WizardSite:
    """What the wizard's views need of the site they run on. Subclasses: the admin, the
    application's own users."""

    #: The URL namespace the views are reversed in (``admin`` for an admin site).
    namespace: str = ""
    #: The instance namespace (``current_app``): the site's name.
    name: str = ""
    #: Jobs are their user's alone (``ImportJob.user_scoped``): the importer's shared value
    #: mappings are neither offered nor applied. False only for the admin.
    user_scoped: bool = True

    def wrap[**P](self, view: Callable[P, HttpResponseBase]) -> Callable[P, HttpResponseBase]:
        """``view`` behind the site's door: login, permissions refused as a page, CSRF."""
        raise NotImplementedError

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        """What every page's context starts with; ``wizard_base``: the template pages extend."""
        raise NotImplementedError

    def refusal(self, request: HttpRequest, reason: str) -> HttpResponse:
        """The page (HTTP 403) answering a refused step, with the reason."""
        raise NotImplementedError

    # -- who may do what --------------------------------------------------------------------

    def can_import(self, user: User, importer: type[Importer]) -> bool:
        raise NotImplementedError

    def offered(self, user: User) -> list[type[Importer]]:
        """The importers the chooser lists for ``user``."""
        raise NotImplementedError

    def can_view_job(self, user: User, job: ImportJob) -> bool:
        raise NotImplementedError

    def jobs(self, user: User) -> QuerySet[ImportJob]:
        """The jobs ``user`` sees on this site (as :meth:`can_view_job` decides one)."""
        raise NotImplementedError

    def findable_jobs(self, user: User) -> QuerySet[ImportJob]:
        """Where a job's page looks its job up: a job outside is not found (404); one inside
        that :meth:`can_view_job` refuses is a refusal with its reason (403)."""
        return self.jobs(user)

    def can_undo(self, user: User, job: ImportJob, labels: list[str]) -> bool:
        raise NotImplementedError

    def fixed_values(self, request: HttpRequest, importer: type[Importer]) -> Mapping[str, Any]:
        """Field values set on every row the job creates, which the file cannot choose."""
        return {}

    # -- links ------------------------------------------------------------------------------

    def url(self, name: str, *args: object) -> str:
        """The URL of the wizard's view ``name`` on this site."""
        return reverse(f"{self.namespace}:{URL_PREFIX}{name}", args=args, current_app=self.name)

    def jobs_url(self) -> str:
        """The list of the user's imports."""
        raise NotImplementedError

    def changelist_url(self, model: type[Model]) -> str:
        """Where the model's rows are listed on this site; ``""``: nowhere."""
        return ""

    def is_registered(self, model: type[Model]) -> bool:
        """Whether the site has pages of ``model`` (the admin's breadcrumbs link to them)."""
        return False

    def model_admin(self, model: type[Model]) -> ModelAdmin[Any] | None:
        """``model``'s ``ModelAdmin`` on this site (the value mappings search with it), if any."""
        return None


class AdminWizardSite(WizardSite):
    """The wizard inside a Django admin site: its ``admin_view`` (login, active staff, CSRF),
    its ``each_context``, its base template, winiadmin's permission functions."""

    namespace = "admin"
    user_scoped = False

    def __init__(self, admin_site: AdminSite) -> None:
        self.admin_site = admin_site
        self.name = admin_site.name

    def wrap[**P](self, view: Callable[P, HttpResponseBase]) -> Callable[P, HttpResponseBase]:
        return admin_page(self.admin_site, view)

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "wizard_base": ADMIN_BASE}

    def refusal(self, request: HttpRequest, reason: str) -> HttpResponse:
        return refusal_page(request, self.admin_site, reason)

    def can_import(self, user: User, importer: type[Importer]) -> bool:
        return can_import(user, importer)

    def offered(self, user: User) -> list[type[Importer]]:
        return [i for i in all_importers() if can_import(user, i)]

    def can_view_job(self, user: User, job: ImportJob) -> bool:
        return can_view_job(user, job)

    def jobs(self, user: User) -> QuerySet[ImportJob]:
        return visible_jobs(user)

    def findable_jobs(self, user: User) -> QuerySet[ImportJob]:
        """Every job: another user's is refused with the reason, as before."""
        return ImportJob.objects.all()

    def can_undo(self, user: User, job: ImportJob, labels: list[str]) -> bool:
        return can_undo(user, job, labels)

    def jobs_url(self) -> str:
        return reverse(f"admin:{URL_PREFIX}changelist", current_app=self.name)

    def changelist_url(self, model: type[Model]) -> str:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        try:
            return reverse(name, current_app=self.name)
        except NoReverseMatch:  # the model is not registered with this admin site
            return ""

    def is_registered(self, model: type[Model]) -> bool:
        return self.admin_site.is_registered(model)

    def model_admin(self, model: type[Model]) -> ModelAdmin[Any] | None:
        if not self.admin_site.is_registered(model):
            return None
        return self.admin_site.get_model_admin(model)
