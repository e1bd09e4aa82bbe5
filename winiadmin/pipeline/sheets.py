"""A workbook whose sheets hold different models: one :class:`Sheet` per model.

An importer declares ``sheets = (Sheet("Customers", Customer, CustomerCleaning, ref="email"),
Sheet("Orders", Order, OrderCleaning, ref="order_id", references=("customer",)), …)``: each
sheet is read from the workbook, matched and cleaned with its own cleaning class, and becomes
that model's frame (``ModelFrame``: its ``ref``, ``references`` and ``lookups``); all frames load
in one transaction, parents first, rows of one sheet naming rows of another by the identifiers
the file uses (see :mod:`winiadmin.db.frame_refs`). The run itself: :mod:`.workbook`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from winiadmin.db.model_frame import ModelFrame

if TYPE_CHECKING:
    from collections.abc import Mapping

    import polars as pl
    from django.db.models import Model
    from winiutils.core.data.dataframe.cleaning import CleaningDF

    from winiadmin.pipeline.spec import FramesByModel


@dataclass(frozen=True, slots=True, eq=False)
class Sheet:
    """The sheet ``name`` holds ``model``'s rows, cleaned by ``cleaning_df_cls``.

    ``ref``, ``references`` and ``lookups`` are the model frame's (``ModelFrame``): the column
    identifying this sheet's rows for the others, the foreign keys whose column holds another
    sheet's identifiers, the foreign keys given by natural key.
    """

    name: str
    model: type[Model]
    cleaning_df_cls: type[CleaningDF]
    ref: str | None = None
    references: tuple[str, ...] = ()
    lookups: Mapping[str, str] = field(default_factory=dict)

    def model_frame(self, frame: pl.DataFrame) -> ModelFrame:
        return ModelFrame(
            self.model,
            frame,
            lookups=dict(self.lookups),
            ref=self.ref,
            references=self.references,
        )


def frames_by_sheet(sheets: tuple[Sheet, ...], frames: Mapping[str, pl.DataFrame]) -> FramesByModel:
    """Each sheet's cleaned frame as its model's frame (``Importer.get_frames_by_sheet``)."""
    return {sheet.model: sheet.model_frame(frames[sheet.name]) for sheet in sheets}


def sheets_of(spec: object) -> tuple[Sheet, ...]:
    """The importer's ``sheets`` (importers of one table have none)."""
    declared: tuple[Sheet, ...] = getattr(spec, "sheets", None) or ()
    return tuple(declared)
