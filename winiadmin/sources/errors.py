"""Why a source was refused or could not be read: a sentence for the user."""

from winiadmin.exceptions import WiniadminError


class SourceError(WiniadminError):
    """The URL or storage path cannot be imported (refused, unreachable, too large…)."""
