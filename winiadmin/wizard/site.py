"""The wizard for the application's own users, outside the admin: the admin's wizard views on a
:class:`UserWizardSite` (docs/user-wizard.md).

A project subclasses :class:`UserWizardSite`, declares the importers it offers and, when rows
belong to someone, the values the user cannot choose (:meth:`UserWizardSite.get_fixed_values`),
and mounts it: ``path("imports/", MyImports().urls)``.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from winiadmin.admin.refusals import refusal_response
from winiadmin.admin.sites import WizardSite
from winiadmin.admin.undo import UndoViews
from winiadmin.admin.wizard import ImportWizard
from winiadmin.exceptions import ImporterNotFound
from winiadmin.importers import Importer, get_importer
from winiadmin.models import ImportJob
from winiadmin.permissions import delete_permissions, holds_import_permissions, owns_job
from winiadmin.wizard.views import JobListViews

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse, HttpResponseBase
    from django.urls import URLPattern

    from winiadmin.permissions import User

#: The URL namespace of the wizard outside the admin (``winiadmin_wizard:winiadmin_importjob_…``).
APP_NAME = "winiadmin_wizard"

#: The page every step extends outside the admin; it extends the site's ``base_template``.
WIZARD_BASE = "winiadmin/wizard_base.html"


class UserWizardSite(WizardSite):
    """The wizard's views for logged-in users holding the importer's permissions (staff or
    not), each seeing their own jobs only. Declare :attr:`importers`: none is offered by
    default."""

    namespace = APP_NAME
    #: The importers offered (names or classes): only these, to users holding their
    #: permissions (``winiadmin.permissions.import_permissions``).
    importers: ClassVar[tuple[str | type[Importer], ...]] = ()
    #: The project's page the wizard is drawn in: blocks ``title``, ``extra_head``,
    #: ``content`` (docs/user-wizard.md). The default is a plain page.
    base_template = "winiadmin/site_base.html"

    def __init__(self, name: str = APP_NAME) -> None:
        self.name = name

    # -- the hook ----------------------------------------------------------------------------

    def get_fixed_values(
        self, request: HttpRequest, importer: type[Importer]
    ) -> Mapping[str, object]:
        """Field name → value set on every row the import creates, in every model of the
        importer that has the field (``{"owner": request.user}``). The file cannot choose them
        (a file column for one is a problem) and an upsert only touches stored rows holding
        them: a key of another owner's row is a problem. Model instances are stored by their
        primary key on the job, so that a background worker applies them too."""
        return {}

    def fixed_values(self, request: HttpRequest, importer: type[Importer]) -> dict[str, Any]:
        """:meth:`get_fixed_values` as the job stores it (a model instance by its key), each
        name checked against the importer's models."""
        stored: dict[str, Any] = {}
        for name, value in self.get_fixed_values(request, importer).items():
            if not any(_has_field(m, name) for m in importer.models):
                msg = f"{type(self).__name__}: no model of {importer.get_name()} has {name!r}."
                raise ImproperlyConfigured(msg)
            stored[name] = value.pk if isinstance(value, Model) else value
        return stored

    # -- the door ----------------------------------------------------------------------------

    @property
    def urls(self) -> tuple[list[URLPattern], str, str]:
        """``path("imports/", site.urls)``, as ``admin.site.urls``."""
        return self.get_urls(), APP_NAME, self.name

    def get_urls(self) -> list[URLPattern]:
        groups = (JobListViews(self), ImportWizard(self), UndoViews(self))
        return [url for group in groups for url in group.get_urls()]

    def wrap[**P](self, view: Callable[P, HttpResponseBase]) -> Callable[P, HttpResponseBase]:
        """Login required (else the login page), CSRF on POST, never cached, a refusal as the
        wizard's 403 page."""

        @wraps(view)
        def door(*args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            request = cast("HttpRequest", args[0])
            request.current_app = self.name
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                return view(*args, **kwargs)
            except PermissionDenied as exc:
                return self.refusal(request, str(exc))

        return never_cache(csrf_protect(door))

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"wizard_base": WIZARD_BASE, "site_base": self.base_template}

    def refusal(self, request: HttpRequest, reason: str) -> HttpResponse:
        context = {
            **self.each_context(request),
            "back_url": self.jobs_url(),
            "back_label": _("Back to your imports"),
            "all_imports_url": self.jobs_url(),
        }
        return refusal_response(request, context, reason)

    # -- who may do what ---------------------------------------------------------------------

    def offered_importers(self) -> list[type[Importer]]:
        found = []
        for importer in self.importers:
            try:
                found.append(get_importer(importer) if isinstance(importer, str) else importer)
            except ImporterNotFound:
                continue  # not registered (yet): nothing to offer
        return found

    def can_import(self, user: User, importer: type[Importer]) -> bool:
        offered = {i.get_name() for i in self.offered_importers()}
        return importer.get_name() in offered and holds_import_permissions(user, importer)

    def offered(self, user: User) -> list[type[Importer]]:
        return [i for i in self.offered_importers() if holds_import_permissions(user, i)]

    def can_view_job(self, user: User, job: ImportJob) -> bool:
        return owns_job(user, job)

    def jobs(self, user: User) -> QuerySet[ImportJob]:
        """The user's own jobs of the offered importers: another user's job is not found."""
        if not (user.is_active and user.is_authenticated):
            return ImportJob.objects.none()
        names = [i.get_name() for i in self.offered_importers()]
        return ImportJob.objects.filter(user_id=cast("int", user.pk), importer__in=names)

    def can_undo(self, user: User, job: ImportJob, labels: list[str]) -> bool:
        return owns_job(user, job) and user.has_perms(delete_permissions(labels))

    def jobs_url(self) -> str:
        return reverse(f"{APP_NAME}:winiadmin_importjob_jobs", current_app=self.name)


def _has_field(model: type[Model], name: str) -> bool:
    return any(name in (f.name, f.attname) for f in model._meta.concrete_fields)
