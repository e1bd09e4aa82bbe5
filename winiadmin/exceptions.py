"""Errors winiadmin raises on purpose; each carries a message fit to show a user."""


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
