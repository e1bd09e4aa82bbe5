"""Importers: declared once, registered, and run the same way by the admin and the commands."""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

import polars as pl
from django.db.models import Model
from django.utils.text import camel_case_to_spaces
from django.utils.translation import gettext as _
from winiutils.core.data.dataframe.cleaning import CleaningDF

from winiadmin.cleaning.tracking import DuplicateKeyPolicy
from winiadmin.exceptions import WiniadminError
from winiadmin.importers.options import ImportOption
from winiadmin.pipeline import BulksByModel, ReadSource, RunOptions, run_import
from winiadmin.pipeline.spec import ImportDeclarations, load_path_placeholder
from winiadmin.results import ImportResult


class Importer(ImportDeclarations):
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
    #: Every model the importer writes; users need the add permission on each. Declared
    #: (``()`` by default, never ``None``): writing another model fails the run.
    models: ClassVar[tuple[type[Model], ...]] = ()
    cleaning_df_cls: ClassVar[type[CleaningDF] | None] = None
    options: ClassVar[tuple[ImportOption, ...]] = ()
    #: Permissions a user needs beyond "add" on every model, e.g. ("shop.import_catalogue",).
    permission_required: ClassVar[tuple[str, ...]] = ()
    #: Example values for the import template's example row, by column name; columns left out
    #: get a default for their dtype (see :mod:`winiadmin.importers.template_file`).
    example_row: ClassVar[Mapping[str, object]] = {}
    #: Rows sharing a unique key but differing elsewhere are errors unless the importer says
    #: otherwise (``ImportDeclarations.on_duplicate_key``; the seed's commands keep "first").
    on_duplicate_key: ClassVar[DuplicateKeyPolicy] = "error"
    #: Changed when the importer's cleaning changes: a job checked before is then read and
    #: cleaned again at its confirm instead of reusing its check (``winiadmin.jobs.check_inputs``).
    check_version: ClassVar[str] = ""
    # lookups, upsert_keys, many_to_many, sheets (with get_frames_by_sheet), stream_group_by
    # (and the deprecated column_aliases) are declared, typed and documented once, on
    # ImportDeclarations.

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
            known = ", ".join(declared) or _("none")
            msg = _("Unknown option(s) for %(importer)s: %(names)s (known: %(known)s).") % {
                "importer": cls.get_name(),
                "names": ", ".join(unknown),
                "known": known,
            }
            raise WiniadminError(msg)
        resolved = {name: values.get(name, option.default) for name, option in declared.items()}
        missing = [n for n, o in declared.items() if o.required and resolved[n] in (None, "")]
        if missing:
            msg = _("%(importer)s needs the option(s): %(names)s.") % {
                "importer": cls.get_name(),
                "names": ", ".join(missing),
            }
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

    def run(
        self,
        source: ReadSource,
        options: RunOptions | None = None,
        **changes: Any,
    ) -> ImportResult:
        """The whole pipeline once (:func:`~winiadmin.pipeline.run_import`); never raises for bad
        data: the result says what happened.

        ``options``: a :class:`RunOptions`; ``changes``: fields of it by name, applied on top
        (``run(path, dry_run=True)`` is ``run(path, RunOptions(dry_run=True))``). An unknown
        name raises ``TypeError``, as ``RunOptions(...)`` does.
        """
        chosen = replace(options or RunOptions(), **changes) if changes else options
        return run_import(self, source, chosen, importer_name=self.get_name())
