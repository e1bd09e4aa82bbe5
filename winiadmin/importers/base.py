"""Importers: declared once, registered, and run the same way by the admin and the commands."""

from collections.abc import Mapping, Sequence
from typing import ClassVar

import polars as pl
from django.db.models import Model
from django.utils.text import camel_case_to_spaces
from winiutils.core.data.dataframe.cleaning import CleaningDF

from winiadmin.cleaning.mapping import ColumnMapping
from winiadmin.cleaning.tracking import DuplicateKeyPolicy
from winiadmin.db.lookups import Lookup
from winiadmin.db.many_to_many import ManyToMany
from winiadmin.exceptions import WiniadminError
from winiadmin.importers.options import ImportOption
from winiadmin.pipeline import BulksByModel, FramesByModel, ReadSource, run_import
from winiadmin.pipeline.run import BeforeCommit, CleanedCallback
from winiadmin.pipeline.sheets import Sheet, frames_by_sheet
from winiadmin.pipeline.spec import load_path_placeholder
from winiadmin.progress import ProgressCallback
from winiadmin.readers import ReadOptions
from winiadmin.results import ImportResult


class Importer:
    """Subclass, declare the class attributes, write :meth:`get_bulks_by_model`, register.

    Example::

        @register
        class ProductImporter(Importer):
            name = "shop.products"
            models = (Product,)
            cleaning_df_cls = ProductCleaningDF

            def get_bulks_by_model(self, df):
                return {Product: [Product(**row) for row in df.iter_rows(named=True)]}
    """

    #: Registry key, unique per project; defaults to ``<module>.<ClassName>``.
    name: ClassVar[str] = ""
    verbose_name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: Every model the importer creates objects of; users need the add permission on each.
    models: ClassVar[tuple[type[Model], ...]] = ()
    cleaning_df_cls: ClassVar[type[CleaningDF] | None] = None
    options: ClassVar[tuple[ImportOption, ...]] = ()
    #: Permissions a user needs beyond "add" on every model, e.g. ("shop.import_catalogue",).
    permission_required: ClassVar[tuple[str, ...]] = ()
    #: Example values for the import template's example row, by column name; columns left out
    #: get a default for their dtype (see :mod:`winiadmin.importers.template_file`).
    example_row: ClassVar[Mapping[str, object]] = {}
    #: Other names files use for a column, by column name: ``{"price": ("prix", "unit price")}``;
    #: compared ignoring case, accents and spacing (see :mod:`winiadmin.cleaning.mapping`).
    column_aliases: ClassVar[Mapping[str, Sequence[str]]] = {}
    #: Foreign keys given by natural key: ``(Lookup(Product, "category", by="name"),)``; see
    #: :mod:`winiadmin.db.lookups` (frame importers: the column holds the value; instance
    #: importers: ``with_keys(Product(...), category=value)``).
    lookups: ClassVar[tuple[Lookup, ...]] = ()
    #: Many-to-many fields given by natural keys in one cell (``red|blue``):
    #: ``(ManyToMany(Product, "tags", by="name", separator="|"),)``; see
    #: :mod:`winiadmin.db.many_to_many` (frame importers: the frame keeps the column; instance
    #: importers: ``with_keys(Product(...), tags="red|blue")``). Both paths write the through
    #: rows in bulk once every model is stored.
    many_to_many: ClassVar[tuple[ManyToMany, ...]] = ()
    #: Upsert: key fields per model, ``{Product: ("sku",)}``. A row whose key is stored updates
    #: that record (when its imported fields differ) instead of being a conflict; the others
    #: are created. The fields must be unique together in the database (see docs/loading.md).
    upsert_keys: ClassVar[Mapping[type[Model], Sequence[str]]] = {}
    #: A streamed file (frame-native importers, large CSV/TSV) is cut into batches: name a column
    #: (as the cleaning class expects it) whose runs of equal values must stay in one batch, e.g.
    #: the order number of order lines that ``ModelFrame(ref=…)`` groups into orders. The file
    #: must keep each group's rows together (see docs/loading.md).
    stream_group_by: ClassVar[str | None] = None
    #: Rows that share a key of the cleaning class's ``get_unique_subsets`` but differ in other
    #: columns: ``"error"`` (each such row is an error naming the others; "skip invalid rows"
    #: leaves them all out), ``"first"`` or ``"last"`` (that row is used, the others dropped
    #: with a warning naming the row kept). Rows equal in every column are dropped with a
    #: warning under every policy. See docs/cleaning.md (checked: ``winiadmin.E015``).
    on_duplicate_key: ClassVar[DuplicateKeyPolicy] = "error"
    #: A workbook whose sheets hold different models: ``(Sheet("Customers", Customer,
    #: CustomerCleaning, ref="email"), Sheet("Orders", Order, OrderCleaning, ref="order_id",
    #: references=("customer",)), …)``. Each sheet is cleaned by its own class and becomes its
    #: model's frame (``get_frames_by_sheet``); all load in one transaction (docs/loading.md).
    sheets: ClassVar[tuple[Sheet, ...]] = ()

    def __init__(self, option_values: Mapping[str, object] | None = None) -> None:
        self.option_values = self.resolve_options(option_values or {})

    @classmethod
    def get_name(cls) -> str:
        return cls.name or f"{cls.__module__}.{cls.__name__}"

    @classmethod
    def get_verbose_name(cls) -> str:
        return cls.verbose_name or camel_case_to_spaces(cls.__name__).capitalize()

    @classmethod
    def resolve_options(cls, values: Mapping[str, object]) -> dict[str, object]:
        """Declared options with their defaults, checked for unknown names and missing values."""
        declared = {option.name: option for option in cls.options}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            known = ", ".join(declared) or "none"
            msg = f"Unknown option(s) for {cls.get_name()}: {', '.join(unknown)} (known: {known})."
            raise WiniadminError(msg)
        resolved = {name: values.get(name, option.default) for name, option in declared.items()}
        missing = [n for n, o in declared.items() if o.required and resolved[n] in (None, "")]
        if missing:
            msg = f"{cls.get_name()} needs the option(s): {', '.join(missing)}."
            raise WiniadminError(msg)
        return resolved

    @classmethod
    def parse_options(cls, texts: Mapping[str, str]) -> dict[str, object]:
        """Typed values from the text a user typed; ``ValueError`` with a plain message if wrong."""
        declared = {option.name: option for option in cls.options}
        return {
            name: declared[name].parse(text) if name in declared else text
            for name, text in texts.items()
        }

    def get_option(self, name: str) -> object:
        return self.option_values[name]

    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        if self.cleaning_df_cls is None:
            msg = f"{type(self).__name__} declares no cleaning_df_cls."
            raise WiniadminError(msg)
        return self.cleaning_df_cls

    @load_path_placeholder
    def get_bulks_by_model(self, df: pl.DataFrame) -> BulksByModel:
        """Unsaved model objects per model, built from the cleaned frame.

        Frame-native importers define ``get_frames_by_model(df)`` instead (one polars frame per
        model, see :class:`~winiadmin.pipeline.FrameImportSpec`); the pipeline uses whichever
        the importer has; an importer defining both is refused (``winiadmin.E020``).
        """
        msg = f"{type(self).__name__} defines neither get_bulks_by_model nor get_frames_by_model."
        raise NotImplementedError(msg)

    def get_frames_by_sheet(self, frames: Mapping[str, pl.DataFrame]) -> FramesByModel:
        """Workbook importers (``sheets``): the cleaned sheets by name (each with
        ``ROW_NUMBER_COLUMN``) → a frame per model. By default each sheet is its model's frame
        with the sheet's ``ref``, ``references`` and ``lookups``; override to reshape them."""
        return frames_by_sheet(self.sheets, frames)

    def run(
        self,
        source: ReadSource,
        *,
        dry_run: bool = False,
        skip_invalid: bool = False,
        batch_size: int | None = None,
        using: str | None = None,
        timeout: float | None = None,
        read_options: ReadOptions | None = None,
        file_name: str | None = None,
        collect_pks: bool = False,
        progress: ProgressCallback | None = None,
        column_mapping: ColumnMapping | None = None,
        create_missing: bool = False,
        on_cleaned: CleanedCallback | None = None,
        before_commit: BeforeCommit | None = None,
    ) -> ImportResult:
        return run_import(
            self,
            source,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            batch_size=batch_size,
            using=using,
            timeout=timeout,
            read_options=read_options,
            file_name=file_name,
            collect_pks=collect_pks,
            progress=progress,
            importer_name=self.get_name(),
            column_mapping=column_mapping,
            create_missing=create_missing,
            on_cleaned=on_cleaned,
            before_commit=before_commit,
        )
