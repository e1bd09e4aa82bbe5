"""Deprecated ways of declaring what an importer declares, found without running it.

Each thing is said in one place (docs/importers.md, "One way to say each thing"); the old ways
still work, with a ``WiniadminDeprecationWarning`` when they are used. This module finds them in
a registered importer's class, for ``manage.py check`` (``winiadmin.W005``…``W007``):

* ``column_aliases`` on the importer: the other headers belong to the cleaning class
  (``get_column_aliases``, next to ``get_rename_map``);
* ``ModelFrame(…, lookups=…)`` in ``get_frames_by_model``: the importer's ``lookups``;
* ``ModelFrame(…, key=…)`` in ``get_frames_by_model``: the importer's ``upsert_keys``.

The frames are built at run time, so the last two are found in the method's source: a
``ModelFrame`` call written in it (one built by a helper it calls is found when it runs).
"""

import ast
import inspect
import textwrap
from dataclasses import dataclass

from winiadmin.importers.base import Importer

#: ``ModelFrame(model, frame, lookups, key, …)``: the positions of the deprecated arguments.
_POSITIONS = {"lookups": 2, "key": 3}


@dataclass(frozen=True, slots=True)
class Deprecation:
    """One deprecated declaration of an importer, with what replaces it."""

    id: str
    message: str
    hint: str


def deprecations(importer: type[Importer]) -> list[Deprecation]:
    """Every deprecated declaration of ``importer`` that can be seen in its class."""
    name = importer.get_name()
    found = []
    if importer.column_aliases:
        found.append(
            Deprecation(
                "winiadmin.W005",
                f"{name}: column_aliases on the importer is deprecated.",
                "Move the other headers to its cleaning class: "
                "get_column_aliases() returning the same mapping (docs/importers.md).",
            )
        )
    written = frame_arguments(importer)
    if "lookups" in written:
        found.append(
            Deprecation(
                "winiadmin.W006",
                f"{name}: ModelFrame(…, lookups=…) in get_frames_by_model is deprecated.",
                "Declare lookups = (Lookup(Model, 'field', by='…'),) on the importer.",
            )
        )
    if "key" in written:
        found.append(
            Deprecation(
                "winiadmin.W007",
                f"{name}: ModelFrame(…, key=…) in get_frames_by_model is deprecated.",
                "Declare upsert_keys = {Model: ('field',)} on the importer.",
            )
        )
    return found


def frame_arguments(importer: type[Importer]) -> set[str]:
    """Which of ``lookups`` and ``key`` the ``ModelFrame`` calls of its frames hook give."""
    # Frame-native importers add the hook; Importer itself does not declare it.
    owners = [cls for cls in importer.__mro__ if "get_frames_by_model" in vars(cls)]
    if not owners:
        return set()
    method = vars(owners[0])["get_frames_by_model"]
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
    except (OSError, TypeError, SyntaxError):  # no source (a built class): nothing to see
        return set()
    given: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _names_model_frame(node.func):
            given |= {k.arg for k in node.keywords if k.arg in _POSITIONS}
            given |= {arg for arg, at in _POSITIONS.items() if len(node.args) > at}
    return given


def _names_model_frame(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "ModelFrame"
    return isinstance(func, ast.Attribute) and func.attr == "ModelFrame"
