"""A :class:`winiutils` ``CleaningDF`` whose every hook has a sensible default.

winiutils makes all ten hooks abstract and insists that each map names every column. Cleaning
classes written like the seed documentation's examples (a dtype map, maybe the required columns
and the unique subsets) therefore fail there; on this base they work. What changes:

* Every hook defaults to "do nothing"; only :meth:`get_col_dtype_map` must be written.
* The maps may name some columns only: the rename map defaults to the column's own name, the fill
  map to "no fill", the converter map to "no converter", the precision map to "no rounding".
* No drop-null subsets (the default) drops only fully empty rows. winiutils would drop every row
  with an empty cell anywhere, silently discarding rows with an optional value left blank.
* No sort columns (the default) keeps the file's row order instead of failing.

The pipeline stays winiutils': the steps, their order and their semantics are inherited.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Literal

import polars as pl
from winiutils.core.data.dataframe.cleaning import CleaningDF as WiniutilsCleaningDF
from winiutils.core.data.structures.dicts import reverse_dict

from winiadmin.cleaning.coerce import ColumnParser

DuplicatePolicy = Literal["warn", "error"]


class CleaningDF(WiniutilsCleaningDF):
    """Base for cleaning classes; subclass it and declare :meth:`get_col_dtype_map`."""

    #: Whether a row dropped as a duplicate of a unique subset is a warning (the first row is
    #: kept, as winiutils does) or an error that blocks the import.
    DUPLICATES: ClassVar[DuplicatePolicy] = "warn"
    #: strptime formats tried, in order, for Date columns.
    DATE_FORMATS: ClassVar[tuple[str, ...]] = ("%Y-%m-%d",)
    #: strptime formats tried, in order, for Datetime columns (ISO 8601 is always tried first).
    DATETIME_FORMATS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def get_rename_map(cls) -> dict[str, str]:
        return {}

    @classmethod
    def get_column_aliases(cls) -> Mapping[str, Sequence[str]]:
        """Other headers files use for a column, by standard name: ``{"price": ("prix",)}``.

        winiadmin's addition next to winiutils' :meth:`get_rename_map` (the one header a file of
        fixed layout uses): every spelling here is accepted too, compared ignoring case, accents
        and spacing (:mod:`winiadmin.cleaning.mapping`). The header renames of an import live
        in its cleaning class, and only there.
        """
        return {}

    @classmethod
    def get_column_names(cls) -> Mapping[str, Sequence[str]]:
        """Other names of a column, matched as surely as its own (case, accents and spacing
        aside) and, unlike :meth:`get_column_aliases`, without asking the user to review the
        match: ``{"name": ("Gadget name",)}``. An importer derived from a model declares its
        fields' verbose names here.
        """
        return {}

    @classmethod
    def get_drop_null_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return ()

    @classmethod
    def get_fill_null_map(cls) -> dict[str, Any]:
        return {}

    @classmethod
    def get_sort_cols(cls) -> tuple[tuple[str, bool], ...]:
        return ()

    @classmethod
    def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return ()

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ()

    @classmethod
    def get_col_converter_map(cls) -> dict[str, Callable[[pl.Series], pl.Series]]:
        return {}

    @classmethod
    def get_add_on_duplicate_cols(cls) -> tuple[str, ...]:
        return ()

    @classmethod
    def get_col_precision_map(cls) -> dict[str, int]:
        return {}

    @classmethod
    def get_optional_cols(cls) -> tuple[str, ...]:
        """Columns a file may leave out (winiadmin's hook): read as empty, then left out of the
        cleaned frame, so that the importer sees which the file gave."""
        return ()

    @classmethod
    def get_col_parser_map(cls) -> dict[str, ColumnParser]:
        """Columns read by a parser of their own instead of by their dtype (winiadmin's hook,
        run in the clean stage before winiutils' steps): standard name → parser. The parser's
        values must have the column's declared dtype; its failures are cell problems."""
        return {}

    @classmethod
    def get_full_rename_map(cls) -> dict[str, str]:
        """Standard name → name in the file, for every column."""
        return {name: name for name in cls.get_col_names()} | cls.get_rename_map()

    def rename_cols(self, temp_df: pl.DataFrame) -> pl.DataFrame:
        return temp_df.rename(reverse_dict(self.get_full_rename_map()), strict=False)

    def fill_nulls(self) -> None:
        fills = {col: value for col, value in self.get_fill_null_map().items() if value is not None}
        if fills:
            self.df = self.df.with_columns(
                pl.col(col).fill_null(value) for col, value in fills.items()
            )

    def convert_cols(self) -> None:
        self.standard_convert_cols()
        self.custom_convert_cols()

    @classmethod
    def round_col(
        cls,
        col: pl.Series,
        precision: int | None = None,
        *,
        compensate: bool = True,
    ) -> pl.Series:
        if precision is None and str(col.name) not in cls.get_col_precision_map():
            return col
        return super().round_col(col, precision, compensate=compensate)

    @classmethod
    def strip_col(cls, col: pl.Series) -> pl.Series:
        """winiutils' strip, without copying a column that has nothing to strip (the clean
        stage has stripped every column it parsed by dtype already)."""
        if not col.str.contains(r"^\s|\s$").any():
            return col
        return super().strip_col(col)

    def drop_null_subsets(self) -> None:
        if self.get_drop_null_subsets():
            super().drop_null_subsets()
            return
        data_cols = list(self.get_col_names())
        self.df = self.df.filter(~pl.all_horizontal(pl.col(data_cols).is_null()))

    def check_no_nan(self) -> None:
        # winiutils asks ``issubclass`` of each declared dtype, which fails on dtype instances
        # (``pl.Decimal(12, 2)``, ``pl.Datetime("us", "UTC")``): ask the frame's float columns.
        floats = [name for name, dtype in self.df.schema.items() if dtype.is_float()]
        if floats and self.df.select(pl.any_horizontal(pl.col(floats).is_nan().any())).item():
            msg = "NaN values found in the dataframe"
            raise ValueError(msg)

    def sort_cols(self) -> None:
        if self.get_sort_cols():
            super().sort_cols()


def column_aliases_of(cls: type[WiniutilsCleaningDF]) -> Mapping[str, Sequence[str]]:
    """The aliases of a cleaning class; a plain winiutils one (the seed's) declares none."""
    return cls.get_column_aliases() if issubclass(cls, CleaningDF) else {}


def column_names_of(cls: type[WiniutilsCleaningDF]) -> Mapping[str, Sequence[str]]:
    """The other names of a cleaning class's columns (:meth:`CleaningDF.get_column_names`)."""
    return cls.get_column_names() if issubclass(cls, CleaningDF) else {}
