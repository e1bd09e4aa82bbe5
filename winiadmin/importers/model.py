"""``ModelImporter``: an importer derived from a model, declared by naming the model.

Everything else is read off the model: the columns (every editable field, or ``fields``), their
headers (the field's name or its verbose name, as the column matching compares them: case,
accents and spacing aside), how each is read (:mod:`winiadmin.importers.model_fields`), which
values are required, what an empty cell becomes, and the load: one polars frame for the model
(the frame path: no object per row), foreign keys resolved in bulk by primary key or by the
natural key declared in ``natural_keys``. A many-to-many field is one column of values joined
by ``many_to_many_separator`` (``red|blue``): the related rows' primary keys, or the field of
``natural_keys`` (``{"tags": "name"}``), written as through rows by the link writer
(``ImportDeclarations.many_to_many``, :mod:`winiadmin.db.many_to_many`).

Example::

    @register
    class ProductImporter(ModelImporter):
        model = Product
        fields = ("sku", "name", "price", "category")
        natural_keys = {"category": "name"}
        upsert_key = ("sku",)

:func:`model_importer` builds the same class for a model with nothing declared; the registry
uses it for ``winiadmin_import app_label.Model`` and the admin's ``ImportMixin`` when no
importer writes the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Field, ForeignKey, ManyToManyField, Model
from django.utils.text import capfirst

from winiadmin.cleaning import CleaningDF
from winiadmin.db.frames import ROW_NUMBER_COLUMN
from winiadmin.db.lookups import Lookup
from winiadmin.db.many_to_many import ManyToMany
from winiadmin.importers import field_parsers as fp
from winiadmin.importers.base import Importer
from winiadmin.importers.model_fields import (
    FieldColumn,
    UnsupportedField,
    column_for,
    importable_fields,
    importable_many_to_many,
    many_to_many_column,
    unsupported_reason,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import polars as pl

    from winiadmin.cleaning.coerce import ColumnParser
    from winiadmin.pipeline import FramesByModel


class ModelCleaningDF(CleaningDF):
    """The cleaning class :class:`ModelImporter` derives: the maps are filled per model."""

    col_dtypes: ClassVar[Mapping[str, pl.DataType]] = {}
    col_parsers: ClassVar[Mapping[str, ColumnParser]] = {}
    col_fills: ClassVar[Mapping[str, object]] = {}
    required_cols: ClassVar[tuple[str, ...]] = ()
    optional_cols: ClassVar[tuple[str, ...]] = ()
    unique_subsets: ClassVar[tuple[tuple[str, ...], ...]] = ()
    column_names: ClassVar[Mapping[str, Sequence[str]]] = {}

    @classmethod
    def get_column_names(cls) -> Mapping[str, Sequence[str]]:
        return cls.column_names

    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        # Instances (``pl.Decimal(12, 2)``): the clean stage and winiutils take both.
        return dict(cls.col_dtypes)  # type: ignore[arg-type]

    @classmethod
    def get_col_parser_map(cls) -> dict[str, ColumnParser]:
        return dict(cls.col_parsers)

    @classmethod
    def get_fill_null_map(cls) -> dict[str, Any]:
        return dict(cls.col_fills)

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return cls.required_cols

    @classmethod
    def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return cls.unique_subsets

    @classmethod
    def get_optional_cols(cls) -> tuple[str, ...]:
        return cls.optional_cols


class ModelImporter(Importer):
    """An importer for one model: declare ``model``, optionally the rest (module docstring)."""

    #: The model the rows become.
    model: ClassVar[type[Model] | None] = None
    #: The fields given by the file, in order (default: every editable field the model's own
    #: table has; the others get their default).
    fields: ClassVar[Sequence[str]] = ()
    #: Foreign keys and many-to-many fields given by a field of the related model instead of
    #: its primary key: ``{"category": "name", "tags": "name"}``.
    natural_keys: ClassVar[Mapping[str, str]] = {}
    #: Foreign keys and many-to-many fields whose unknown natural keys may be created (when
    #: the user chooses so): the related model is then written too, and its add permission
    #: needed.
    create_missing: ClassVar[Sequence[str]] = ()
    #: What joins the values of a many-to-many cell (``red|blue``).
    many_to_many_separator: ClassVar[str] = "|"
    #: Upsert: the fields whose stored value updates the record instead of adding one.
    upsert_key: ClassVar[Sequence[str]] = ()
    #: strptime formats accepted for dates, date-times and times besides ISO 8601
    #: (``"%d/%m/%Y"``, ``"%d/%m/%Y %H:%M"``, ``"%I:%M %p"``).
    date_formats: ClassVar[Sequence[str]] = ()
    datetime_formats: ClassVar[Sequence[str]] = ()
    time_formats: ClassVar[Sequence[str]] = ()
    #: Other headers of each column, matched as surely as its name (case, accents and spacing
    #: aside): by default the field's verbose name, and ``<name>_id`` for a foreign key. Unlike
    #: aliases, the wizard does not ask to review them. Given to the derived cleaning class
    #: (``CleaningDF.get_column_names``), where the pipeline reads every header name.
    column_names: ClassVar[Mapping[str, Sequence[str]]] = {}
    #: Fields left out because their type has no parser (``winiadmin.E022`` names them).
    unsupported_fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.model is not None:
            _derive(cls, cls.model)

    @classmethod
    def get_verbose_name(cls) -> str:
        """The declared ``verbose_name``, else the model's plural, in the current language."""
        if cls.verbose_name or cls.model is None:
            return super().get_verbose_name()
        return capfirst(str(cls.model._meta.verbose_name_plural))

    def get_frames_by_model(self, df: pl.DataFrame) -> FramesByModel:
        assert self.model is not None
        cleaning = self.get_cleaning_df_cls()
        assert issubclass(cleaning, ModelCleaningDF)
        # The columns the file gave (an optional one it lacks is not in ``df``): the others get
        # their default from the loader and, in an upsert, keep their stored value.
        names = [n for n in cleaning.col_dtypes if n in df.columns]
        meta = self.model._meta
        json = [n for n in names if meta.get_field(n).get_internal_type() == "JSONField"]
        frame = df.select(*names, ROW_NUMBER_COLUMN)
        if json:
            frame = frame.with_columns(fp.json_values(frame.get_column(n)) for n in json)
        return {self.model: frame}


def _derive(cls: type[ModelImporter], model: type[Model]) -> None:
    """Fill the importer's declarations from the model (on the class: the registry, the
    permissions and the checks read them there)."""
    own = cls.__dict__
    label = model._meta.label
    columns, unsupported = _columns(cls, model)
    cls.unsupported_fields = tuple(unsupported)
    lookups = tuple(
        Lookup(
            model,
            c.field.name,
            by=c.lookup_by,
            create=c.field.name in cls.create_missing,
        )
        for c in columns
        if c.lookup_by is not None
    )
    links = tuple(
        ManyToMany(
            model,
            c.field.name,
            by=c.link_by,
            separator=cls.many_to_many_separator,
            create=c.field.name in cls.create_missing,
        )
        for c in columns
        if c.link_by is not None
    )
    created = (
        *(lookup.target for lookup in lookups if lookup.create),
        *(link.lookup.target for link in links if link.create),
    )
    cls.lookups = lookups
    cls.many_to_many = links
    cls.models = (*dict.fromkeys(created), model)
    if cls.upsert_key:
        cls.upsert_keys = {model: tuple(cls.upsert_key)}
    if "description" not in own:
        cls.description = "Columns: " + ", ".join(c.field.name for c in columns) + "."
    if "example_row" not in own:
        cls.example_row = _example_row(columns, cls.many_to_many_separator)
    if "column_names" not in own:
        cls.column_names = _other_names(columns)
    cls.cleaning_df_cls = _cleaning_class(cls, label, columns)


def _columns(cls: type[ModelImporter], model: type[Model]) -> tuple[list[FieldColumn], list[str]]:
    fields = _chosen_fields(cls, model)
    for name in cls.natural_keys:
        if not any(f.name == name and isinstance(f, _RELATIONS) for f in fields):
            msg = (
                f"{cls.__qualname__}.natural_keys: {name!r} is not a foreign key or a "
                "many-to-many field it imports."
            )
            raise ImproperlyConfigured(msg)
    columns: list[FieldColumn] = []
    unsupported: list[str] = []
    for f in fields:
        reason = unsupported_reason(f)
        if reason is not None:
            unsupported.append(reason)
            continue
        try:
            column = (
                many_to_many_column(f, natural_key=cls.natural_keys.get(f.name))
                if isinstance(f, ManyToManyField)
                else column_for(
                    f,
                    natural_key=cls.natural_keys.get(f.name),
                    formats=fp.Formats(cls.date_formats, cls.datetime_formats, cls.time_formats),
                )
            )
        except (UnsupportedField, FieldDoesNotExist) as exc:
            unsupported.append(f"{f.name} ({exc})")
            continue
        columns.append(column)
    return columns, unsupported


#: The fields ``natural_keys`` may name.
_RELATIONS = (ForeignKey, ManyToManyField)


def _chosen_fields(cls: type[ModelImporter], model: type[Model]) -> list[Field[Any, Any]]:
    if not cls.fields:
        return [*importable_fields(model), *importable_many_to_many(model)]
    chosen: list[Field[Any, Any]] = []
    for name in cls.fields:
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:
            msg = f"{cls.__qualname__}.fields: {model._meta.label} has no field {name!r}."
            raise ImproperlyConfigured(msg) from None
        if not isinstance(f, Field) or not (f.concrete or isinstance(f, ManyToManyField)):
            msg = (
                f"{cls.__qualname__}.fields: {model._meta.label}.{name} is neither a column of "
                "its table nor a many-to-many field (a reverse relation is imported from the "
                "other model)."
            )
            raise ImproperlyConfigured(msg)
        chosen.append(f)
    return chosen


def _other_names(columns: Sequence[FieldColumn]) -> dict[str, tuple[str, ...]]:
    """The verbose name (and a foreign key's ``_id`` name) as other headers of each column."""
    aliases: dict[str, tuple[str, ...]] = {}
    for c in columns:
        names = [str(c.field.verbose_name)]
        if c.lookup_by is not None:
            names.append(c.field.attname)
        others = tuple(n for n in dict.fromkeys(names) if n != c.field.name)
        if others:
            aliases[c.field.name] = others
    return aliases


#: Example values of the template file where the column's dtype alone says too little.
_EXAMPLES = {
    "EmailField": "name@example.com",
    "URLField": "https://example.com/",
    "SlugField": "a-slug",
    "UUIDField": "12345678-1234-5678-1234-567812345678",
    "JSONField": '{"key": "value"}',
    "GenericIPAddressField": "192.0.2.1",
    "DurationField": "01:30:00",
    "BooleanField": "yes",
}


def _example_row(columns: Sequence[FieldColumn], separator: str) -> dict[str, object]:
    """A choice's first label, a typical value of the types the template cannot guess, two
    primary keys in a many-to-many cell."""
    row: dict[str, object] = {}
    for c in columns:
        # EmailField and URLField are CharFields to the database: ask the class first.
        kind = next(
            (k for k in (type(c.field).__name__, c.field.get_internal_type()) if k in _EXAMPLES),
            None,
        )
        if c.link_by is not None:  # several values in one cell
            target = c.field.related_model
            pk = target._meta.pk if isinstance(target, type) else None
            if pk is not None and c.link_by == pk.name:  # a natural key's values: unknown
                row[c.field.name] = separator.join(("1", "2"))
        elif c.field.flatchoices:
            row[c.field.name] = str(c.field.flatchoices[0][1])
        elif c.lookup_by is None and kind is not None:
            row[c.field.name] = _EXAMPLES[kind]
    return row


def _cleaning_class(
    cls: type[ModelImporter], label: str, columns: Sequence[FieldColumn]
) -> type[ModelCleaningDF]:
    attrs: dict[str, Any] = {
        "__module__": cls.__module__,
        "__qualname__": f"{cls.__qualname__}.CleaningDF",
        "col_dtypes": {c.field.name: c.parser.dtype for c in columns},
        "col_parsers": {c.field.name: c.parser.parse for c in columns},
        "col_fills": {c.field.name: c.fill for c in columns if c.fill is not None},
        "required_cols": tuple(c.field.name for c in columns if c.required),
        "optional_cols": tuple(c.field.name for c in columns if c.optional),
        "unique_subsets": (tuple(cls.upsert_key),) if cls.upsert_key else (),
        "column_names": cls.column_names,
        "DATE_FORMATS": ("%Y-%m-%d", *cls.date_formats),
        "DATETIME_FORMATS": tuple(cls.datetime_formats),
    }
    name = label.replace(".", "_") + "CleaningDF"
    return type(name, (ModelCleaningDF,), attrs)


_derived: dict[type[Model], type[ModelImporter]] = {}


def model_importer(model: type[Model]) -> type[ModelImporter]:
    """The importer of ``model`` with nothing declared, named after it (``shop.Product``);
    built once per model."""
    found = _derived.get(model)
    if found is None:
        attrs: dict[str, Any] = {
            "__module__": __name__,
            "__qualname__": f"{model.__name__}Importer",
            "model": model,
            "name": model._meta.label,
        }
        found = _derived[model] = type(f"{model.__name__}Importer", (ModelImporter,), attrs)
    return found
