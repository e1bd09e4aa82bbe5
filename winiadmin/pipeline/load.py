"""The load stage (unique conflicts checked per chunk) and the run's one transaction.

The stage loads every row it can, conflicting rows left out, inside :class:`RunTransaction`;
whether that is committed is decided once, by the run, when every batch is loaded.
"""

from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import TYPE_CHECKING, Self

import polars as pl
from django.db import transaction
from django.db.models import Model

from winiadmin.db.bulk import load_bulks
from winiadmin.db.deferred_checks import check_before_commit
from winiadmin.db.through_rows import LinkCounts
from winiadmin.db.upsert import UpsertTally
from winiadmin.exceptions import ObjectRefused, RowRefused
from winiadmin.pipeline.collector import collector_paused
from winiadmin.pipeline.conflicts import ConflictFilter
from winiadmin.pipeline.deadline import Deadline
from winiadmin.pipeline.links import link_cells, require_returned_keys, write_stage_links
from winiadmin.pipeline.spec import BulksByModel
from winiadmin.problems import Problem
from winiadmin.progress import Progress, ProgressCallback
from winiadmin.results import Stage
from winiadmin.validation.objects import ObjectRules

if TYPE_CHECKING:
    from winiadmin.db.lookups import KeyResolver
    from winiadmin.db.many_to_many import ManyToMany
    from winiadmin.pipeline.frame_conflicts import KeyHistory
    from winiadmin.pipeline.options import BeforeCommit


@dataclass(slots=True)
class LoadOutcome:
    #: Rows inserted per model, in insert order (rolled back again on a dry run or on conflicts).
    counts: dict[type[Model], int] = field(default_factory=dict)
    pks: dict[type[Model], list[object]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Problems that skipping invalid rows cannot cure (unknown natural keys).
    blocking: bool = False
    #: Updated / unchanged rows (and a sample of the changes) of the upserted models.
    tallies: dict[type[Model], UpsertTally] = field(default_factory=dict)
    #: Through rows removed per through model (many-to-many ``on_upsert="replace"``).
    removed: dict[type[Model], int] = field(default_factory=dict)

    @property
    def has_conflicts(self) -> bool:
        return bool(self.problems)

    def add_links(self, linked: LinkCounts) -> None:
        """The through rows of many-to-many fields: created, removed, their keys."""
        self.counts.update(linked.added)
        self.removed.update(linked.removed)
        self.pks.update(linked.pks)


@dataclass(slots=True)
class LoadSettings:
    step: int
    using: str
    deadline: Deadline
    progress: ProgressCallback
    collect_pks: bool = False
    #: Rows per chunk for frame-native loading (COPY / executemany).
    frame_step: int = 50_000
    #: A streamed import's unique keys of earlier batches (see frame_conflicts.KeyHistory).
    key_history: "KeyHistory | None" = None
    #: Upsert key (field names) per model: stored rows are updated instead of created.
    upsert_keys: Mapping[type[Model], tuple[str, ...]] = field(default_factory=dict)
    #: Changed rows kept per model to show old → new.
    diff_limit: int = 200
    #: Natural keys of the run's lookups (created, or recorded when unmatched).
    resolver: "KeyResolver | None" = None
    #: File rows this load stores: progress counts these (people count rows of their file, not
    #: objects across models), as the share of the objects stored so far.
    rows: int | None = None
    #: Check the models' own rules (``full_clean()``) before writing (the importer's
    #: ``validate_model_rules``).
    validate_rules: bool = True
    #: Many-to-many fields given by natural keys (the importer's ``many_to_many``).
    many_to_many: "tuple[ManyToMany, ...]" = ()
    #: Cleaned column → the file header it came from (the header row the user sees): a
    #: problem about a model field fed by the cleaned column of the same name names this header.
    column_labels: Mapping[str, str] = field(default_factory=dict)


class RunTransaction:
    """The run's one transaction: opened at its first load, ended once, committed or not.

    Opened at the first load, not before: reading and cleaning hold no lock (SQLite's
    ``IMMEDIATE`` transactions take the write lock at ``BEGIN``), and a run that loads nothing
    (file errors, the importer's ``RowProblems`` on a file read whole) needs none. A streamed
    file's batches all load inside it: later batches see the rows of earlier ones, and one
    decision at the end commits or rolls back every batch together. An exception leaving the
    ``with`` block rolls back (Django's ``atomic``).
    """

    def __init__(self, using: str, before_commit: "BeforeCommit | None") -> None:
        self.using = using
        self.before_commit = before_commit
        self._scope = ExitStack()
        self.opened = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        return bool(self._scope.__exit__(exc_type, exc, traceback))

    def open(self) -> None:
        if not self.opened:
            self._scope.enter_context(transaction.atomic(using=self.using))
            self.opened = True

    def end(self, *, commit: bool) -> None:
        """The one decision: roll back (a dry run, any blocking problem), or run the checks the
        database deferred to COMMIT (PostgreSQL: now, by index; a refusal rolls back), call the
        ``before_commit`` hook (it may still refuse, by raising) and let the block commit.

        The deferred checks come before the hook: the job fence's row lock, taken by the hook,
        is then held for an instant, not for the seconds a million checks take."""
        if not self.opened:
            return
        if not commit:
            transaction.set_rollback(True, using=self.using)
            return
        check_before_commit(self.using)
        if self.before_commit is not None:
            self.before_commit()


def progress_counter(
    settings: LoadSettings, total: int | None
) -> Callable[[type[Model], int], None]:
    """Progress per stored chunk of ``total`` objects, in file rows when ``settings.rows`` is
    known (objects per row vary by model: a category serves many products)."""
    done = 0

    def on_chunk(model: type[Model], n: int) -> None:
        nonlocal done
        done += n
        settings.deadline.check()
        rows = settings.rows
        of: int | None
        if rows is not None and total:
            shown, of = min(rows, rows * done // total), rows
        else:
            shown, of = done, total
        settings.progress(Progress(Stage.LOAD, shown, of, model._meta.label))

    return on_chunk


def load_stage(
    bulks: BulksByModel,
    settings: LoadSettings,
    *,
    frame: pl.DataFrame,
    rows: pl.Series,
) -> LoadOutcome:
    conflicts = ConflictFilter(
        settings.using,
        frame,
        rows,
        settings.step,
        upsert_keys=settings.upsert_keys,
        diff_limit=settings.diff_limit,
        rules=ObjectRules(frame, rows, settings.column_labels) if settings.validate_rules else None,
        resolver=settings.resolver,
    )
    cells = link_cells(settings.many_to_many)
    if cells is not None:
        require_returned_keys(settings.using)
    checked = {
        model: conflicts.wrap(model, cells.watch(model, objs) if cells else objs)
        for model, objs in bulks.items()
    }
    total = _known_total(bulks)
    outcome = LoadOutcome()
    progress = progress_counter(settings, total)
    try:
        with collector_paused() as collector:

            def on_chunk(model: type[Model], n: int) -> None:
                collector.chunk_stored()
                progress(model, n)

            loaded = load_bulks(
                checked,
                settings.step,
                using=settings.using,
                on_chunk=on_chunk,
                # Many-to-many links need the objects' keys: bulk_create reads them back.
                collect=settings.collect_pks or cells is not None,
                resolver=settings.resolver,
            )
    except ObjectRefused as exc:  # the database refused an object: name its file row
        problem = replace(exc.problem, row=conflicts.row_of(exc.obj))
        raise RowRefused(problem) from exc
    for model, value in loaded.items():
        if isinstance(value, list):
            outcome.counts[model] = len(value)
            if settings.collect_pks:
                outcome.pks[model] = [obj.pk for obj in value]
        else:
            outcome.counts[model] = value
    # The through rows once every model is stored (the run's transaction is open).
    linked = write_stage_links(
        cells,
        settings.resolver,
        using=settings.using,
        step=settings.frame_step,
        collect_pks=settings.collect_pks,
    )
    outcome.add_links(linked)
    outcome.problems = conflicts.problems
    outcome.tallies = conflicts.tallies
    return outcome


def _known_total(bulks: BulksByModel) -> int | None:
    """Rows to load, when every bulk knows its length (lists do, generators do not)."""
    total = 0
    for objs in bulks.values():
        if not hasattr(objs, "__len__"):
            return None
        total += len(objs)  # type: ignore[arg-type]
    return total
