"""Declare an importer once; the admin and the commands run it through the same pipeline."""

from winiadmin.importers.base import Importer
from winiadmin.importers.lookups import Lookup, with_keys
from winiadmin.importers.options import (
    BooleanOption,
    ChoiceOption,
    ImportOption,
    IntegerOption,
    ModelOption,
    StringOption,
)
from winiadmin.importers.registry import (
    all_importers,
    get_importer,
    importers_for_model,
    register,
)

__all__ = [
    "BooleanOption",
    "ChoiceOption",
    "ImportOption",
    "Importer",
    "IntegerOption",
    "Lookup",
    "ModelOption",
    "StringOption",
    "all_importers",
    "get_importer",
    "importers_for_model",
    "register",
    "with_keys",
]
