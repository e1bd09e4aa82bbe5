"""Django's own verdict on one value: the exact message ``full_clean()`` would give, or None.

The vectorised checks (:mod:`winiadmin.validation.checks`) only find *candidates*; every distinct
candidate value is then judged here by Django's validator itself, so that the message is
Django's and a vectorised approximation can never refuse a value Django accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import DecimalField, Field

type Validator = Callable[[Any], None]


def python_value(field: Field[Any, Any], value: object) -> object:
    """``value`` as the field holds it; a float for a ``DecimalField`` as its shortest decimal
    text (12.34 is two decimal places, as typed, not the 12.339999… of the binary float)."""
    if isinstance(field, DecimalField) and isinstance(value, float):
        try:
            return Decimal(repr(value))
        except InvalidOperation:  # pragma: no cover - repr of a float is always a decimal
            return value
    return field.to_python(value)


def verdict(field: Field[Any, Any], validator: Validator, value: object) -> str | None:
    """Django's message for ``value`` refused by ``validator``, or None when it passes."""
    try:
        validator(python_value(field, value))
    except ValidationError as exc:
        return " ".join(str(m) for m in exc.messages)
    return None


def to_python_verdict(field: Field[Any, Any], value: object) -> str | None:
    """Django's message when ``value`` is no value of the field at all (``to_python`` refuses)."""
    try:
        python_value(field, value)
    except ValidationError as exc:
        return " ".join(str(m) for m in exc.messages)
    return None
