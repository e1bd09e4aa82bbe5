"""Importers are registered once and found by name, by the admin and by the commands alike."""

from django.utils.module_loading import autodiscover_modules


def autodiscover() -> None:
    """Import every installed app's ``importers`` module, as the admin does with ``admin``."""
    autodiscover_modules("importers")
