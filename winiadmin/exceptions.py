"""Errors winiadmin raises on purpose; each carries a message fit to show a user."""

from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.db.models import Model

    from winiadmin.problems import Problem


class WiniadminError(Exception):
    """Base class: a user or setup error with a plain message, never a bug."""


class ImporterContractError(WiniadminError, ImproperlyConfigured):
    """An importer breaks the importer contract (docs/importers.md): a bug in the project."""


class WiniadminDeprecationWarning(DeprecationWarning):
    """A way of declaring something that still works but has a replacement (docs/importers.md).

    Its own class so that a project can turn winiadmin's deprecations into errors (or silence
    them) without touching other libraries'; ``manage.py check`` names the same uses
    (``winiadmin.W005``…``W007``) where they can be seen without running an import.
    """


class FileReadError(WiniadminError):
    """The file cannot be read as a table (unknown type, broken encoding, corrupt workbook…)."""


class CleaningError(WiniadminError):
    """The cleaning class is misconfigured, or one of its hooks failed."""


def describe_exception(error: BaseException) -> str:
    """``KeyError: 'price'``: the exception's type and text, as a one-line report shows it."""
    text = str(error).strip().splitlines()  # some libraries add lines of context
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


class ImporterFailed(WiniadminError):
    """The importer's own code raised: ``get_bulks_by_model``, ``get_frames_by_model`` (or the
    objects it yields), or a hook of its cleaning class. A bug to fix in the project, not in the
    file; the traceback is logged (logger ``winiadmin``) and chained (``__cause__``)."""

    def __init__(self, importer: str, error: BaseException) -> None:
        self.importer = importer
        self.error = error
        super().__init__(
            f"The importer {importer!r} failed with an error in its code: "
            f"{describe_exception(error)}. Nothing was written. The details are in the server log."
        )


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


class RowRefused(LoadError):
    """The database refused one row during the load (a trigger, a constraint in SQL): its
    ``problem`` names the file row, the column where known, and the value."""

    def __init__(self, problem: "Problem") -> None:
        self.problem = problem
        super().__init__(str(problem))


class ObjectRefused(RowRefused):
    """The database refused one object of an instance-path load: ``problem`` has its column
    and value but no row (objects carry none; whoever knows the file finds it from ``obj``)."""

    def __init__(self, problem: "Problem", obj: "Model") -> None:
        self.obj = obj
        super().__init__(problem)
