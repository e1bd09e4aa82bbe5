"""The sets of fields a model's unique constraints cover.

Read by the conflict checks before inserting (:mod:`winiadmin.pipeline.conflicts`) and by the
upsert key's check (:mod:`winiadmin.db.upsert`): knowledge of the table, so it lives with the
database helpers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import Model


def unique_field_sets(model: type[Model]) -> list[tuple[str, ...]]:
    """Attribute names of each unique constraint that plain values can violate."""
    opts = model._meta
    sets: list[tuple[str, ...]] = []
    for f in opts.local_concrete_fields:
        auto_pk = f.primary_key and getattr(f, "db_returning", False)
        if f.unique and not auto_pk:
            sets.append((f.attname,))
    for names in opts.unique_together:
        sets.append(tuple(opts.get_field(n).attname for n in names))  # type: ignore[union-attr]
    for constraint in opts.total_unique_constraints:
        if constraint.fields and not constraint.expressions:
            sets.append(tuple(opts.get_field(n).attname for n in constraint.fields))  # type: ignore[union-attr]
    return list(dict.fromkeys(sets))
