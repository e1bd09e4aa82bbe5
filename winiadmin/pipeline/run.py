"""``run_import``: read → clean → transform → load, timed, with every outcome in one result."""

import inspect
import itertools
import logging
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from os import PathLike

import polars as pl
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

from winiadmin.cleaning.base import column_names_of
from winiadmin.cleaning.conventions import FileConventions
from winiadmin.cleaning.detection import ConventionEvidence
from winiadmin.cleaning.mapping import (
    MappingError,
    MatchedColumns,
    duplicate_message,
    duplicated_headers,
    match_file_columns,
    sample_values,
)
from winiadmin.cleaning.stage import (
    CleaningOutcome,
    clean_table,
    optional_cols_of,
)
from winiadmin.cleaning.tracking import (
    DUPLICATE_KEY_POLICIES,
    DuplicateKeyPolicy,
    rename_map_of,
)
from winiadmin.conf import get_config
from winiadmin.db.frames import ROW_NUMBER_COLUMN
from winiadmin.db.lookups import KeyResolver
from winiadmin.db.model_frame import ModelFrame
from winiadmin.db.owned import fixed_fields
from winiadmin.exceptions import (
    CleaningError,
    FileReadError,
    ImporterFailed,
    ImportTimeout,
    LoadError,
    RowProblems,
    RowRefused,
    WiniadminError,
    describe_exception,
)
from winiadmin.pipeline.accounting import RowTally
from winiadmin.pipeline.batches import (
    BatchSource,
    ReadSource,
    describe_source,
    streamed_file,
    whole_file,
)
from winiadmin.pipeline.counts import RunTotals, changes_by_label, model_counts
from winiadmin.pipeline.deadline import Deadline
from winiadmin.pipeline.fixed import (
    bulks_with_fixed,
    fixed_column_problems,
    foreign_row_problems,
    frame_keys,
    frames_with_fixed,
    object_keys,
)
from winiadmin.pipeline.frame_conflicts import KeyHistory
from winiadmin.pipeline.frame_load import frame_load_stage
from winiadmin.pipeline.load import LoadOutcome, LoadSettings, RunTransaction, load_stage
from winiadmin.pipeline.options import BeforeCommit, CleanedCallback, RunOptions
from winiadmin.pipeline.rows import rows_with_values
from winiadmin.pipeline.sheets import SheetTables
from winiadmin.pipeline.spec import (
    BulksByModel,
    FrameImportSpec,
    FramesByModel,
    ImportSpec,
    check_load_paths,
    header_aliases,
)
from winiadmin.pipeline.unmatched import find_rows, record_unmatched, unmatched_error
from winiadmin.pipeline.workbook import CleanedSheets, clean_sheets, name_sheets, workbook_file
from winiadmin.pipeline.writes import check_written_models
from winiadmin.problems import Problem, ProblemKind, ProblemReport, Severity
from winiadmin.progress import Progress, ignore_progress
from winiadmin.readers import RawTable, ReadOptions
from winiadmin.readers.batched import batch_plan
from winiadmin.readers.grid import column_letters
from winiadmin.results import ImportResult, ImportStatus, Stage

__all__ = ["BeforeCommit", "CleanedCallback", "ReadSource", "RunOptions", "run_import"]

logger = logging.getLogger("winiadmin")


def run_import(
    spec: ImportSpec | FrameImportSpec,
    source: ReadSource,
    options: RunOptions | None = None,
    *,
    importer_name: str | None = None,
) -> ImportResult:
    """Run the whole pipeline once. Never raises for bad data: the result says what happened.

    Nothing is written unless the result's status is ``SUCCEEDED``: blocking problems (unless
    ``skip_invalid``), a database error, a timeout and a dry run all leave the database as it was.
    An importer that breaks the contract (both load paths) raises ``ImporterContractError``
    before anything is read.
    """
    check_load_paths(type(spec))
    name = importer_name or type(spec).__name__
    return _Run(spec, options or RunOptions(), name).execute(source)


@dataclass(frozen=True, slots=True)
class _Cleaned:
    """One batch cleaned: what the run records and loads by (``outcome``), and a workbook's
    sheets, each cleaned by its own class (what its transform reads)."""

    outcome: CleaningOutcome
    sheets: CleanedSheets | None = None


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the transform stage produced: objects per model, or frames per model."""

    bulks: BulksByModel | None = None
    frames: FramesByModel | None = None


class _Run:
    def __init__(self, spec: ImportSpec | FrameImportSpec, options: RunOptions, name: str) -> None:
        self.spec = spec
        self.options = options
        self.using = options.using or DEFAULT_DB_ALIAS
        self.read_options = options.read_options or ReadOptions()
        self.progress = options.progress or ignore_progress
        self.deadline = Deadline(options.timeout)
        self.resolver = KeyResolver(
            spec.lookups,
            self.using,
            create_missing=options.create_missing,
            linked=[(many.model, many.field) for many in spec.many_to_many],
            value_mappings=options.value_mappings,
            create_values=options.create_values,
            fixed_values=options.fixed_values,
        )
        config = get_config()
        self.preview_rows = config.PREVIEW_ROWS
        self.step = options.batch_size or config.BATCH_SIZE
        self.tally = RowTally()
        #: The columns' evidence for proposing conventions, over every batch cleaned.
        self.evidence = ConventionEvidence()
        #: Every batch of the source was read (the proposals cover the whole file).
        self.read_all = False
        self.result = ImportResult(
            importer=name,
            dry_run=options.dry_run,
            status=ImportStatus.INVALID,
            problems=ProblemReport(limit=config.MAX_PROBLEMS),
        )

    def execute(self, source: ReadSource) -> ImportResult:
        try:
            self._execute(source)
        except FileReadError as exc:
            self._fail(ImportStatus.INVALID, ProblemKind.UNREADABLE_FILE, str(exc))
        except ImporterFailed as exc:
            self._fail(ImportStatus.FAILED, ProblemKind.IMPORTER_FAILED, str(exc))
            self.result.exception = exc
        except RowRefused as exc:  # the database refused a row the model's rules let through
            problem = self._labelled(exc.problem)
            self._fail(ImportStatus.FAILED, ProblemKind.LOAD_FAILED, str(problem), problem)
        except (LoadError, ImportTimeout) as exc:
            self._fail(ImportStatus.FAILED, ProblemKind.LOAD_FAILED, str(exc))
        except WiniadminError as exc:
            self._fail(ImportStatus.FAILED, ProblemKind.LOAD_FAILED, str(exc))
        if self.spec.sheets:  # rows numbered per sheet inside the run: as each sheet shows them
            name_sheets(self.result, [sheet.name for sheet in self.spec.sheets])
        self.result.rows = self.tally.finish(
            read=self.result.rows_read,
            status=self.result.status,
            skip_invalid=self.options.skip_invalid,
            whole_file=self.result.problems.has_file_errors,
        )
        return self.result

    def _execute(self, source: ReadSource) -> None:
        """Every batch of the source cleaned, transformed and loaded in one transaction (opened
        at the first load), then one decision: the status, and commit or roll back."""
        reused = self.options.cleaned_batches
        totals = RunTotals()
        all_cleaned: Iterator[_Cleaned | None]
        if reused is None:
            batches = self._batch_source(source)
            totals.streamed = streamed = batches.streamed
            all_cleaned = self._cleaned(batches, totals, streamed)
        else:  # an earlier check's cleaned rows, in batches: nothing is read or cleaned
            reading = reused()
            first = next(reading, None)
            second = None if first is None else next(reading, None)
            # One batch (the check read the file whole): a run of a file read whole, its
            # progress counted against its rows; more: a streamed run.
            totals.streamed = streamed = second is not None
            ahead = [batch for batch in (first, second) if batch is not None]
            all_cleaned = self._reused(itertools.chain(ahead, reading))
        # Unique keys of earlier batches, checked in each later one (a file read whole: none).
        keys = KeyHistory() if streamed else None
        with RunTransaction(self.using, self.options.before_commit) as run_transaction:
            for cleaned in all_cleaned:
                plan = None if cleaned is None else self._transform(cleaned, totals, streamed)
                if cleaned is None or plan is None:
                    break
                run_transaction.open()
                self._load(plan, cleaned.outcome, totals, keys)
            self._propose(totals.streamed)
            self._record_totals(totals)
            status, error = self._verdict(totals)
            run_transaction.end(commit=status is ImportStatus.SUCCEEDED)
        self._settle(status, error, totals)

    def _cleaned(
        self,
        batches: BatchSource[RawTable] | BatchSource[SheetTables],
        totals: RunTotals,
        streamed: bool,
    ) -> Iterator[_Cleaned | None]:
        """Each batch read and cleaned; ``None`` when the file cannot be imported."""
        for table in self._read(batches):
            yield self._clean(table, totals, streamed=streamed)

    def _reused(self, reading: Iterator[tuple[pl.DataFrame, pl.Series]]) -> Iterator[_Cleaned]:
        """An earlier check's cleaned rows (``RunOptions.cleaned_batches``), each batch recorded
        as cleaning records its own; reading them is timed as the read stage."""
        self.result.source_info = {"cleaned rows": "the check's, reused"}
        while True:
            self.deadline.check()
            started = time.perf_counter()
            try:
                batch = next(reading, None)
            finally:
                self._add_time(Stage.READ, started)
            if batch is None:
                return
            frame, rows = batch
            outcome = CleaningOutcome(frame, rows)
            first = not self.result.rows_cleaned
            self.result.rows_read += frame.height
            self.result.rows_cleaned += rows.len()
            self.tally.note_cleaned(rows, ())
            self.progress(Progress(Stage.READ, self.result.rows_read, None, "rows"))
            if first:
                self.keep_preview(outcome)
            yield _Cleaned(outcome)

    def _batch_source(self, source: ReadSource) -> BatchSource[RawTable] | BatchSource[SheetTables]:
        """Large CSV/TSV files of frame-native importers are read and loaded in batches; a
        workbook of several sheets (``sheets``) is one batch of them."""
        if self.spec.sheets:
            return workbook_file(
                source,
                self.spec.sheets,
                self.read_options,
                file_name=self.options.file_name,
                skip_invalid=self.options.skip_invalid,
                progress=self.progress,
            )
        plan = None
        if isinstance(self.spec, FrameImportSpec) and isinstance(source, str | PathLike):
            threshold = get_config().STREAM_THRESHOLD_BYTES
            plan = batch_plan(source, self.read_options, threshold=threshold)
        if plan is None:
            return whole_file(
                source,
                self.read_options,
                file_name=self.options.file_name,
                importer=self.result.importer,
                progress=self.progress,
            )
        column = self.spec.stream_group_by
        return streamed_file(
            plan,
            get_config().STREAM_BATCH_ROWS,
            self.progress,
            group_header=(lambda headers: self._header_of(headers, column)) if column else None,
        )

    def _read(
        self, batches: BatchSource[RawTable] | BatchSource[SheetTables]
    ) -> Iterator[RawTable | SheetTables]:
        """The source's batches, each read timed and counted; the first says how it was read."""
        tables: Iterator[RawTable | SheetTables] = batches.tables
        while True:
            self.deadline.check()
            started = time.perf_counter()
            try:
                table = next(tables, None)
                prepare = self.options.prepare_batch
                if isinstance(table, RawTable) and prepare is not None:
                    table = prepare(table)
            finally:
                self._add_time(Stage.READ, started)
            if table is None:
                self.read_all = True
                return
            if isinstance(table, SheetTables):
                # No sheet to choose: the importer names its sheets.
                self.result.source_info = table.info
                self.result.rows_read += table.height
            else:
                if not self.result.source_info:  # the first batch
                    info = describe_source(table, self.read_options)
                    self.result.source_info = {**info, **batches.info}
                    self.result.sheets, self.result.header_row = table.sheets, table.header_row
                self.result.rows_read += table.frame.height
            yield table

    def _clean(
        self, table: RawTable | SheetTables, totals: RunTotals, *, streamed: bool
    ) -> _Cleaned | None:
        """One batch cleaned and recorded; ``None`` when the file cannot be imported."""
        if isinstance(table, SheetTables):
            cleaned = self._clean_sheets(table)
            preview = cleaned.sheets.first_as_read() if cleaned.sheets else cleaned.outcome
        else:
            rows = None if streamed else table.frame.height
            outcome = self._timed(Stage.CLEAN, lambda: self.clean(table), rows)
            cleaned, preview = _Cleaned(outcome), outcome
        outcome = cleaned.outcome
        first = not self.result.rows_cleaned
        self.result.problems.extend(outcome.problems)
        proposed = {p.column for p in self.result.proposals}
        self.result.proposals += [p for p in outcome.proposals if p.column not in proposed]
        self.result.rows_cleaned += outcome.row_numbers.len()
        self.tally.note_cleaned(outcome.row_numbers, outcome.invalid_rows)
        if first:  # the preview: the first rows cleaned (a streamed file: its first batch)
            self.keep_preview(preview)
        if self.options.on_batch is not None and not isinstance(table, SheetTables):
            self.options.on_batch(outcome)
        if outcome.has_file_errors:
            totals.file_error = True
            return None
        # With blocking errors the remaining stages still run, rolled back, so that the report
        # also holds what only they can find (unknown values, database conflicts).
        totals.invalid_rows.update(outcome.invalid_rows)
        return cleaned

    def _propose(self, streamed: bool) -> None:
        """The conventions proposed from the whole file's columns: decided once every batch is
        cleaned; none when a streamed run stopped before its end (never from part of a column;
        a file read whole was cleaned whole)."""
        if streamed and not self.read_all:
            return
        proposed = {p.column for p in self.result.proposals}
        found = self.evidence.proposals()
        self.result.proposals += [p for p in found if p.column not in proposed]

    def _clean_sheets(self, batch: SheetTables) -> _Cleaned:
        """A workbook's sheets, each cleaned by its own class; a preview of each."""
        policy = duplicate_key_policy_of(self.spec)

        def clean() -> CleanedSheets:
            with self.importer_code():  # the cleaning classes' hooks
                return clean_sheets(batch, policy, self.conventions)

        sheets = self._timed(Stage.CLEAN, clean, batch.height)
        self.result.sheet_previews = sheets.previews(self.preview_rows)
        return _Cleaned(sheets.combined(), sheets)

    def _transform(self, cleaned: _Cleaned, totals: RunTotals, streamed: bool) -> "_Plan | None":
        """The importer's objects or frames for one batch; ``None`` when it raised
        ``RowProblems`` (recorded: nothing more is loaded)."""
        rows = None if streamed else cleaned.outcome.row_numbers.len()
        try:
            return self._timed(Stage.TRANSFORM, lambda: self._transformed(cleaned), rows)
        except RowProblems as exc:
            self._record_row_problems(exc, cleaned.outcome)
            totals.row_problems = True
            return None

    def _load(
        self, plan: "_Plan", cleaned: CleaningOutcome, totals: RunTotals, keys: KeyHistory | None
    ) -> None:
        """One batch loaded (inside the run's transaction) and recorded."""
        streamed = keys is not None
        settings = self._load_settings(cleaned, streamed=streamed)
        settings.key_history = keys

        def load() -> LoadOutcome:
            with self.loading():
                if plan.frames is not None:
                    return frame_load_stage(plan.frames, settings)
                assert plan.bulks is not None
                return load_stage(
                    plan.bulks, settings, frame=cleaned.frame, rows=cleaned.row_numbers
                )

        rows = None if streamed else cleaned.row_numbers.len()
        loaded = self._timed(Stage.LOAD, load, rows)
        self.result.problems.extend(loaded.problems)
        totals.add_load(loaded)
        find_rows(self.resolver, cleaned.frame, cleaned.row_numbers)
        conflicting = (p.row for p in loaded.problems)
        left_out = [*conflicting, *self.resolver.dropped_rows]
        self.tally.note_load(left_out, cleaned.row_numbers, loaded.tallies)

    def _load_settings(self, cleaned: CleaningOutcome, *, streamed: bool) -> LoadSettings:
        config = get_config()
        progress = self.progress
        if streamed:
            # File rows loaded so far across batches; the file's total is not known before its
            # end. The batches before this one were all loaded (a batch that is not stops the
            # run).
            before = self.result.rows_cleaned - cleaned.row_numbers.len()
            report = self.progress

            def progress(p: Progress) -> None:
                report(replace(p, done=p.done + before, total=None))

        return LoadSettings(
            step=self.step,
            using=self.using,
            deadline=self.deadline,
            progress=progress,
            # A streamed file's keys are kept as ranges (RunTotals.key_runs).
            collect_pks=self.options.collect_pks and not self.options.dry_run,
            frame_step=self.options.batch_size or config.FRAME_BATCH_SIZE,
            upsert_keys=upsert_keys_of(self.spec),
            diff_limit=config.MAX_DIFFS,
            resolver=self.resolver,
            rows=cleaned.row_numbers.len(),
            validate_rules=self.spec.validate_model_rules,
            many_to_many=self.spec.many_to_many,
            column_labels=self._column_labels(),
        )

    def _labelled(self, problem: Problem) -> Problem:
        """``problem`` naming its columns by the file's headers."""
        if problem.column is None:
            return problem
        labels = self._column_labels()
        names = problem.column.split(", ")
        return replace(problem, column=", ".join(labels.get(n, n) for n in names))

    def _column_labels(self) -> dict[str, str]:
        """Cleaned column → its file header, for the problems the load names."""
        matches = self.result.column_matches
        if matches is None:
            return {}
        return matches.headers_by_column(rename_map_of(self.spec.get_cleaning_df_cls()))

    def _record_totals(self, totals: RunTotals) -> None:
        self.result.created = model_counts(totals.counts, totals.tallies, totals.removed)
        self.result.changes = changes_by_label(totals.tallies)
        self.result.created_pks = {m._meta.label: pks for m, pks in totals.pks.items()}
        self.result.created_keys = {m._meta.label: k for m, k in totals.key_runs.items()}
        record_unmatched(self.result, self.resolver)

    def _verdict(self, totals: RunTotals) -> tuple[ImportStatus, str]:
        """The run's status and error once every batch is in: the one place they are decided
        (an exception aside: :meth:`_fail`). Anything but ``SUCCEEDED`` rolls back."""
        skip = self.options.skip_invalid
        if totals.file_error:
            return ImportStatus.INVALID, _("The file cannot be imported; see the problems.")
        if self.resolver.blocks(skip_invalid=skip):
            # Rows were left out for keys that match nothing, and skipping them was not chosen
            # (many-to-many values that match nothing block whatever the choice: their rows are
            # stored before their links).
            return ImportStatus.INVALID, unmatched_error(self.resolver)
        # Rows the importer or the models' own rules (full_clean()) refuse: fixed in the file,
        # or (the models' rules) skipped.
        refused = totals.rule_refusals and not totals.blocking and not skip
        if totals.row_problems or refused:
            return ImportStatus.INVALID, self._blocked_message()
        if totals.blocking or (totals.conflicts and not skip):
            return ImportStatus.INVALID, _(
                "Some rows conflict with data in the database; nothing was written."
            )
        if totals.invalid_rows and not skip:
            return ImportStatus.INVALID, self._blocked_message()
        return ImportStatus.DRY_RUN if self.options.dry_run else ImportStatus.SUCCEEDED, ""

    def _settle(self, status: ImportStatus, error: str, totals: RunTotals) -> None:
        """The verdict on the result, once the transaction ended as it says."""
        self.result.status = status
        if error:
            self.result.error = error
        if status is not ImportStatus.INVALID:
            skipped = totals.invalid_rows | totals.conflict_rows | self.resolver.dropped_rows
            self.result.skipped_rows = tuple(sorted(skipped))

    def _blocked_message(self) -> str:
        errors = self.result.problems.error_count
        return ngettext(
            "%(n)d problem must be fixed first; nothing was written. "
            "Fix the file, or choose to skip invalid rows.",
            "%(n)d problems must be fixed first; nothing was written. "
            "Fix the file, or choose to skip invalid rows.",
            errors,
        ) % {"n": errors}

    def _timed[T](self, stage: Stage, work: Callable[[], T], rows: int | None = None) -> T:
        """Run one stage of a batch, its time added to the stage's.

        ``rows``: the file rows it works through, told as the stage starts (a file read whole);
        ``None``: a streamed batch, whose progress is the rows read and loaded so far.
        """
        self.deadline.check()
        if rows is not None:
            self.progress(Progress(stage, 0, rows))
        started = time.perf_counter()
        try:
            return work()
        finally:
            self._add_time(stage, started)

    def _add_time(self, stage: Stage, started: float) -> None:
        timings = self.result.timings
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started

    @property
    def conventions(self) -> FileConventions | None:
        """The run's conventions over the importer's (docs/conventions.md)."""
        declared = self.spec.conventions
        chosen = self.options.conventions
        return declared if chosen is None else chosen.over(declared)

    def _header_of(self, headers: tuple[str, ...], column: str) -> str | None:
        """The file header that feeds ``column`` (matched as cleaning will match it)."""
        try:
            matches = self.match_columns(headers)
        except MappingError:  # cleaning reports it
            return None
        return next((c.header for c in matches.columns if c.target == column), None)

    def clean(self, table: RawTable) -> CleaningOutcome:
        """Match the file's headers to the expected columns, rename them, then clean.

        A streamed file calls this once per batch: the samples shown are the first batch's.
        """
        if not self.result.column_samples:
            self.result.column_samples = sample_values(table.frame)
        policy = duplicate_key_policy_of(self.spec)
        with self.importer_code():  # the cleaning class's hooks
            try:
                matches = self.match_columns(table.frame.columns)
            except MappingError as exc:
                problem = Problem(ProblemKind.COLUMN_MAPPING, Severity.ERROR, str(exc))
                return CleaningOutcome(pl.DataFrame(), table.row_numbers.clear(), [problem])
            self.result.column_matches = matches
            duplicated = self.duplicated_headers(table)
            if duplicated:
                return CleaningOutcome(pl.DataFrame(), table.row_numbers.clear(), duplicated)
            cleaning_cls = self.spec.get_cleaning_df_cls()
            frame, rows = table.frame, table.row_numbers
            # Rows the reader could not take as they are (ragged, bad bytes, NUL) are errors
            # already: left out of cleaning, reported first, like cells that do not parse.
            read_rows = {p.row for p in table.problems if p.is_error and p.row is not None}
            if read_rows:
                keep = ~rows.is_in(list(read_rows))
                frame, rows = frame.filter(keep), rows.filter(keep)
            outcome = clean_table(
                matches.apply(frame),
                cleaning_cls,
                rows,
                duplicate_keys=policy,
                conventions=self.conventions,
                evidence=self.evidence,
            )
        if table.problems:
            outcome.problems = [*table.problems, *outcome.problems]
            outcome.invalid_rows = tuple(sorted({*outcome.invalid_rows, *read_rows}))
        return outcome

    def duplicated_headers(self, table: RawTable) -> list[Problem]:
        """File-level errors for expected columns that two file headers would feed."""
        file_names = rename_map_of(self.spec.get_cleaning_df_cls())
        aliases = header_aliases(self.spec)
        headers = list(table.headers) or table.frame.columns
        duplicated = duplicated_headers(
            headers,
            list(file_names.values()),
            {file_names.get(name, name): names for name, names in aliases.items()},
            self.options.column_mapping,
            names=table.frame.columns,
        )
        return [
            Problem(
                ProblemKind.COLUMN_MAPPING,
                Severity.ERROR,
                duplicate_message(
                    target, [headers[i] for i in indexes], column_letters(table, indexes)
                ),
            )
            for target, indexes in duplicated.items()
        ]

    def match_columns(self, headers: Sequence[str]) -> MatchedColumns:
        """Which file header feeds which expected column (aliases, the chosen mapping)."""
        cleaning_cls = self.spec.get_cleaning_df_cls()
        file_names = rename_map_of(cleaning_cls)
        aliases = header_aliases(self.spec)
        return match_file_columns(
            headers,
            list(file_names.values()),
            {file_names.get(name, name): names for name, names in aliases.items()},
            self.options.column_mapping,
            optional=[file_names[name] for name in optional_cols_of(cleaning_cls)],
            names={
                file_names.get(name, name): others
                for name, others in column_names_of(cleaning_cls).items()
            },
        )

    def _transformed(self, cleaned: _Cleaned) -> "_Plan":
        outcome = cleaned.outcome
        fixed = self.options.fixed_values
        if fixed and (found := fixed_column_problems(outcome.frame, fixed, self.spec.models or ())):
            raise RowProblems(found)
        with self.importer_code():
            if cleaned.sheets is not None:  # a workbook: its sheets together
                plan = _Plan(frames=self.spec.get_frames_by_sheet(cleaned.sheets.frames()))
            elif isinstance(self.spec, FrameImportSpec):
                rows = outcome.row_numbers.alias(ROW_NUMBER_COLUMN)
                frames = self.spec.get_frames_by_model(outcome.frame.with_columns(rows))
                plan = _Plan(frames=frames)
            else:
                plan = _Plan(bulks=self.spec.get_bulks_by_model(outcome.frame))
        self.check_writes(plan.frames if plan.frames is not None else plan.bulks or {})
        return self._with_fixed(plan) if fixed else plan

    def _with_fixed(self, plan: "_Plan") -> "_Plan":
        """The fixed values set on every row of the plan; a key of a stored row that does not
        hold them (another owner's) is a problem for each file row holding it."""
        fixed, keys = self.options.fixed_values, upsert_keys_of(self.spec)
        problems: list[Problem] = []
        if plan.frames is not None:
            frames = frames_with_fixed(plan.frames, fixed)
            for model, given in frames.items():
                key = (given.key if isinstance(given, ModelFrame) else ()) or keys.get(model, ())
                rows = frame_keys(model, given, key) if key else []
                problems += foreign_row_problems(model, key, rows, fixed, self.using)
            plan = _Plan(frames=frames)
        else:
            bulks = dict(bulks_with_fixed(plan.bulks or {}, fixed))
            for model, key in keys.items():
                if model in bulks and fixed_fields(model, fixed):
                    objs = bulks[model] = list(bulks[model])
                    rows = object_keys(model, objs, key)
                    problems += foreign_row_problems(model, key, rows, fixed, self.using)
            plan = _Plan(bulks=bulks)
        if problems:
            raise RowProblems(problems)
        return plan

    def check_writes(self, written: Mapping[type[Model], object]) -> None:
        """An importer declaring ``models`` writes only those (seed commands declare none)."""
        models = self.spec.models
        if models is not None:
            name = self.result.importer
            check_written_models(name, models, upsert_keys_of(self.spec), written)

    @contextmanager
    def importer_code(self) -> Iterator[None]:
        """The importer's own code runs inside: what it raises is :class:`ImporterFailed`."""
        try:
            yield
        except CleaningError as exc:  # a cleaning hook raised
            cause = exc.__cause__ or exc
            raise self.importer_failed(cause) from cause
        except WiniadminError:  # RowProblems, a mapping refused: meant for the user
            raise
        except Exception as exc:
            raise self.importer_failed(exc) from exc

    @contextmanager
    def loading(self) -> Iterator[None]:
        """The load: the importer's objects or frames pulled (its code may run lazily, in a
        generator) and written. Django's field validation (``to_python``) or the database may
        refuse a value: that is :class:`LoadError`; an exception raised in the importer's own
        module is :class:`ImporterFailed`."""
        try:
            yield
        except WiniadminError:
            raise
        except Exception as exc:
            if raised_in(exc, type(self.spec)):
                raise self.importer_failed(exc) from exc
            logger.exception("The data could not be saved (%s)", self.result.importer)
            msg = gettext("The data could not be saved: %(error)s") % {
                "error": describe_exception(exc)
            }
            raise LoadError(msg) from exc

    def importer_failed(self, exc: BaseException) -> ImporterFailed:
        name = self.result.importer
        logger.error("The importer %r failed with an error in its code", name, exc_info=exc)
        return ImporterFailed(name, exc)

    def keep_preview(self, cleaned: CleaningOutcome) -> None:
        self.result.preview = cleaned.frame.head(self.preview_rows)
        self.result.cleaned_frame = cleaned.frame
        self.result.cleaned_rows = cleaned.row_numbers
        self.result.cleaning_df = cleaned.cleaning_df
        if self.options.on_cleaned is not None:
            self.options.on_cleaned(cleaned)

    def _record_row_problems(self, exc: RowProblems, cleaned: CleaningOutcome) -> None:
        for problem in exc.problems:
            columns = [problem.column] if problem.column else []
            values = [problem.value] if problem.column else []
            rows = (
                []
                if problem.row is not None
                else rows_with_values(cleaned.frame, cleaned.row_numbers, columns, values)
            )
            self.result.problems.extend(
                [replace(problem, row=row) for row in rows] if rows else [problem]
            )
            self.tally.note_left_out(rows or [problem.row], cleaned.row_numbers)

    def _fail(
        self, status: ImportStatus, kind: ProblemKind, message: str, problem: Problem | None = None
    ) -> None:
        """The verdict of a run an exception ended (after its transaction rolled back);
        ``problem``: the one it names, when it knows the row (a row the database refused)."""
        self.result.status = status
        self.result.error = message
        self.result.created = []
        self.result.created_pks = {}
        self.result.created_keys = {}
        self.result.changes = {}
        self.result.problems.add(problem or Problem(kind, Severity.ERROR, message))


def raised_in(exc: BaseException, cls: type) -> bool:
    """Whether a frame of ``exc``'s traceback runs code of a module that defines ``cls`` or one
    of its bases (winiadmin's own classes aside): the importer's code, inherited or not."""
    sources: set[str] = set()
    for base in cls.__mro__:
        if base.__module__.split(".")[0] in {"winiadmin", "builtins", "django", "typing"}:
            continue
        try:
            source = inspect.getsourcefile(base)
        except TypeError:  # a class without a source file
            continue
        if source is not None:
            sources.add(source)
    return any(
        frame.f_code.co_filename in sources for frame, _line in traceback.walk_tb(exc.__traceback__)
    )


def duplicate_key_policy_of(spec: ImportSpec | FrameImportSpec) -> DuplicateKeyPolicy:
    """The importer's ``on_duplicate_key`` (``ImportDeclarations``: winiutils' rule, first)."""
    policy = spec.on_duplicate_key  # typed, but a class attribute may hold any string
    if policy not in DUPLICATE_KEY_POLICIES:
        choices = ", ".join(repr(p) for p in DUPLICATE_KEY_POLICIES)
        msg = f"on_duplicate_key is {policy!r}; it must be one of {choices}."
        raise WiniadminError(msg)
    return policy


def upsert_keys_of(spec: ImportSpec | FrameImportSpec) -> dict[type[Model], tuple[str, ...]]:
    """The importer's ``upsert_keys`` (field names per model), if it declares any."""
    return {model: tuple(names) for model, names in spec.upsert_keys.items()}
