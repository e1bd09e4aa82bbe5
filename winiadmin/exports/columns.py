"""An importer's columns as export columns: the inverse of what the importer reads.

The header of each column is the one the importer's cleaning class expects (its rename map
applied: the file's spelling), the value is read from the exported model by an ORM path: the
field itself, a foreign key's natural key where the importer declares a ``Lookup`` for it
(``category__name``), else the stored key (``store_id``). So a file exported with these columns
imports back through the same importer unchanged.

A column the model cannot give (an importer that computes a field from several columns, or
writes several models per row) is left out and named (:attr:`ExportColumns.left_out`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, ForeignKey, ManyToManyField, Model
from django.utils.translation import gettext as _

from winiadmin.cleaning.tracking import rename_map_of
from winiadmin.exceptions import ImporterNotFound, WiniadminError
from winiadmin.importers import all_importers, get_importer, model_importer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from winiadmin.importers import Importer

#: How a value is written, by the internal type of the field it is read from.
KINDS = {
    "IntegerField": "integer",
    "BigIntegerField": "integer",
    "SmallIntegerField": "integer",
    "PositiveIntegerField": "integer",
    "PositiveBigIntegerField": "integer",
    "PositiveSmallIntegerField": "integer",
    "AutoField": "integer",
    "BigAutoField": "integer",
    "SmallAutoField": "integer",
    "FloatField": "float",
    "DecimalField": "decimal",
    "BooleanField": "boolean",
    "DateField": "date",
    "DateTimeField": "datetime",
    "TimeField": "time",
    "DurationField": "duration",
    "JSONField": "json",
    "UUIDField": "uuid",
}


@dataclass(frozen=True, slots=True)
class ExportColumn:
    #: The header as the importer's file spells it.
    header: str
    #: The ORM path the value is read by (``values_list``).
    path: str
    #: How the value is written: ``text``, ``integer``, ``float``, ``decimal``, ``boolean``,
    #: ``date``, ``datetime``, ``time``, ``duration``, ``json``, ``uuid`` (:data:`KINDS`).
    kind: str
    #: A decimal's digits (a spreadsheet number holds 15 exactly) and places; 0 for other kinds.
    digits: int = 0
    places: int = 0
    #: The Django internal type of the field the value is read from (``CharField``): whether
    #: the database can write the cell itself (:mod:`winiadmin.exports.database_csv`).
    internal: str = ""
    #: A many-to-many column: the related rows' ``path`` values (``tags__name``), in the order
    #: of their links, joined by the importer's separator (``red|blue``); empty: not one.
    separator: str = ""


@dataclass(frozen=True, slots=True)
class ExportColumns:
    model: type[Model]
    columns: tuple[ExportColumn, ...]
    #: The importer's columns the model cannot give, with why.
    left_out: tuple[str, ...] = ()

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def chosen(self, headers: Sequence[str]) -> ExportColumns:
        """Only the columns named (in the importer's order); an unknown name is refused."""
        unknown = [h for h in headers if h not in self.headers]
        if unknown:
            msg = _("No export column is named %(names)s (known: %(known)s).") % {
                "names": ", ".join(map(repr, unknown)),
                "known": ", ".join(self.headers),
            }
            raise WiniadminError(msg)
        wanted = set(headers)
        kept = tuple(c for c in self.columns if c.header in wanted)
        return ExportColumns(self.model, kept, self.left_out)


def exported_model(importer: type[Importer]) -> type[Model]:
    """The model an importer's export reads: a derived importer's ``model``, else the last
    model it writes (the others are what its rows refer to: categories, then products)."""
    model = getattr(importer, "model", None)
    if isinstance(model, type) and issubclass(model, Model):
        return model
    if not importer.models:
        msg = _("%(importer)s writes no model, so it has nothing to export.") % {
            "importer": importer.get_name()
        }
        raise WiniadminError(msg)
    return importer.models[-1]


def importers_exporting(model: type[Model]) -> list[type[Importer]]:
    """The importers whose files hold ``model``'s rows (:func:`exported_model`), else the one
    derived from the model: the first is what an export of ``model`` uses by default."""
    found = [i for i in all_importers() if i.models and exported_model(i) is model]
    return found or [model_importer(model)]


def find_export_importer(name: str) -> type[Importer]:
    """An importer by name, else by model label: the one importer whose files hold that
    model's rows, or the model's derived importer when none does (the commands' argument)."""
    try:
        return get_importer(name)
    except ImporterNotFound as not_found:
        try:
            model = apps.get_model(name)
        except (LookupError, ValueError):
            raise not_found from None
    found = importers_exporting(model)
    if len(found) > 1:
        names = ", ".join(sorted(i.get_name() for i in found))
        msg = _("Several importers hold %(model)s's rows: %(names)s. Name one.") % {
            "model": model._meta.label,
            "names": names,
        }
        raise ImporterNotFound(msg)
    return found[0]


def export_columns(importer: type[Importer], model: type[Model] | None = None) -> ExportColumns:
    """The columns of ``importer``'s files, read from ``model`` (by default
    :func:`exported_model`)."""
    model = model or exported_model(importer)
    cleaning = importer.cleaning_df_cls
    if cleaning is None:
        msg = _("%(importer)s declares no cleaning_df_cls, so it has no columns.") % {
            "importer": importer.get_name()
        }
        raise WiniadminError(msg)
    headers = rename_map_of(cleaning)
    lookups = {lookup.field: lookup.by for lookup in importer.lookups if lookup.model is model}
    links = {link.field: link for link in importer.many_to_many if link.model is model}
    columns: list[ExportColumn] = []
    left_out: list[str] = []
    for name in cleaning.get_col_dtype_map():
        header = headers.get(name, name)
        link = links.get(name)
        column = (
            _many_column(model, name, header, link.by, link.separator)
            if link is not None
            else _column(model, name, header, lookups.get(name))
        )
        if column is None:
            left_out.append(
                _("%(column)s (not a field of %(model)s)")
                % {"column": header, "model": model._meta.label}
            )
        else:
            columns.append(column)
    if not columns:
        msg = _("No column of %(importer)s is a field of %(model)s.") % {
            "importer": importer.get_name(),
            "model": model._meta.label,
        }
        raise WiniadminError(msg)
    return ExportColumns(model, tuple(columns), tuple(left_out))


def _column(model: type[Model], name: str, header: str, by: str | None) -> ExportColumn | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, Field) or not field.concrete:
        return None
    if isinstance(field, ForeignKey):
        target = field.related_model
        assert isinstance(target, type)
        if by is None:
            # No natural key declared: the importer reads the stored key.
            return _typed(header, field.attname, field.target_field)
        return _typed(header, f"{name}__{by}", target._meta.get_field(by))
    return _typed(header, name, field)


def _many_column(
    model: type[Model], name: str, header: str, by: str, separator: str
) -> ExportColumn | None:
    field = model._meta.get_field(name)
    if not isinstance(field, ManyToManyField):
        return None
    target = field.related_model
    assert isinstance(target, type)
    internal = str(target._meta.get_field(by).get_internal_type())
    return ExportColumn(header, f"{name}__{by}", "many", internal=internal, separator=separator)


def _typed(header: str, path: str, field: Any) -> ExportColumn:
    kind = KINDS.get(field.get_internal_type(), "text")
    if isinstance(field, ForeignKey):
        # A natural key that is itself a foreign key: its stored value.
        return _typed(header, path, field.target_field)
    internal = str(field.get_internal_type())
    if kind != "decimal":
        return ExportColumn(header, path, kind, internal=internal)
    digits = int(getattr(field, "max_digits", 0) or 0)
    places = int(getattr(field, "decimal_places", 0) or 0)
    return ExportColumn(header, path, kind, digits, places, internal)
