"""What the pipeline needs from an importer: a cleaning class and a way to build model objects.

Both the registered :class:`~winiadmin.importers.Importer` classes and the seed-style
``ImportDataBaseCommand`` subclasses satisfy it.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import polars as pl
from django.db.models import Model
from winiutils.core.data.dataframe.cleaning import CleaningDF

from winiadmin.db.frames import ModelFrame
from winiadmin.exceptions import ImporterContractError


@dataclass(frozen=True, slots=True)
class LazyBulk[M: Model]:
    """Objects built only when the loader pulls them (a generator), with their number known.

    ``get_bulks_by_model`` may return any iterable per model; the loader pulls a chunk at a time,
    so a generator keeps memory flat. A bare generator has no length, so progress has no total;
    ``LazyBulk(generator, count)`` gives it one (``count``: how many objects it will yield).
    """

    objects: Iterable[M]
    count: int

    def __iter__(self) -> Iterator[M]:
        return iter(self.objects)

    def __len__(self) -> int:
        return self.count


BulksByModel = Mapping[type[Model], Iterable[Model]]
FramesByModel = Mapping[type[Model], ModelFrame | pl.DataFrame]


@runtime_checkable
class FrameImportSpec(Protocol):
    """The frame-native variant: one polars frame per model, no model instance per row.

    The frame passed in carries the file row numbers in ``ROW_NUMBER_COLUMN``; keep that column
    in the frames returned so that problems name their rows (it is never stored).
    """

    def get_cleaning_df_cls(self) -> type[CleaningDF]: ...

    def get_frames_by_model(self, df: pl.DataFrame) -> FramesByModel: ...


class ImportSpec(Protocol):
    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        """The winiutils ``CleaningDF`` subclass that cleans the raw frame."""
        ...

    def get_bulks_by_model(self, df: pl.DataFrame) -> BulksByModel:
        """Unsaved model objects per model, built from the cleaned frame (any order of models)."""
        ...


#: Base-class methods that only say "not defined here" (``Importer.get_bulks_by_model``).
_PLACEHOLDERS: set[object] = set()


def load_path_placeholder[F](method: F) -> F:
    """Mark a base class's ``get_bulks_by_model`` that a frame-native subclass need not define."""
    _PLACEHOLDERS.add(method)
    return method


def two_load_paths_error(spec_type: type) -> str | None:
    """Why ``spec_type`` is refused for defining both load paths (else ``None``).

    The pipeline uses ``get_frames_by_model`` when there is one, so a ``get_bulks_by_model``
    defined in the same class, or in a subclass of the one defining ``get_frames_by_model``,
    would silently never run: refused. A subclass that adds ``get_frames_by_model`` to an
    importer it inherits ``get_bulks_by_model`` from overrides that path, as a subclass
    overrides any method: allowed.
    """
    frames_owner = _owner(spec_type, "get_frames_by_model")
    bulks_owner = _owner(spec_type, "get_bulks_by_model")
    if frames_owner is None or bulks_owner is None:
        return None
    if bulks_owner is not frames_owner and not issubclass(bulks_owner, frames_owner):
        return None
    where = (
        "both in the same class"
        if bulks_owner is frames_owner
        else f"get_bulks_by_model in {bulks_owner.__qualname__}, a subclass of "
        f"{frames_owner.__qualname__} which defines get_frames_by_model"
    )
    return (
        f"{spec_type.__qualname__} defines get_bulks_by_model and get_frames_by_model ({where}): "
        "get_bulks_by_model would never run. An importer defines one of them (model objects "
        "per row, or a polars frame per model: see docs/importers.md)."
    )


def _owner(spec_type: type, name: str) -> type | None:
    """The class of ``spec_type``'s MRO whose own body defines ``name`` (not a placeholder)."""
    for cls in spec_type.__mro__:
        if name in vars(cls):
            method = vars(cls)[name]
            return None if method in _PLACEHOLDERS or not callable(method) else cls
    return None


def check_load_paths(spec_type: type) -> None:
    """Refuse an importer that defines both load paths (:func:`two_load_paths_error`)."""
    message = two_load_paths_error(spec_type)
    if message is not None:
        raise ImporterContractError(message)
