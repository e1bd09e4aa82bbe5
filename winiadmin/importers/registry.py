"""Importers are registered once and found by name, by the admin and by the commands alike.

A model can also be *offered* (:func:`offer_model`, what the admin's ``ImportMixin`` does for
its model): while no registered importer writes it, the importer derived from the model
(:func:`~winiadmin.importers.model.model_importer`, named after it: ``shop.Product``) is found
like a registered one, by every door (wizard, background workers, commands). An explicit
importer still wins: once one writes the model, the derived one is no longer offered.
"""

from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from winiadmin.exceptions import ImporterNotFound
from winiadmin.importers.model import model_importer

if TYPE_CHECKING:
    from winiadmin.importers.base import Importer

_registry: dict[str, type["Importer"]] = {}
#: Models whose derived importer is offered while no registered importer writes them.
_offered: dict[str, type[Model]] = {}


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


def offer_model(model: type[Model]) -> None:
    """Offer ``model``'s derived importer while no registered importer writes it."""
    _offered[model._meta.label] = model


def _derived() -> dict[str, type["Importer"]]:
    """The offered models' derived importers, by name, where no registered one writes them."""
    registered = list(_registry.values())
    return {
        label: model_importer(model)
        for label, model in _offered.items()
        if not any(model in importer.models for importer in registered)
    }


def get_importer(name: str) -> type["Importer"]:
    found = _registry.get(name) or _derived().get(name)
    if found is not None:
        return found
    known = ", ".join(sorted(_registry | _derived())) or _("none are registered")
    msg = _("No importer is named %(name)r (known: %(known)s).") % {"name": name, "known": known}
    raise ImporterNotFound(msg)


def find_importer(name: str) -> type["Importer"]:
    """An importer by name, else by model label (``app_label.Model``, any model): the one
    registered importer writing it, or the importer derived from it when none does. For the
    commands, whose users reach the database anyway; the admin offers only what
    :func:`get_importer` finds."""
    try:
        return get_importer(name)
    except ImporterNotFound as not_found:
        try:
            model = apps.get_model(name)
        except (LookupError, ValueError):
            raise not_found from None
    writing = [i for i in _registry.values() if model in i.models]
    if not writing:
        return model_importer(model)
    if len(writing) == 1:
        return writing[0]
    names = ", ".join(sorted(i.get_name() for i in writing))
    msg = _("Several importers write %(model)s: %(names)s. Name one.") % {
        "model": model._meta.label,
        "names": names,
    }
    raise ImporterNotFound(msg)


def all_importers() -> list[type["Importer"]]:
    every = _registry | _derived()
    return [every[name] for name in sorted(every)]


def importers_for_model(model: type[Model]) -> list[type["Importer"]]:
    return [importer for importer in all_importers() if model in importer.models]


def autodiscover() -> None:
    """Import every installed app's ``importers`` module, as the admin does with ``admin``."""
    autodiscover_modules("importers")
