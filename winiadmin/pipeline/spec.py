"""What the pipeline needs from an importer: its declarations, a cleaning class, a load path.

The whole contract is here and typed: :class:`ImportDeclarations` holds every attribute the
pipeline reads (with the defaults of an importer that declares nothing), :class:`ImportSpec`
and :class:`FrameImportSpec` add the hooks. Both the registered
:class:`~winiadmin.importers.Importer` classes and the seed-style ``ImportDataBaseCommand``
subclasses inherit the declarations; the pipeline reads them as attributes, never guessing.
"""

import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

import polars as pl
from django.db.models import Model
from winiutils.core.data.dataframe.cleaning import CleaningDF

from winiadmin.cleaning.base import column_aliases_of
from winiadmin.cleaning.conventions import FileConventions
from winiadmin.cleaning.tracking import DuplicateKeyPolicy
from winiadmin.db.frames import ModelFrame
from winiadmin.db.lookups import Lookup
from winiadmin.db.many_to_many import ManyToMany
from winiadmin.exceptions import ImporterContractError, WiniadminDeprecationWarning
from winiadmin.pipeline.sheets import Sheet, SheetFrames, frames_by_sheet


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


class ImportDeclarations:
    """Every attribute the pipeline reads of an importer, typed, with its default.

    Subclass it (``Importer`` and ``ImportDataBaseCommand`` do) and override class attributes;
    each thing is said in one place (docs/importers.md, "One way to say each thing").
    """

    #: Every model the importer writes (its transform's models, what its lookups create).
    #: ``None``: not declared (the seed's commands), so not checked; ``Importer`` declares ``()``
    #: and users' permissions are computed from it.
    models: ClassVar[tuple[type[Model], ...] | None] = None
    #: Foreign keys given by natural key: ``(Lookup(Product, "category", by="name"),)``; see
    #: :mod:`winiadmin.db.lookups`. The one declaration of a natural key, for both load paths:
    #: frame importers put the value in the column; instance importers give it per object with
    #: ``with_keys(Product(...), category=value)`` (a value, not a declaration).
    lookups: ClassVar[tuple[Lookup, ...]] = ()
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
    #: ``"first"`` is winiutils' documented rule; ``Importer`` declares ``"error"``.
    on_duplicate_key: ClassVar[DuplicateKeyPolicy] = "first"
    #: Deprecated: other headers per column belong to the cleaning class, next to its
    #: ``get_rename_map`` (``CleaningDF.get_column_aliases``). Still read, with a
    #: ``WiniadminDeprecationWarning`` (``winiadmin.W005``).
    column_aliases: ClassVar[Mapping[str, Sequence[str]]] = {}
    #: Check what ``Model.full_clean()`` would refuse (null/blank, max_length, choices, the
    #: fields' validators, check constraints) before anything is written; ``False`` leaves
    #: the models' rules to the database alone (docs/importers.md#the-models-own-rules).
    validate_model_rules: ClassVar[bool] = True
    #: Many-to-many fields given by natural keys in one cell (``red|blue``):
    #: ``(ManyToMany(Product, "tags", by="name", separator="|"),)``; see
    #: :mod:`winiadmin.db.many_to_many` (frame importers: the frame keeps the column; instance
    #: importers: ``with_keys(Product(...), tags="red|blue")``). Both paths write the through
    #: rows in bulk once every model of the batch is stored, inside the run's transaction.
    many_to_many: ClassVar[tuple[ManyToMany, ...]] = ()
    #: A workbook whose sheets hold different models: ``(Sheet("Customers", Customer,
    #: CustomerCleaning, ref="email"), Sheet("Orders", Order, OrderCleaning, ref="order_id",
    #: references=("customer",)), …)`` (:class:`winiadmin.pipeline.sheets.Sheet`). Each sheet
    #: is cleaned by its own class and becomes its model's frame (:meth:`get_frames_by_sheet`);
    #: the run reads them as one batch, loaded in its one transaction (docs/loading.md).
    sheets: ClassVar[tuple[Sheet, ...]] = ()
    #: How the importer's files write numbers and dates: ``FileConventions(
    #: decimal_separator=",", thousands_separator=".", date_formats=("%d.%m.%Y",))``
    #: (:mod:`winiadmin.cleaning.conventions`). A run's ``RunOptions.conventions`` (the wizard,
    #: the command's ``--decimal-separator``…) override it field by field. ``None``: the default
    #: (``.`` decimal point, ISO dates); conventions detected in a file are only proposed.
    conventions: ClassVar[FileConventions | None] = None

    def get_frames_by_sheet(self, frames: SheetFrames) -> FramesByModel:
        """Workbook importers (``sheets``): the cleaned sheets by name (each with
        ``ROW_NUMBER_COLUMN``) → a frame per model. By default each sheet is its model's frame
        with the sheet's ``ref``, ``references`` and ``lookups``; override to reshape them."""
        return frames_by_sheet(self.sheets, frames)


class Declared(Protocol):
    """The declarations as the pipeline reads them (:class:`ImportDeclarations` has them all)."""

    @property
    def models(self) -> tuple[type[Model], ...] | None: ...

    @property
    def lookups(self) -> tuple[Lookup, ...]: ...

    @property
    def upsert_keys(self) -> Mapping[type[Model], Sequence[str]]: ...

    @property
    def stream_group_by(self) -> str | None: ...

    @property
    def on_duplicate_key(self) -> DuplicateKeyPolicy: ...

    @property
    def column_aliases(self) -> Mapping[str, Sequence[str]]: ...

    @property
    def validate_model_rules(self) -> bool: ...

    @property
    def many_to_many(self) -> tuple[ManyToMany, ...]: ...

    @property
    def sheets(self) -> tuple[Sheet, ...]: ...

    @property
    def conventions(self) -> FileConventions | None: ...

    def get_frames_by_sheet(self, frames: SheetFrames) -> FramesByModel: ...


@runtime_checkable
class FrameImportSpec(Declared, Protocol):
    """The frame-native variant: one polars frame per model, no model instance per row.

    The frame passed in carries the file row numbers in ``ROW_NUMBER_COLUMN``; keep that column
    in the frames returned so that problems name their rows (it is never stored).
    """

    def get_cleaning_df_cls(self) -> type[CleaningDF]: ...

    def get_frames_by_model(self, df: pl.DataFrame) -> FramesByModel: ...


class ImportSpec(Declared, Protocol):
    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        """The winiutils ``CleaningDF`` subclass that cleans the raw frame."""
        ...

    def get_bulks_by_model(self, df: pl.DataFrame) -> BulksByModel:
        """Unsaved model objects per model, built from the cleaned frame (any order of models)."""
        ...


def header_aliases(spec: ImportSpec | FrameImportSpec) -> dict[str, tuple[str, ...]]:
    """Other headers files use, by standard column name: the cleaning class's aliases.

    An importer's own ``column_aliases`` (deprecated) are added to them, with a warning.
    """
    aliases = {
        name: tuple(names) for name, names in column_aliases_of(spec.get_cleaning_df_cls()).items()
    }
    if spec.column_aliases:
        warnings.warn(
            f"{type(spec).__qualname__}.column_aliases is deprecated: declare the other headers "
            "on its cleaning class, next to get_rename_map (get_column_aliases); "
            "see docs/importers.md.",
            WiniadminDeprecationWarning,
            stacklevel=2,
        )
        for name, names in spec.column_aliases.items():
            aliases[name] = (*aliases.get(name, ()), *names)
    return aliases


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
