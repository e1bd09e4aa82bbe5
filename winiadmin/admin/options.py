"""``ImportMixin``: an Import button on a model's changelist, leading into the wizard."""

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from winiadmin.admin.job_views import wizard_url
from winiadmin.admin.refusals import admin_page
from winiadmin.importers import Importer, get_importer, importers_for_model, offer_model
from winiadmin.permissions import User, can_import

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite, ModelAdmin
    from django.db.models import Model

    _Base = ModelAdmin[Model]
else:
    _Base = object


class ImportMixin(_Base):
    """Mix into a ``ModelAdmin`` before it: ``class ProductAdmin(ImportMixin, admin.ModelAdmin)``.

    ``importers`` names the importers offered (classes or registered names); by default every
    registered importer that creates this model, or, when none does, the importer derived from
    the model (``ModelImporter``, docs/importers.md). Users see only those they may use.
    """

    change_list_template = "admin/winiadmin/change_list.html"
    importers: ClassVar[tuple[type[Importer] | str, ...]] = ()

    def __init__(self, model: "type[Model]", admin_site: "AdminSite") -> None:
        super().__init__(model, admin_site)
        if not self.importers:
            # Zero configuration: the registry offers the model's derived importer under its
            # label to every door (wizard, workers) while no registered importer writes it.
            offer_model(model)

    def get_importers(self, request: HttpRequest) -> list[type[Importer]]:
        declared = [get_importer(i) if isinstance(i, str) else i for i in self.importers]
        candidates = declared or importers_for_model(self.model)
        user: User = request.user
        return [importer for importer in candidates if can_import(user, importer)]

    def has_import_permission(self, request: HttpRequest) -> bool:
        return bool(self.get_importers(request))

    def get_urls(self) -> list[URLPattern]:
        info = (self.model._meta.app_label, self.model._meta.model_name)
        return [
            path(
                "import/",
                admin_page(self.admin_site, self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """One importer: straight to its upload step; several: the chooser."""
        importers = self.get_importers(request)
        if not importers:
            name = self.model._meta.verbose_name_plural
            raise PermissionDenied(
                _("You may not import %(name)s: no importer of them is open to you.")
                % {"name": name}
            )
        query = urlencode({"model": self.model._meta.label})
        if len(importers) == 1:
            url = wizard_url(self.admin_site, "start", importers[0].get_name())
        else:
            url = wizard_url(self.admin_site, "importers")
        return HttpResponseRedirect(f"{url}?{query}")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if self.has_import_permission(request):
            info = (self.model._meta.app_label, self.model._meta.model_name)
            extra_context = {
                **(extra_context or {}),
                "winiadmin_import_url": reverse(
                    "admin:{}_{}_import".format(*info), current_app=self.admin_site.name
                ),
            }
        return super().changelist_view(request, extra_context)
