"""A model's fields as the columns of a file: which are importable, how each is read.

:func:`column_for` gives, for one concrete field, the column's parser (by the field's type, see
:mod:`winiadmin.importers.field_parsers`), whether a value is required, and what an empty cell
becomes. A foreign key's column holds the related row's primary key or the natural key declared
for it, read by that field's parser. A many-to-many field's column (:func:`many_to_many_column`)
holds several such values in one cell, joined by a separator; it is text to the cleaning and
split by the link writer (:mod:`winiadmin.db.many_to_many`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import NOT_PROVIDED, Field, ForeignKey, ManyToManyField, Model

from winiadmin.importers import field_parsers as fp

#: Field types read without a parser of their own being written (others: ``unsupported``).
SUPPORTED_TYPES = frozenset(
    {
        *fp.TEXT_FIELDS,
        *fp.INTEGER_RANGES,
        "FloatField",
        "DecimalField",
        "BooleanField",
        "DateField",
        "DateTimeField",
        "TimeField",
        "DurationField",
        "UUIDField",
        "JSONField",
        "GenericIPAddressField",
        "ForeignKey",
        "OneToOneField",
    }
)


#: The most digits a polars decimal holds.
MAX_DECIMAL_DIGITS = 38


class UnsupportedField(Exception):
    """The field's type has no parser; the message names it."""


@dataclass(frozen=True, slots=True)
class FieldColumn:
    field: Field[Any, Any]
    parser: fp.FieldParser
    #: A value is required: no NULL, no default, and no empty spelling (``""``, ``False``).
    required: bool
    #: What an empty cell becomes, when not NULL (``None``: NULL, or required).
    fill: object = None
    #: The related model's field the column holds, for a foreign key.
    lookup_by: str | None = None
    #: The file may leave the column out: the field has a default, takes NULL or blank text.
    optional: bool = False
    #: A many-to-many field: the related model's field each value of the cell is (the cell
    #: is text; ``ManyToMany`` splits it).
    link_by: str | None = None


def importable_fields(model: type[Model]) -> list[Field[Any, Any]]:
    """The fields a file gives by default: editable, concrete, set by no one else."""
    return [
        f
        for f in model._meta.local_concrete_fields
        if f.editable
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
        and not f.generated
        and not (f.primary_key and f.get_internal_type() in fp.INTEGER_RANGES and f.db_returning)
    ]


def importable_many_to_many(model: type[Model]) -> list[ManyToManyField[Any, Any]]:
    """The many-to-many fields a file gives by default: the editable ones of the model."""
    return [f for f in model._meta.local_many_to_many if f.editable]


def many_to_many_column(
    field: ManyToManyField[Any, Any], *, natural_key: str | None
) -> FieldColumn:
    """A cell of values joined by a separator: the related rows' primary keys, or the
    ``natural_key`` field's values. Never required: an empty cell links nothing, a file
    without the column leaves the links alone."""
    import polars as pl  # noqa: PLC0415 - dtypes only

    target = field.related_model
    assert isinstance(target, type)
    pk = target._meta.pk
    assert pk is not None
    by = natural_key or pk.name
    target._meta.get_field(by)  # FieldDoesNotExist: the caller lists the field as unsupported
    parser = fp.FieldParser(pl.String(), fp.text_parser)
    return FieldColumn(field, parser, required=False, optional=True, link_by=by)


def unsupported_reason(field: Field[Any, Any]) -> str | None:
    """Why the field cannot be a column (``None``: it can)."""
    if isinstance(field, ManyToManyField):
        through = field.remote_field.through
        if isinstance(through, type) and not through._meta.auto_created:
            # Its through model may require fields of its own that one cell cannot give.
            return f"{field.name} (ManyToManyField through {through._meta.label})"
        return None
    kind = field.get_internal_type()
    if kind not in SUPPORTED_TYPES:
        return f"{field.name} ({type(field).__name__})"
    return None


def column_for(
    field: Field[Any, Any],
    *,
    natural_key: str | None,
    formats: fp.Formats,
) -> FieldColumn:
    if isinstance(field, ForeignKey):
        target = field.related_model
        assert isinstance(target, type)
        # By default the value the key stores: the primary key, or the ``to_field``.
        by = natural_key or field.target_field.name
        key_field = target._meta.get_field(by)
        assert isinstance(key_field, Field)
        inner = column_for(key_field, natural_key=None, formats=formats)
        return FieldColumn(
            field, inner.parser, required=not field.null, lookup_by=by, optional=_optional(field)
        )
    parser = _parser_for(field, formats)
    if field.flatchoices:
        parse = fp.choices_parser(fp.flat_choices(field), parser.parse)
        parser = fp.FieldParser(parser.dtype, parse)
    fill = _fill_for(field)
    return FieldColumn(
        field,
        parser,
        required=fill is None and not field.null,
        fill=fill,
        optional=_optional(field),
    )


def _optional(field: Field[Any, Any]) -> bool:
    """Without a column, the row still gets a value: the default, NULL or ``""``."""
    blank_text = field.get_internal_type() in fp.TEXT_FIELDS and field.blank
    return field.null or field.has_default() or field.has_db_default() or blank_text


def _fill_for(field: Field[Any, Any]) -> object:
    """An empty cell of a NOT NULL field: its (constant) default, ``""`` for text that may be
    blank, ``False`` for a boolean (a checkbox column: ``x`` or empty); else ``None``."""
    if field.null:
        return None
    if field.default is not NOT_PROVIDED and not callable(field.default):
        return field.default
    kind = field.get_internal_type()
    if kind in fp.TEXT_FIELDS and field.blank:
        return ""
    if kind == "BooleanField":
        return False
    return None


def _parser_for(field: Field[Any, Any], formats: fp.Formats) -> fp.FieldParser:
    import polars as pl  # noqa: PLC0415 - dtypes only

    kind = field.get_internal_type()
    if kind in fp.TEXT_FIELDS:
        return fp.FieldParser(pl.String(), fp.text_parser)
    if kind in fp.INTEGER_RANGES:
        return fp.FieldParser(pl.Int64(), fp.integer_parser(*fp.INTEGER_RANGES[kind]))
    simple: dict[str, fp.FieldParser] = {
        "FloatField": fp.FieldParser(pl.Float64(), fp.float_parser),
        "BooleanField": fp.FieldParser(pl.Boolean(), fp.boolean_parser),
        "TimeField": fp.FieldParser(pl.Time(), fp.time_parser(formats.times)),
        "DurationField": fp.FieldParser(pl.Duration("us"), fp.duration_parser),
        "UUIDField": fp.FieldParser(pl.String(), fp.uuid_parser),
        "JSONField": fp.FieldParser(pl.String(), fp.json_parser),
        "DateField": fp.FieldParser(pl.Date(), fp.date_parser(formats.dates)),
        "DateTimeField": fp.FieldParser(fp.datetime_dtype(), fp.datetime_parser(formats.datetimes)),
    }
    if kind in simple:
        return simple[kind]
    if kind == "DecimalField":
        digits, places = getattr(field, "max_digits", 38), getattr(field, "decimal_places", 0)
        if digits > MAX_DECIMAL_DIGITS:
            msg = f"DecimalField with more than {MAX_DECIMAL_DIGITS} digits"
            raise UnsupportedField(msg)
        return fp.FieldParser(pl.Decimal(digits, places), fp.decimal_parser(digits, places))
    if kind == "GenericIPAddressField":
        protocol = getattr(field, "protocol", "both")
        unpack = bool(getattr(field, "unpack_ipv4", False))
        return fp.FieldParser(pl.String(), fp.ip_parser(protocol, unpack_ipv4=unpack))
    raise UnsupportedField(type(field).__name__)
