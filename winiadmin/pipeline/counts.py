"""What a run's loads add up to (:class:`RunTotals`), and the per-model counts (created,
updated, unchanged) as the result reports them."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Model

from winiadmin.db.key_runs import KeyRuns
from winiadmin.db.upsert import RowChange, UpsertTally
from winiadmin.pipeline.load import LoadOutcome
from winiadmin.problems import ProblemKind
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


@dataclass(slots=True)
class RunTotals:
    """What the batches of a run added up to (a file read whole: its one batch): the one place
    a run's outcome is accumulated before it is decided."""

    #: Rows inserted, and upsert tallies, per model, over every load.
    counts: dict[type[Model], int] = field(default_factory=dict)
    tallies: dict[type[Model], UpsertTally] = field(default_factory=dict)
    pks: dict[type[Model], list[object]] = field(default_factory=dict)
    #: A streamed run's created keys, kept compactly instead of in ``pks`` (they grow with the
    #: file): runs of consecutive keys as ranges.
    key_runs: dict[type[Model], KeyRuns] = field(default_factory=dict)
    streamed: bool = False
    #: Many-to-many links removed by upserts, per through model.
    removed: dict[type[Model], int] = field(default_factory=dict)
    #: Rows with errors found while cleaning; rows left out for a conflict.
    invalid_rows: set[int] = field(default_factory=set)
    conflict_rows: set[int] = field(default_factory=set)
    #: A load found rows conflicting with the database (or with an earlier batch).
    conflicts: bool = False
    #: A load found problems that skipping invalid rows cannot cure (unknown natural keys).
    blocking: bool = False
    #: The file cannot be imported at all (missing columns, a refused mapping).
    file_error: bool = False
    #: The importer raised ``RowProblems`` while transforming.
    row_problems: bool = False
    #: A load left out rows the models' own rules refuse (not only database conflicts).
    rule_refusals: bool = False

    def add_load(self, loaded: LoadOutcome) -> None:
        for model, n in loaded.counts.items():
            self.counts[model] = self.counts.get(model, 0) + n
        for model, n in loaded.removed.items():
            self.removed[model] = self.removed.get(model, 0) + n
        for model, tally in loaded.tallies.items():
            self.tallies.setdefault(model, UpsertTally(tally.limit)).add(tally)
        for model, pks in loaded.pks.items():
            if self.streamed:
                self.key_runs.setdefault(model, KeyRuns()).extend(pks)
            else:
                self.pks.setdefault(model, []).extend(pks)
        self.conflicts |= loaded.has_conflicts
        self.rule_refusals |= any(
            p.kind is not ProblemKind.DATABASE_CONFLICT for p in loaded.problems
        )
        self.blocking |= loaded.blocking
        self.conflict_rows.update(p.row for p in loaded.problems if p.row is not None)
