"""A frame-native import of a large file, batch by batch, in one transaction.

Each batch of rows (``STREAM_BATCH_ROWS``) is read, cleaned, transformed and loaded before the
next is read, so memory depends on the batch, not on the file. Everything happens inside one
transaction: rows of earlier batches are in the database (uncommitted) when a later batch runs,
so its natural keys resolve to parents created earlier, its unique keys are checked against
earlier batches (a repeat is reported as already existing), and a dry run, a blocking problem or
a conflict rolls back every batch together. Problems keep their file row numbers.

What only the whole file can give is given up: the result keeps the first batch's cleaned rows
(for the preview), not all of them, and the cleaning class runs per batch (its duplicate removal
sees one batch; repeats across batches are caught by the database check above).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from winiadmin.cleaning.mapping import MappingError
from winiadmin.db.frames import ROW_NUMBER_COLUMN
from winiadmin.db.upsert import UpsertTally
from winiadmin.exceptions import RowProblems
from winiadmin.pipeline.counts import changes_by_label, model_counts
from winiadmin.pipeline.frame_conflicts import KeyHistory
from winiadmin.pipeline.frame_load import frame_load_stage
from winiadmin.pipeline.stream_groups import grouped_batches
from winiadmin.pipeline.unmatched import record_unmatched, unmatched_error
from winiadmin.progress import Progress
from winiadmin.readers.batched import BatchPlan, read_batches
from winiadmin.readers.encoding import encoding_label
from winiadmin.results import ImportStatus, Stage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from django.db.models import Model

    from winiadmin.cleaning.stage import CleaningOutcome
    from winiadmin.pipeline.load import LoadOutcome, LoadSettings
    from winiadmin.pipeline.run_state import BatchRun
    from winiadmin.pipeline.spec import FrameImportSpec, FramesByModel
    from winiadmin.readers import RawTable


@dataclass(slots=True)
class _Totals:
    counts: dict[type[Model], int] = field(default_factory=dict)
    tallies: dict[type[Model], UpsertTally] = field(default_factory=dict)
    #: Many-to-many links removed by upserts, per through model.
    removed: dict[type[Model], int] = field(default_factory=dict)
    invalid_rows: set[int] = field(default_factory=set)
    conflict_rows: set[int] = field(default_factory=set)
    conflicts: bool = False
    blocking: bool = False
    file_error: bool = False
    keys: KeyHistory = field(default_factory=KeyHistory)
    #: File rows handed to the load by earlier batches (progress counts file rows).
    rows_loaded: int = 0


def run_streamed(run: BatchRun, spec: FrameImportSpec, plan: BatchPlan, batch_rows: int) -> None:
    """Fill ``run.result`` like ``_Run._execute`` does for a file read whole."""
    totals = _Totals()
    settings = run.settings
    with transaction.atomic(using=settings.using):
        for table in _timed_batches(run, plan, batch_rows):
            if not _one_batch(run, spec, table, totals):
                break
        blocked = bool(totals.invalid_rows) and not settings.skip_invalid
        conflicted = totals.conflicts and not settings.skip_invalid
        unmatched = run.unmatched_blocks()
        failed = totals.file_error or totals.blocking or conflicted or blocked or unmatched
        if settings.dry_run or failed:
            transaction.set_rollback(True, using=settings.using)
        elif settings.before_commit is not None:
            settings.before_commit()
    run.result.created = model_counts(totals.counts, totals.tallies, totals.removed)
    run.result.changes = changes_by_label(totals.tallies)
    record_unmatched(run.result, run.resolver)
    if totals.file_error:
        run.result.error = _("The file cannot be imported; see the problems.")
    elif unmatched:
        run.result.status = ImportStatus.INVALID
        run.result.error = unmatched_error(run.resolver)
    elif totals.blocking or conflicted:
        run.result.status = ImportStatus.INVALID
        run.result.error = _("Some rows conflict with data in the database; nothing was written.")
    elif blocked:
        run.explain_blocked()
    else:
        run.result.status = ImportStatus.DRY_RUN if settings.dry_run else ImportStatus.SUCCEEDED
        skipped = totals.invalid_rows | totals.conflict_rows | run.resolver.dropped_rows
        run.result.skipped_rows = tuple(sorted(skipped))


def _timed_batches(run: BatchRun, plan: BatchPlan, batch_rows: int) -> Iterator[RawTable]:
    batches = read_batches(plan, batch_rows)
    group_by = getattr(run.spec, "stream_group_by", None)
    if group_by:
        # Every batch has the file's header: match it to the group column once.
        header = cache(lambda headers: _group_header(run, headers, group_by))
        batches = grouped_batches(batches, lambda table: header(tuple(table.frame.columns)))
    while True:
        started = time.perf_counter()
        table = next(batches, None)
        _add_time(run, Stage.READ, started)
        if table is None:
            return
        run.result.rows_read += table.frame.height
        if run.result.source_info == {}:
            chosen = run.settings.read_options.encoding is not None
            encoding = encoding_label("utf-8", chosen=chosen)
            run.result.source_info = {"format": plan.format, "encoding": encoding}
            run.result.source_info["delimiter"] = repr(plan.delimiter)
            run.result.source_info["streamed"] = str(batch_rows)
        run.deadline.check()
        run.progress(Progress(Stage.READ, run.result.rows_read, None, "rows"))
        yield table


def _group_header(run: BatchRun, headers: tuple[str, ...], column: str) -> str | None:
    """The file header that feeds the group column (matched as cleaning will match it)."""
    try:
        matches = run.match_columns(headers)
    except MappingError:  # cleaning reports it
        return None
    return next((c.header for c in matches.columns if c.target == column), None)


def _one_batch(run: BatchRun, spec: FrameImportSpec, table: RawTable, totals: _Totals) -> bool:
    """Clean, transform and load one batch; False when the import cannot go on."""
    # The same header matching (column mapping) and cleaning as a file read whole.
    cleaned = _timed(run, Stage.CLEAN, lambda: run.clean(table))
    first = not run.result.preview.height and not run.result.rows_cleaned
    run.result.problems.extend(cleaned.problems)
    run.result.rows_cleaned += cleaned.frame.height
    run.tally.note_cleaned(cleaned.row_numbers, cleaned.invalid_rows)
    if first:
        run.keep_preview(cleaned)
    if cleaned.has_file_errors:
        totals.file_error = True
        return False
    totals.invalid_rows.update(cleaned.invalid_rows)
    try:
        frames = _timed(run, Stage.TRANSFORM, lambda: _transform(run, spec, cleaned))
    except RowProblems as exc:
        run.record_row_problems(exc, cleaned)
        totals.blocking = True
        return False
    settings = _batch_settings(run, totals.rows_loaded)
    settings.key_history = totals.keys
    settings.rows = cleaned.frame.height
    totals.rows_loaded += cleaned.frame.height
    loaded = _timed(run, Stage.LOAD, lambda: _load(run, frames, settings))
    run.result.problems.extend(loaded.problems)
    run.note_load(loaded, cleaned)
    for model, n in loaded.counts.items():
        totals.counts[model] = totals.counts.get(model, 0) + n
    for model, n in loaded.removed.items():
        totals.removed[model] = totals.removed.get(model, 0) + n
    for model, tally in loaded.tallies.items():
        totals.tallies.setdefault(model, UpsertTally(tally.limit)).add(tally)
    totals.conflicts |= bool(loaded.problems) and not loaded.blocking
    totals.blocking |= loaded.blocking
    totals.conflict_rows.update(p.row for p in loaded.problems if p.row is not None)
    return True


def _transform(run: BatchRun, spec: FrameImportSpec, cleaned: CleaningOutcome) -> FramesByModel:
    with run.importer_code():
        rows = cleaned.row_numbers.alias(ROW_NUMBER_COLUMN)
        frames = spec.get_frames_by_model(cleaned.frame.with_columns(rows))
    run.check_writes(frames)
    return frames


def _load(run: BatchRun, frames: FramesByModel, settings: LoadSettings) -> LoadOutcome:
    with run.loading():
        return frame_load_stage(frames, settings)


def _batch_settings(run: BatchRun, loaded_before: int) -> LoadSettings:
    """Each batch loads for real (later batches need its rows); the outer block rolls back."""
    settings = run.load_settings(rollback=False)
    report = run.progress
    # File rows loaded so far across batches; the file's total is not known before its end.
    settings.progress = lambda p: report(replace(p, done=p.done + loaded_before, total=None))
    settings.dry_run = False
    settings.skip_conflicts = True  # conflicting rows are left out; the outcome decides at the end
    settings.collect_pks = False
    settings.before_commit = None  # the outer transaction commits, once, after the last batch
    return settings


def _timed[T](run: BatchRun, stage: Stage, work: Callable[[], T]) -> T:
    started = time.perf_counter()
    try:
        return work()
    finally:
        _add_time(run, stage, started)


def _add_time(run: BatchRun, stage: Stage, started: float) -> None:
    timings = run.result.timings
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started
