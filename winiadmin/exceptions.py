"""Errors winiadmin raises on purpose; each carries a message fit to show a user."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from winiadmin.problems import Problem


class WiniadminError(Exception):
    """Base class: a user or setup error with a plain message, never a bug."""


class FileReadError(WiniadminError):
    """The file cannot be read as a table (unknown type, broken encoding, corrupt workbook…)."""


class CleaningError(WiniadminError):
    """The cleaning class is misconfigured, or one of its hooks failed."""


class LoadError(WiniadminError):
    """The database refused the data (constraint violation, unsaved related object…)."""


class ModelDependencyCycle(LoadError):
    """The models of one import reference each other in a cycle, so no insert order exists."""


class ImportTimeout(WiniadminError):
    """The import ran longer than its timeout; nothing was written."""


class ImporterNotFound(WiniadminError):
    """No importer is registered under the requested name."""


class RowProblems(WiniadminError):
    """Raised by ``get_bulks_by_model`` for values it cannot use (an unknown SKU, say).

    Give each problem its column and value; the pipeline finds the file rows that hold the value
    and reports one problem per row. Nothing is written.
    """

    def __init__(self, problems: "Sequence[Problem]") -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} value(s) could not be used.")
