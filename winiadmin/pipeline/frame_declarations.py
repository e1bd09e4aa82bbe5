"""An importer's frames carry what its class declares: upsert keys and natural keys.

``ModelFrame(key=…)`` and ``ModelFrame(lookups=…)`` are the loader's own parameters
(:func:`~winiadmin.db.frames.load_frames` called directly has no importer). Inside an import
the one place to say them is the importer (``upsert_keys``, ``lookups``): permissions, system
checks and the instance path read that. A frame that still says them is deprecated (a
``WiniadminDeprecationWarning``); one that says something else than its importer is refused
rather than one of the two silently winning.
"""

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace

from django.db.models import Model

from winiadmin.db.lookups import KeyResolver
from winiadmin.db.model_frame import ModelFrame
from winiadmin.exceptions import ImporterContractError, WiniadminDeprecationWarning


def settle_frame_declarations(
    specs: Mapping[type[Model], ModelFrame],
    upsert_keys: Mapping[type[Model], Sequence[str]],
    resolver: KeyResolver | None,
) -> dict[type[Model], ModelFrame]:
    """Each frame with its importer's upsert key and the lookups of the columns it has.

    Raises ``ImporterContractError`` when a frame's own ``key`` or ``lookups`` contradict the
    importer's declarations.
    """
    return {
        model: _with_lookups(_with_key(spec, upsert_keys.get(model)), resolver)
        for model, spec in specs.items()
    }


def _with_key(spec: ModelFrame, declared: Sequence[str] | None) -> ModelFrame:
    label = spec.model._meta.label
    if spec.key:
        if declared is not None and tuple(declared) != spec.key:
            msg = (
                f"The frame of {label} has key={spec.key!r} but its importer declares "
                f"upsert_keys = {{{spec.model.__name__}: {tuple(declared)!r}}}; say it once, "
                "in upsert_keys."
            )
            raise ImporterContractError(msg)
        warnings.warn(
            f"ModelFrame({spec.model.__name__}, …, key={spec.key!r}) in an importer is "
            f"deprecated: declare upsert_keys = {{{spec.model.__name__}: {spec.key!r}}} on the "
            "importer (winiadmin.W007).",
            WiniadminDeprecationWarning,
            stacklevel=2,
        )
    return spec if declared is None else replace(spec, key=tuple(declared))


def _with_lookups(spec: ModelFrame, resolver: KeyResolver | None) -> ModelFrame:
    if resolver is None:
        return spec
    declared = {
        lookup.field: lookup.by
        for lookup in resolver.for_model(spec.model)
        if lookup.field in spec.frame.columns and lookup.field not in spec.references
    }
    if spec.lookups:
        _check_frame_lookups(spec, declared)
    merged = {**spec.lookups, **declared}
    return spec if merged == dict(spec.lookups) else replace(spec, lookups=merged)


def _check_frame_lookups(spec: ModelFrame, declared: Mapping[str, str]) -> None:
    name = spec.model.__name__
    for field, by in spec.lookups.items():
        if field in declared and declared[field] != by:
            msg = (
                f"The frame of {spec.model._meta.label} looks {field} up by {by!r} but its "
                f"importer declares Lookup({name}, {field!r}, by={declared[field]!r}); say it "
                "once, in the importer's lookups."
            )
            raise ImporterContractError(msg)
    wanted = ", ".join(f"Lookup({name}, {f!r}, by={b!r})" for f, b in spec.lookups.items())
    warnings.warn(
        f"ModelFrame({name}, …, lookups={dict(spec.lookups)!r}) in an importer is deprecated: "
        f"declare lookups = ({wanted},) on the importer (winiadmin.W006).",
        WiniadminDeprecationWarning,
        stacklevel=2,
    )
