from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WiniadminConfig(AppConfig):
    name = "winiadmin"
    verbose_name = _("Imports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers the system checks and the settings-change receiver.
        from winiadmin import checks, conf  # noqa: F401, PLC0415
        from winiadmin.importers.registry import autodiscover  # noqa: PLC0415

        autodiscover()
