"""Rows that belong to someone: the values a run fixes (``RunOptions.fixed_values``: the owner)
as the columns of a model that has them. The pipeline sets them on the rows it creates; the key
resolver finds related rows only among those holding them, and gives them to the ones it
creates."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.db.models import Model


def fixed_fields(model: type[Model], fixed: Mapping[str, object]) -> dict[str, object]:
    """``fixed`` as the model's attnames (``owner`` → ``owner_id``), for the fields it has."""
    found: dict[str, object] = {}
    for f in model._meta.concrete_fields:
        for name in (f.name, f.attname):
            if name in fixed:
                found[f.attname] = fixed[name]
    return found
