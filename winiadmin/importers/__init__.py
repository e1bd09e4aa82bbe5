"""The one module a project's ``importers.py`` imports from (docs/importers.md).

Everything a user subclasses, declares, raises or calls to write an importer is here:
``Importer`` and ``register``, ``ModelImporter`` (an importer derived from a model), the
cleaning base ``CleaningDF``, the option types, natural-key ``Lookup`` / ``with_keys``,
many-to-many ``ManyToMany``, a workbook's ``Sheet`` declarations, the frame path's
``ModelFrame`` and ``ROW_NUMBER_COLUMN``, ``LazyBulk``, ``RowProblems`` with
``Problem`` / ``ProblemKind`` / ``Severity``, how ``Importer.run`` runs (``RunOptions``), how
files write numbers and dates (``FileConventions``), and the registry's look-ups. The modules
they live in stay importable (older imports keep working), but this list is the public surface.
"""

from winiadmin.cleaning import CleaningDF
from winiadmin.cleaning.conventions import FileConventions
from winiadmin.cleaning.tracking import DuplicateKeyPolicy
from winiadmin.db.frames import ROW_NUMBER_COLUMN, ModelFrame
from winiadmin.exceptions import ImporterContractError, RowProblems
from winiadmin.importers.base import Importer
from winiadmin.importers.lookups import Lookup, ManyToMany, with_keys
from winiadmin.importers.model import ModelImporter, model_importer
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
    find_importer,
    get_importer,
    importers_for_model,
    offer_model,
    register,
)
from winiadmin.pipeline import BulksByModel, FramesByModel, LazyBulk, RunOptions
from winiadmin.pipeline.sheets import Sheet
from winiadmin.problems import Problem, ProblemKind, Severity
from winiadmin.results import ImportResult, ImportStatus

__all__ = [
    "ROW_NUMBER_COLUMN",
    "BooleanOption",
    "BulksByModel",
    "ChoiceOption",
    "CleaningDF",
    "DuplicateKeyPolicy",
    "FileConventions",
    "FramesByModel",
    "ImportOption",
    "ImportResult",
    "ImportStatus",
    "Importer",
    "ImporterContractError",
    "IntegerOption",
    "LazyBulk",
    "Lookup",
    "ManyToMany",
    "ModelFrame",
    "ModelImporter",
    "ModelOption",
    "Problem",
    "ProblemKind",
    "RowProblems",
    "RunOptions",
    "Severity",
    "Sheet",
    "StringOption",
    "all_importers",
    "find_importer",
    "get_importer",
    "importers_for_model",
    "model_importer",
    "offer_model",
    "register",
    "with_keys",
]
