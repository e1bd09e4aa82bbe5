"""``run_import``: read → clean → transform → load, timed, with every outcome in one result."""

import inspect
import logging
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from os import PathLike
from typing import cast

import polars as pl
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from winiadmin.cleaning.mapping import (
    ColumnMapping,
    MappingError,
    MatchedColumns,
    duplicate_message,
    duplicated_headers,
    match_file_columns,
    sample_values,
)
from winiadmin.cleaning.stage import CleaningOutcome, clean_table, default_row_numbers
from winiadmin.cleaning.tracking import (
    DUPLICATE_KEY_POLICIES,
    DuplicateKeyPolicy,
    rename_map_of,
)
from winiadmin.conf import get_config
from winiadmin.db.frames import ROW_NUMBER_COLUMN
from winiadmin.db.lookups import KeyResolver, Lookup
from winiadmin.exceptions import (
    CleaningError,
    FileReadError,
    ImporterFailed,
    ImportTimeout,
    LoadError,
    RowProblems,
    WiniadminError,
    describe_exception,
)
from winiadmin.pipeline.accounting import RowTally
from winiadmin.pipeline.counts import changes_by_label, model_counts
from winiadmin.pipeline.deadline import Deadline
from winiadmin.pipeline.frame_load import frame_load_stage
from winiadmin.pipeline.links import many_to_many_of
from winiadmin.pipeline.load import LoadOutcome, LoadSettings, load_stage
from winiadmin.pipeline.rows import rows_with_values
from winiadmin.pipeline.run_state import BeforeCommit, CleanedCallback, RunSettings
from winiadmin.pipeline.sheets import sheets_of
from winiadmin.pipeline.spec import (
    BulksByModel,
    FrameImportSpec,
    FramesByModel,
    ImportSpec,
    check_load_paths,
)
from winiadmin.pipeline.stream import run_streamed
from winiadmin.pipeline.unmatched import find_rows, record_unmatched, unmatched_error
from winiadmin.pipeline.workbook import run_workbook
from winiadmin.pipeline.writes import check_written_models
from winiadmin.problems import Problem, ProblemKind, ProblemReport, Severity
from winiadmin.progress import Progress, ProgressCallback, ignore_progress
from winiadmin.readers import RawTable, ReadOptions, Source, read_table
from winiadmin.readers.batched import BatchPlan, batch_plan
from winiadmin.readers.encoding import encoding_label
from winiadmin.readers.grid import column_letters
from winiadmin.results import ImportResult, ImportStatus, Stage

__all__ = ["BeforeCommit", "CleanedCallback", "ReadSource", "RunSettings", "run_import"]

logger = logging.getLogger("winiadmin")

#: Where the rows come from: a file (path, bytes, binary file), a frame already read, or a
#: callable returning one (so that reading is timed and its errors reported like any other).
ReadSource = Source | pl.DataFrame | RawTable | Callable[[], pl.DataFrame | RawTable]


def run_import(
    spec: ImportSpec | FrameImportSpec,
    source: ReadSource,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    batch_size: int | None = None,
    using: str | None = None,
    timeout: float | None = None,
    read_options: ReadOptions | None = None,
    file_name: str | None = None,
    collect_pks: bool = False,
    progress: ProgressCallback | None = None,
    importer_name: str | None = None,
    column_mapping: ColumnMapping | None = None,
    create_missing: bool = False,
    on_cleaned: CleanedCallback | None = None,
    before_commit: BeforeCommit | None = None,
) -> ImportResult:
    """Run the whole pipeline once. Never raises for bad data: the result says what happened.

    Nothing is written unless the result's status is ``SUCCEEDED``: blocking problems (unless
    ``skip_invalid``), a database error, a timeout and a dry run all leave the database as it was.
    An importer that breaks the contract (both load paths) raises ``ImporterContractError``
    before anything is read.
    """
    check_load_paths(type(spec))
    settings = RunSettings(
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        batch_size=batch_size,
        using=using or DEFAULT_DB_ALIAS,
        timeout=timeout,
        read_options=read_options or ReadOptions(),
        file_name=file_name,
        collect_pks=collect_pks,
        column_mapping=column_mapping,
        create_missing=create_missing,
        on_cleaned=on_cleaned,
        before_commit=before_commit,
    )
    name = importer_name or type(spec).__name__
    return _Run(spec, settings, progress or ignore_progress, name).execute(source)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the transform stage produced: objects per model, or frames per model."""

    bulks: BulksByModel | None = None
    frames: FramesByModel | None = None


class _Run:
    def __init__(
        self,
        spec: ImportSpec | FrameImportSpec,
        settings: RunSettings,
        progress: ProgressCallback,
        name: str,
    ) -> None:
        self.spec = spec
        self.settings = settings
        self.progress = progress
        self.deadline = Deadline(settings.timeout)
        lookups: tuple[Lookup, ...] = getattr(spec, "lookups", ())
        self.resolver = KeyResolver(lookups, settings.using, create_missing=settings.create_missing)
        config = get_config()
        self.preview_rows = config.PREVIEW_ROWS
        self.step = settings.batch_size or config.BATCH_SIZE
        self.tally = RowTally()
        self.result = ImportResult(
            importer=name,
            dry_run=settings.dry_run,
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
        except (LoadError, ImportTimeout) as exc:
            self._fail(ImportStatus.FAILED, ProblemKind.LOAD_FAILED, str(exc))
        except WiniadminError as exc:
            self._fail(ImportStatus.FAILED, ProblemKind.LOAD_FAILED, str(exc))
        self.result.rows = self.tally.finish(
            read=self.result.rows_read,
            status=self.result.status,
            skip_invalid=self.settings.skip_invalid,
            whole_file=self.result.problems.has_file_errors,
        )
        return self.result

    def _execute(self, source: ReadSource) -> None:
        if sheets_of(self.spec):  # a workbook, a sheet per model
            run_workbook(self, source)
            return
        batches = self._batch_plan(source)
        if batches is not None:
            assert isinstance(self.spec, FrameImportSpec)
            run_streamed(self, self.spec, batches, get_config().STREAM_BATCH_ROWS)
            return
        table = self._timed(Stage.READ, lambda: self._read(source))
        self.result.rows_read = table.frame.height
        self.result.source_info = describe_source(table, self.settings.read_options)
        self.result.sheets, self.result.header_row = table.sheets, table.header_row
        cleaned = self._timed(Stage.CLEAN, lambda: self.clean(table), table.frame.height)
        self._record_cleaning(cleaned)
        if cleaned.has_file_errors:
            self.result.error = _("The file cannot be imported; see the problems.")
            return
        # With blocking errors the remaining stages still run, rolled back, so that the report
        # also holds what only they can find (unknown values, database conflicts).
        blocked = bool(cleaned.invalid_rows) and not self.settings.skip_invalid
        try:
            rows = cleaned.frame.height
            plan = self._timed(Stage.TRANSFORM, lambda: self._transform(cleaned), rows)
        except RowProblems as exc:
            self.record_row_problems(exc, cleaned)
            return
        loaded = self._timed(
            Stage.LOAD, lambda: self._load(plan, cleaned, rollback=blocked), cleaned.frame.height
        )
        self._record_load(loaded, cleaned)
        if self.unmatched_blocks():
            self.result.status = ImportStatus.INVALID
            self.result.error = unmatched_error(self.resolver)
        elif loaded.blocking or (loaded.has_conflicts and not self.settings.skip_invalid):
            self.result.status = ImportStatus.INVALID
            self.result.error = _(
                "Some rows conflict with data in the database; nothing was written."
            )
        elif blocked:
            self.explain_blocked()
        else:
            self.result.status = (
                ImportStatus.DRY_RUN if self.settings.dry_run else ImportStatus.SUCCEEDED
            )
            conflicting = {p.row for p in loaded.problems if p.row is not None}
            skipped = {*cleaned.invalid_rows, *conflicting, *self.resolver.dropped_rows}
            self.result.skipped_rows = tuple(sorted(skipped))

    def unmatched_blocks(self) -> bool:
        """Rows were left out for keys that match nothing, and skipping them was not chosen
        (many-to-many values that match nothing block whatever the choice)."""
        return self.resolver.blocks(skip_invalid=self.settings.skip_invalid)

    def _timed[T](self, stage: Stage, work: Callable[[], T], rows: int | None = None) -> T:
        """Run one stage; ``rows``: the file rows it works through, when known beforehand."""
        self.deadline.check()
        self.progress(Progress(stage, 0, rows))
        started = time.perf_counter()
        try:
            return work()
        finally:
            self.result.timings[stage] = time.perf_counter() - started

    def _batch_plan(self, source: ReadSource) -> BatchPlan | None:
        """Large CSV/TSV files of frame-native importers are read and loaded in batches."""
        if not isinstance(self.spec, FrameImportSpec) or not isinstance(source, str | PathLike):
            return None
        threshold = get_config().STREAM_THRESHOLD_BYTES
        return batch_plan(source, self.settings.read_options, threshold=threshold)

    def _read(self, source: ReadSource) -> RawTable:
        if callable(source) and not isinstance(source, pl.DataFrame | RawTable):
            source = self._call_reader(source)
        if isinstance(source, RawTable):
            return source
        if isinstance(source, pl.DataFrame):
            return RawTable(source, default_row_numbers(source.height), format="dataframe")
        return read_table(source, self.settings.read_options, name=self.settings.file_name)

    def _call_reader(self, read: Callable[[], pl.DataFrame | RawTable]) -> pl.DataFrame | RawTable:
        """An importer's own reading code (``handle_import``): its failures are read errors."""
        try:
            with self.guard("The data could not be read", FileReadError):
                return read()
        except FileReadError as exc:
            cause = exc.__cause__
            if isinstance(cause, OSError) and cause.filename:
                msg = f"The data could not be read: {cause.strerror or cause}: {cause.filename}"
                raise FileReadError(msg) from cause
            raise

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
            outcome = clean_table(matches.apply(frame), cleaning_cls, rows, duplicate_keys=policy)
        if table.problems:
            outcome.problems = [*table.problems, *outcome.problems]
            outcome.invalid_rows = tuple(sorted({*outcome.invalid_rows, *read_rows}))
        return outcome

    def duplicated_headers(self, table: RawTable) -> list[Problem]:
        """File-level errors for expected columns that two file headers would feed."""
        file_names = rename_map_of(self.spec.get_cleaning_df_cls())
        aliases = getattr(self.spec, "column_aliases", None) or {}
        headers = list(table.headers) or table.frame.columns
        duplicated = duplicated_headers(
            headers,
            list(file_names.values()),
            {file_names.get(name, name): names for name, names in aliases.items()},
            self.settings.column_mapping,
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
        file_names = rename_map_of(self.spec.get_cleaning_df_cls())
        aliases = getattr(self.spec, "column_aliases", None) or {}
        return match_file_columns(
            headers,
            list(file_names.values()),
            {file_names.get(name, name): names for name, names in aliases.items()},
            self.settings.column_mapping,
        )

    def _transform(self, cleaned: CleaningOutcome) -> "_Plan":
        with self.importer_code():
            if isinstance(self.spec, FrameImportSpec):
                rows = cleaned.row_numbers.alias(ROW_NUMBER_COLUMN)
                frames = self.spec.get_frames_by_model(cleaned.frame.with_columns(rows))
                plan = _Plan(frames=frames)
            else:
                plan = _Plan(bulks=self.spec.get_bulks_by_model(cleaned.frame))
        self.check_writes(plan.frames if plan.frames is not None else plan.bulks or {})
        return plan

    def check_writes(self, written: Mapping[type[Model], object]) -> None:
        """An importer declaring ``models`` writes only those (seed commands declare none)."""
        models: Sequence[type[Model]] | None = getattr(self.spec, "models", None)
        if models is not None:
            name = self.result.importer
            check_written_models(name, models, upsert_keys_of(self.spec), written)

    def _load(self, plan: "_Plan", cleaned: CleaningOutcome, *, rollback: bool) -> LoadOutcome:
        settings = self.load_settings(rollback=rollback)
        settings.rows = cleaned.frame.height
        with self.loading():
            if plan.frames is not None:
                return frame_load_stage(plan.frames, settings)
            assert plan.bulks is not None
            return load_stage(plan.bulks, settings, frame=cleaned.frame, rows=cleaned.row_numbers)

    def load_settings(self, *, rollback: bool) -> LoadSettings:
        return LoadSettings(
            step=self.step,
            using=self.settings.using,
            dry_run=self.settings.dry_run or rollback,
            deadline=self.deadline,
            progress=self.progress,
            collect_pks=self.settings.collect_pks and not self.settings.dry_run,
            skip_conflicts=self.settings.skip_invalid,
            frame_step=self.settings.batch_size or get_config().FRAME_BATCH_SIZE,
            upsert_keys=upsert_keys_of(self.spec),
            diff_limit=get_config().MAX_DIFFS,
            resolver=self.resolver,
            before_commit=self.settings.before_commit,
            many_to_many=many_to_many_of(self.spec),
        )

    @contextmanager
    def guard(self, what: str, error: type[WiniadminError]) -> Iterator[None]:
        """Turn an unexpected exception in user code into ``error``; log the traceback."""
        try:
            yield
        except WiniadminError:
            raise
        except Exception as exc:
            logger.exception("%s (%s)", what, self.result.importer)
            raise error(f"{what}: {type(exc).__name__}: {exc}") from exc

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
            msg = f"The data could not be saved: {describe_exception(exc)}"
            raise LoadError(msg) from exc

    def importer_failed(self, exc: BaseException) -> ImporterFailed:
        name = self.result.importer
        logger.error("The importer %r failed with an error in its code", name, exc_info=exc)
        return ImporterFailed(name, exc)

    def _record_cleaning(self, cleaned: CleaningOutcome) -> None:
        self.result.problems.extend(cleaned.problems)
        self.result.rows_cleaned = cleaned.frame.height
        self.tally.note_cleaned(cleaned.row_numbers, cleaned.invalid_rows)
        self.keep_preview(cleaned)

    def keep_preview(self, cleaned: CleaningOutcome) -> None:
        self.result.preview = cleaned.frame.head(self.preview_rows)
        self.result.cleaned_frame = cleaned.frame
        self.result.cleaned_rows = cleaned.row_numbers
        self.result.cleaning_df = cleaned.cleaning_df
        if self.settings.on_cleaned is not None:
            self.settings.on_cleaned(cleaned)

    def _record_load(self, loaded: LoadOutcome, cleaned: CleaningOutcome) -> None:
        self.result.problems.extend(loaded.problems)
        self.result.created = model_counts(loaded.counts, loaded.tallies, loaded.removed)
        self.result.changes = changes_by_label(loaded.tallies)
        self.result.created_pks = {m._meta.label: pks for m, pks in loaded.pks.items()}
        find_rows(self.resolver, cleaned.frame, cleaned.row_numbers)
        record_unmatched(self.result, self.resolver)
        self.note_load(loaded, cleaned)

    def note_load(self, loaded: LoadOutcome, cleaned: CleaningOutcome) -> None:
        """What the load did to the rows of ``cleaned``, for the row accounting."""
        conflicting = (p.row for p in loaded.problems)
        left_out = [*conflicting, *self.resolver.dropped_rows]
        self.tally.note_load(left_out, cleaned.row_numbers, loaded.tallies)

    def record_row_problems(self, exc: RowProblems, cleaned: CleaningOutcome) -> None:
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
        self.explain_blocked()

    def explain_blocked(self) -> None:
        self.result.status = ImportStatus.INVALID
        errors = self.result.problems.error_count
        self.result.error = ngettext(
            "%(n)d problem must be fixed first; nothing was written. "
            "Fix the file, or choose to skip invalid rows.",
            "%(n)d problems must be fixed first; nothing was written. "
            "Fix the file, or choose to skip invalid rows.",
            errors,
        ) % {"n": errors}

    def _fail(self, status: ImportStatus, kind: ProblemKind, message: str) -> None:
        self.result.status = status
        self.result.error = message
        self.result.created = []
        self.result.created_pks = {}
        self.result.changes = {}
        self.result.problems.add(Problem(kind, Severity.ERROR, message))


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


def duplicate_key_policy_of(spec: object) -> DuplicateKeyPolicy:
    """The importer's ``on_duplicate_key``; specs without one keep winiutils' rule (first)."""
    policy = getattr(spec, "on_duplicate_key", "first")
    if policy not in DUPLICATE_KEY_POLICIES:
        choices = ", ".join(repr(p) for p in DUPLICATE_KEY_POLICIES)
        msg = f"on_duplicate_key is {policy!r}; it must be one of {choices}."
        raise WiniadminError(msg)
    return cast("DuplicateKeyPolicy", policy)


def upsert_keys_of(spec: object) -> dict[type[Model], tuple[str, ...]]:
    """The importer's ``upsert_keys`` (field names per model), if it declares any."""
    declared: Mapping[type[Model], Sequence[str]] = getattr(spec, "upsert_keys", None) or {}
    return {model: tuple(names) for model, names in declared.items()}


def describe_source(table: RawTable, options: ReadOptions) -> dict[str, str]:
    """How the file was read, in words: ``{"encoding": "Windows-1252 (no UTF-8 found)", …}``."""
    info = {"format": table.format}
    if table.encoding:
        info["encoding"] = encoding_label(table.encoding, chosen=options.encoding is not None)
    for key in ("delimiter", "sheet"):
        value = getattr(table, key, None)
        if value:
            info[key] = repr(value) if key == "delimiter" else str(value)
    if table.header_row is not None:
        how = "detected" if table.header_detected else "chosen"
        info["header row"] = f"{table.header_row} ({how})"
    return info
