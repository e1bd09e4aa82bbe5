"""The database values of instances, a column at a time, as ``bulk_create`` prepares them.

``bulk_create`` calls ``field.pre_save(obj, add=True)`` and ``field.get_db_prep_save(value,
connection)`` for every value: for a plain ``str``, ``int``, ``Decimal`` or ``date`` that is a
chain of four or five method calls which end by returning the value (or the backend adapter's
result) unchanged — most of the time the plain-row insert spends in Python.

:func:`column_preparers` works out once per model which of those chains are known no-ops: a
field whose ``pre_save`` only reads the attribute is read from the instance ``__dict__``; a value
of a type whose conversion Django's own field classes reduce to the backend adapter (``str`` in a
``CharField``, ``int`` in an ``IntegerField`` or a foreign key to an auto key, a finite
``Decimal``, a ``date``, an aware ``datetime``) goes straight to that adapter, or is kept as it is
when the adapter is one of Django's that return the value unchanged. A field class that overrides
any method on the way (a custom field, a subclass) and any other value type take the full
``get_db_prep_save`` call, so the result is always what ``bulk_create`` would send.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    ForeignKey,
    IntegerField,
    TextField,
    TimeField,
)
from django.db.models.fields import AutoFieldMixin

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.db.models import Model

type Adapter = Callable[[Any], Any]

#: Backend adapters that return their value unchanged: (module, qualified name) of Django's own.
_IDENTITY_ADAPTERS = frozenset(
    {
        ("django.db.backends.base.operations", "BaseDatabaseOperations.adapt_integerfield_value"),
        ("django.db.backends.base.operations", "BaseDatabaseOperations.adapt_decimalfield_value"),
        ("django.db.backends.base.operations", "BaseDatabaseOperations.validate_autopk_value"),
        ("django.db.backends.postgresql.operations", "DatabaseOperations.adapt_datefield_value"),
        (
            "django.db.backends.postgresql.operations",
            "DatabaseOperations.adapt_datetimefield_value",
        ),
    }
)


class ExpressionValueError(Exception):
    """A value is an expression (``Now()``, ``F()``): only ``bulk_create`` can compile it."""


@dataclass(frozen=True, slots=True)
class ColumnPreparer:
    """How one field's database values are taken from a chunk of instances."""

    field: Field[Any, Any]
    connection: Any
    #: ``pre_save`` only reads the attribute: read ``__dict__`` instead.
    reads_attribute: bool
    #: Exact value types sent as they are.
    unchanged: frozenset[type]
    #: Exact value types sent through one adapter call instead of the whole chain.
    adapters: dict[type, Adapter]

    def values(self, objs: Sequence[Model]) -> list[Any]:
        """The chunk's values of this field, ready for the database driver.

        Raises :class:`ExpressionValueError` when a value is an expression.
        """
        if self.reads_attribute:
            attname = self.field.attname
            try:
                raw = [obj.__dict__[attname] for obj in objs]
            except KeyError:  # a deferred field: the descriptor loads it, as pre_save does
                raw = [getattr(obj, attname) for obj in objs]
        else:
            raw = [self.field.pre_save(obj, True) for obj in objs]
        unchanged, adapter, full = self.unchanged, self.adapters.get, self._full
        return [
            value if type(value) in unchanged else adapter(type(value), full)(value)
            for value in raw
        ]

    def _full(self, value: object) -> object:
        if hasattr(value, "resolve_expression"):
            raise ExpressionValueError
        return self.field.get_db_prep_save(value, connection=self.connection)


def column_preparers(fields: Sequence[Field[Any, Any]], connection: Any) -> list[ColumnPreparer]:
    return [_preparer(f, connection) for f in fields]


def prepared_columns(objs: Sequence[Model], preparers: Sequence[ColumnPreparer]) -> list[list[Any]]:
    """One list of database values per preparer's field, in ``objs``' order (raises
    :class:`ExpressionValueError`): what :class:`~winiadmin.db.rows_writer.RowsWriter` writes."""
    return [preparer.values(objs) for preparer in preparers]


def prepared_rows(
    objs: Sequence[Model], preparers: Sequence[ColumnPreparer]
) -> list[tuple[Any, ...]]:
    """One tuple of database values per instance (raises :class:`ExpressionValueError`)."""
    return list(zip(*prepared_columns(objs, preparers), strict=True))


def _preparer(f: Field[Any, Any], connection: Any) -> ColumnPreparer:
    adapters = _shortcuts(f, connection)
    unchanged = frozenset(t for t, adapter in adapters.items() if adapter is None)
    return ColumnPreparer(
        field=f,
        connection=connection,
        reads_attribute=_reads_attribute(f),
        unchanged=unchanged,
        adapters={t: a for t, a in adapters.items() if a is not None},
    )


def _reads_attribute(f: Field[Any, Any]) -> bool:
    """Whether ``f.pre_save(obj, add=True)`` is ``getattr(obj, f.attname)``."""
    pre_save = type(f).pre_save
    if pre_save is Field.pre_save:
        return True
    stock = (DateField.pre_save, DateTimeField.pre_save, TimeField.pre_save)
    return pre_save in stock and not (getattr(f, "auto_now", False) or f.auto_now_add)  # type: ignore[attr-defined]


def _django_class(f: Field[Any, Any]) -> bool:
    """Whether every class of ``f`` comes from Django (no project subclass or mixin)."""
    return all(cls.__module__.startswith("django.") for cls in type(f).__mro__[:-1])


def _stock(f: Field[Any, Any], owner: type, *names: str) -> bool:
    """Whether ``f``'s class uses ``owner``'s own versions of these methods (nothing overridden)."""
    cls = type(f)
    return all(getattr(cls, name) is getattr(owner, name) for name in names)


_CHAIN = ("get_db_prep_save", "get_db_prep_value", "get_prep_value", "to_python")
_NONE: dict[type, Adapter | None] = {type(None): None}  # every chain below sends None as None

type Shortcuts = dict[type, Adapter | None]


def _shortcuts(f: Field[Any, Any], connection: Any) -> Shortcuts:
    """Exact value type → the adapter its conversion reduces to (None: the value unchanged).

    Every rule restates what Django's own methods do with such a value;
    ``tests/db/test_prepared_values.py`` compares them with ``get_db_prep_save`` on each backend.
    A type missing here takes the full ``get_db_prep_save`` call.
    """
    if not _django_class(f):
        return {}
    for field_class, rule in _RULES:
        if isinstance(f, field_class):
            return rule(f, connection)
    return {}


def _foreign_key(f: Any, connection: Any) -> Shortcuts:
    # None → None; anything else → the target field's chain. "" may become None first, so
    # strings are left to the full call.
    if not _stock(f, ForeignKey, "get_db_prep_save"):
        return {}
    target = _shortcuts(f.target_field, connection)
    return {t: a for t, a in target.items() if t is not str}


def _auto(f: Any, connection: Any) -> Shortcuts:
    # get_prep_value: int(value), the same int; validate_autopk_value; get_db_prep_value
    # (prepared=True) returns it.
    stock = _stock(f, AutoFieldMixin, "get_db_prep_save", "get_db_prep_value")
    if not stock or not _stock(f, IntegerField, "get_prep_value"):
        return {}
    return {**_NONE, int: _adapter(connection.ops.validate_autopk_value)}


def _text(f: Any, _connection: Any) -> Shortcuts:
    # get_prep_value → to_python, which returns a str as it is.
    owner = CharField if isinstance(f, CharField) else TextField
    return {**_NONE, str: None} if _stock(f, owner, *_CHAIN) else {}


def _integer(f: Any, connection: Any) -> Shortcuts:
    # get_prep_value: int(value), the same int; then the backend's integer adapter.
    if not _stock(f, IntegerField, *_CHAIN):
        return {}
    ops = connection.ops
    adapt = partial(ops.adapt_integerfield_value, internal_type=f.get_internal_type())
    return {**_NONE, int: _adapter(ops.adapt_integerfield_value, adapt)}


def _decimal(f: Any, connection: Any) -> Shortcuts:
    # to_python: Decimal(value), an equal Decimal, refused when not finite (the full call raises
    # that ValidationError); then the backend's decimal adapter.
    if not _stock(f, DecimalField, *_CHAIN):
        return {}
    ops = connection.ops
    places = {"max_digits": f.max_digits, "decimal_places": f.decimal_places}
    adapt = _adapter(ops.adapt_decimalfield_value, partial(ops.adapt_decimalfield_value, **places))
    full = partial(f.get_db_prep_save, connection=connection)
    return {**_NONE, Decimal: partial(_finite, adapt, full)}


def _datetime(f: Any, connection: Any) -> Shortcuts:
    # to_python keeps a datetime; an aware one is not re-interpreted (a naive one is: warning,
    # made aware, left to the full call); then the backend's datetime adapter.
    if not _stock(f, DateTimeField, *_CHAIN):
        return {}
    adapt = _adapter(connection.ops.adapt_datetimefield_value)
    full = partial(f.get_db_prep_save, connection=connection)
    return {**_NONE, datetime.datetime: partial(_aware, adapt, full)}


def _date(f: Any, connection: Any) -> Shortcuts:
    # to_python keeps a date (the exact type: a datetime is converted, by the full call); then
    # the backend's date adapter.
    if not _stock(f, DateField, *_CHAIN):
        return {}
    return {**_NONE, datetime.date: _adapter(connection.ops.adapt_datefield_value)}


#: First match wins: subclasses before their parents (DateTimeField is a DateField).
_RULES: tuple[tuple[type, Callable[[Any, Any], Shortcuts]], ...] = (
    (ForeignKey, _foreign_key),
    (AutoFieldMixin, _auto),
    (CharField, _text),
    (TextField, _text),
    (IntegerField, _integer),
    (DecimalField, _decimal),
    (DateTimeField, _datetime),
    (DateField, _date),
)


def _adapter(method: Adapter, call: Adapter | None = None) -> Adapter | None:
    """``call`` (default: ``method``), or None when ``method`` is Django's identity adapter."""
    func = getattr(method, "__func__", method)
    if (func.__module__, func.__qualname__) in _IDENTITY_ADAPTERS:
        return None
    return call or method


def _finite(adapt: Adapter | None, full: Adapter, value: Decimal) -> object:
    if not value.is_finite():
        return full(value)
    return value if adapt is None else adapt(value)


def _aware(adapt: Adapter | None, full: Adapter, value: datetime.datetime) -> object:
    if value.utcoffset() is None:
        return full(value)
    return value if adapt is None else adapt(value)
