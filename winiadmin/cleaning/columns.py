"""Match the file's header to the columns a cleaning class declares."""

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    #: Header name in the file → the name the cleaning class expects (only where they differ).
    renames: dict[str, str]
    #: Expected names that the file lacks.
    missing: tuple[str, ...]
    #: Header names nobody asked for; they are ignored.
    unexpected: tuple[str, ...]


#: Columns winiadmin itself adds to files it hands out (the rejected rows' reason): ignored on
#: import without a warning, unless the cleaning class declares them.
IGNORED_COLUMNS = ("reason", "rejection_reason")


def header_key(name: str) -> str:
    """Case, surrounding spaces and space/underscore/hyphen differences do not matter."""
    return re.sub(r"[\s_\-]+", "_", name.strip().casefold())


def match_columns(header: list[str], expected: list[str]) -> ColumnMatch:
    exact = set(header) & set(expected)
    loose = {header_key(name): name for name in header if name not in exact}
    renames: dict[str, str] = {}
    missing: list[str] = []
    for name in expected:
        if name in exact:
            continue
        found = loose.pop(header_key(name), None)
        if found is None:
            missing.append(name)
        else:
            renames[found] = name
    used = exact | set(renames)
    ignored = {header_key(name) for name in IGNORED_COLUMNS}
    unexpected = tuple(n for n in header if n not in used and header_key(n) not in ignored)
    return ColumnMatch(renames, tuple(missing), unexpected)
