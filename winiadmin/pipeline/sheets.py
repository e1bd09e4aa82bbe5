"""A workbook whose sheets hold different models: one :class:`Sheet` per model.

An importer declares ``sheets = (Sheet("Customers", Customer, CustomerCleaning, ref="email"),
Sheet("Orders", Order, OrderCleaning, ref="order_id", references=("customer",)), …)``
(``ImportDeclarations.sheets``): each sheet is read from the workbook, matched and cleaned with
its own cleaning class, and becomes that model's frame (``ModelFrame``: its ``ref`` and
``references``; natural keys are the importer's ``lookups``); all frames load in the run's one
transaction, parents first, rows of one sheet naming rows of another by the identifiers the
file uses (see :mod:`winiadmin.db.frame_refs`). How the run reads and cleans them: :mod:`.workbook`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from winiadmin.db.model_frame import ModelFrame

if TYPE_CHECKING:
    from django.db.models import Model
    from winiutils.core.data.dataframe.cleaning import CleaningDF

    from winiadmin.readers import RawTable

#: The cleaned sheets of a workbook by name, each with ``ROW_NUMBER_COLUMN``
#: (what ``get_frames_by_sheet`` is given).
SheetFrames = Mapping[str, pl.DataFrame]


@dataclass(frozen=True, slots=True, eq=False)
class Sheet:
    """The sheet ``name`` holds ``model``'s rows, cleaned by ``cleaning_df_cls``.

    ``ref`` and ``references`` are the model frame's (``ModelFrame``): the column identifying
    this sheet's rows for the others, the foreign keys whose column holds another sheet's
    identifiers. Foreign keys given by natural key are the importer's ``lookups``, as for any
    importer (one way to say each thing).
    """

    name: str
    model: type[Model]
    cleaning_df_cls: type[CleaningDF]
    ref: str | None = None
    references: tuple[str, ...] = ()

    def model_frame(self, frame: pl.DataFrame) -> ModelFrame:
        return ModelFrame(self.model, frame, ref=self.ref, references=self.references)


def frames_by_sheet(
    sheets: tuple[Sheet, ...], frames: SheetFrames
) -> dict[type[Model], ModelFrame]:
    """Each sheet's cleaned frame as its model's frame (``get_frames_by_sheet``'s default)."""
    return {sheet.model: sheet.model_frame(frames[sheet.name]) for sheet in sheets}


@dataclass(frozen=True, slots=True)
class SheetTables:
    """A workbook's one batch (:func:`~winiadmin.pipeline.workbook.workbook_file`): each declared
    sheet's table, in the order of ``sheets``, its rows numbered for the run (see
    :mod:`.workbook`)."""

    sheets: tuple[Sheet, ...]
    tables: tuple[RawTable, ...]

    @property
    def height(self) -> int:
        return sum(table.frame.height for table in self.tables)

    @property
    def info(self) -> dict[str, str]:
        """How the workbook was read (``ImportResult.source_info``)."""
        return {"format": self.tables[0].format, "sheets": ", ".join(s.name for s in self.sheets)}
