"""What the pipeline needs from an importer: a cleaning class and a way to build model objects.

Both the registered :class:`~winiadmin.importers.Importer` classes and the seed-style
``ImportDataBaseCommand`` subclasses satisfy it.
"""

from collections.abc import Iterable, Mapping
from typing import Protocol

import polars as pl
from django.db.models import Model
from winiutils.core.data.dataframe.cleaning import CleaningDF

BulksByModel = Mapping[type[Model], Iterable[Model]]


class ImportSpec(Protocol):
    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        """The winiutils ``CleaningDF`` subclass that cleans the raw frame."""
        ...

    def get_bulks_by_model(self, df: pl.DataFrame) -> BulksByModel:
        """Unsaved model objects per model, built from the cleaned frame (any order of models)."""
        ...
