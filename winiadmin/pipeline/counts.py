"""Per-model counts of a load (created, updated, unchanged) as the result reports them."""

from collections.abc import Mapping

from django.db.models import Model

from winiadmin.db.upsert import RowChange, UpsertTally
from winiadmin.results import ModelCount


def model_counts(
    counts: Mapping[type[Model], int],
    tallies: Mapping[type[Model], UpsertTally],
    removed: Mapping[type[Model], int] | None = None,
) -> list[ModelCount]:
    """``removed``: many-to-many links an upsert took away, per through model."""
    removed = removed or {}
    models = [*counts, *(m for m in tallies if m not in counts)]
    models += [m for m in removed if m not in models]
    return [
        ModelCount(
            model._meta.label,
            str(model._meta.verbose_name_plural),
            counts.get(model, 0),
            tallies[model].updated if model in tallies else 0,
            tallies[model].unchanged if model in tallies else 0,
            removed.get(model, 0),
        )
        for model in models
    ]


def changes_by_label(tallies: Mapping[type[Model], UpsertTally]) -> dict[str, list[RowChange]]:
    return {m._meta.label: t.changes for m, t in tallies.items() if t.changes}
