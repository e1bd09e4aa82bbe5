"""What one run is given (:class:`RunSettings`) and what a source of batches may use of it.

:mod:`winiadmin.pipeline.run` drives the run; :mod:`winiadmin.pipeline.stream` feeds it a big
file batch by batch through :class:`BatchRun`, so that neither module imports the other's
internals both ways.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.db import DEFAULT_DB_ALIAS

from winiadmin.readers import ReadOptions

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from contextlib import AbstractContextManager

    from django.db.models import Model

    from winiadmin.cleaning.mapping import ColumnMapping, MatchedColumns
    from winiadmin.cleaning.stage import CleaningOutcome
    from winiadmin.db.lookups import KeyResolver
    from winiadmin.exceptions import RowProblems
    from winiadmin.pipeline.accounting import RowTally
    from winiadmin.pipeline.deadline import Deadline
    from winiadmin.pipeline.load import LoadOutcome, LoadSettings
    from winiadmin.pipeline.spec import FrameImportSpec, ImportSpec
    from winiadmin.progress import ProgressCallback
    from winiadmin.readers import RawTable
    from winiadmin.results import ImportResult

#: Called with the cleaned rows before transform and load run, e.g. to show them early.
CleanedCallback = Callable[["CleaningOutcome"], None]

#: Called inside the import's transaction right before it commits (never when it rolls back);
#: raising rolls it back. A background job checks there that it still owns the job (fencing).
BeforeCommit = Callable[[], None]


@dataclass(frozen=True, slots=True)
class RunSettings:
    dry_run: bool = False
    skip_invalid: bool = False
    batch_size: int | None = None
    using: str = DEFAULT_DB_ALIAS
    timeout: float | None = None
    read_options: ReadOptions = field(default_factory=ReadOptions)
    file_name: str | None = None
    collect_pks: bool = False
    #: File header → expected column (or ``None``: ignore); the rest is matched automatically.
    column_mapping: ColumnMapping | None = None
    #: Create the related rows whose natural key matches nothing, where the lookup allows it.
    create_missing: bool = False
    #: Told once the rows are cleaned (a streamed file: its first batch), before the load.
    on_cleaned: CleanedCallback | None = None
    #: See ``BeforeCommit``.
    before_commit: BeforeCommit | None = None


class BatchRun(Protocol):
    """The members of the run that reading a file batch by batch uses."""

    spec: ImportSpec | FrameImportSpec
    settings: RunSettings
    progress: ProgressCallback
    deadline: Deadline
    resolver: KeyResolver
    tally: RowTally
    result: ImportResult

    def unmatched_blocks(self) -> bool: ...
    def clean(self, table: RawTable) -> CleaningOutcome: ...
    def match_columns(self, headers: Sequence[str]) -> MatchedColumns: ...
    def load_settings(self, *, rollback: bool) -> LoadSettings: ...
    def importer_code(self) -> AbstractContextManager[None]: ...
    def loading(self) -> AbstractContextManager[None]: ...
    def keep_preview(self, cleaned: CleaningOutcome) -> None: ...
    def note_load(self, loaded: LoadOutcome, cleaned: CleaningOutcome) -> None: ...
    def record_row_problems(self, exc: RowProblems, cleaned: CleaningOutcome) -> None: ...
    def explain_blocked(self) -> None: ...
    def check_writes(self, written: Mapping[type[Model], object]) -> None: ...


__all__ = ["BatchRun", "BeforeCommit", "CleanedCallback", "RunSettings"]
