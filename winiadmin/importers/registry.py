"""Importers are registered once and found by name, by the admin and by the commands alike."""

from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.utils.module_loading import autodiscover_modules

from winiadmin.exceptions import ImporterNotFound

if TYPE_CHECKING:
    from winiadmin.importers.base import Importer

_registry: dict[str, type["Importer"]] = {}


def register[T: "Importer"](importer: type[T]) -> type[T]:
    """Class decorator: make an importer available under :meth:`Importer.get_name`."""
    name = importer.get_name()
    existing = _registry.get(name)
    if existing is not None and existing is not importer:
        msg = (
            f"Two importers are named {name!r}: "
            f"{existing.__qualname__} and {importer.__qualname__}."
        )
        raise ImproperlyConfigured(msg)
    _registry[name] = importer
    return importer


def unregister(importer: type["Importer"]) -> None:
    _registry.pop(importer.get_name(), None)


def get_importer(name: str) -> type["Importer"]:
    try:
        return _registry[name]
    except KeyError:
        known = ", ".join(sorted(_registry)) or "none are registered"
        msg = f"No importer is named {name!r} (known: {known})."
        raise ImporterNotFound(msg) from None


def all_importers() -> list[type["Importer"]]:
    return [_registry[name] for name in sorted(_registry)]


def importers_for_model(model: type[Model]) -> list[type["Importer"]]:
    return [importer for importer in all_importers() if model in importer.models]


def autodiscover() -> None:
    """Import every installed app's ``importers`` module, as the admin does with ``admin``."""
    autodiscover_modules("importers")
