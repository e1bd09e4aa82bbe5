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
