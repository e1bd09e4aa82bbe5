"""One model's rows as a polars frame, as an importer's ``get_frames_by_model`` declares them.

Its own module so that the loader (:mod:`winiadmin.db.frames`) and the references between
frames (:mod:`winiadmin.db.frame_refs`) both depend on it, not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    import polars as pl
    from django.db.models import Model

#: A frame may carry the file row numbers in this column; it is used for problems, not stored.
ROW_NUMBER_COLUMN = "__winiadmin_row__"


@dataclass(frozen=True, slots=True)
class ModelFrame:
    """Rows of one model: columns named after its fields (``category`` or ``category_id``).

    ``lookups`` maps a foreign key whose column holds natural-key values to the target model's
    field those values are found in: ``{"category": "name"}``.
    """

    model: type[Model]
    frame: pl.DataFrame
    lookups: Mapping[str, str] = field(default_factory=dict)
    #: Upsert key (field names): rows whose key is stored update their record instead.
    key: tuple[str, ...] = ()
    #: The column identifying this frame's rows within the import (unique in the frame), for
    #: other frames' ``references``; stored only when it is a field of the model.
    ref: str | None = None
    #: Foreign keys whose column holds the ``ref`` identifiers of the related model's frame.
    references: tuple[str, ...] = ()
