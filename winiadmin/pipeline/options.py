"""What one run is given: :class:`RunOptions`, and the two hooks' types.

One frozen value, built once by whoever starts a run (``Importer.run``, the commands, a
background job) and read by :mod:`winiadmin.pipeline.run`; a variant is
``dataclasses.replace(options, dry_run=True)``. Exported by :mod:`winiadmin.importers`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from winiadmin.cleaning.mapping import ColumnMapping
    from winiadmin.cleaning.stage import CleaningOutcome
    from winiadmin.progress import ProgressCallback
    from winiadmin.readers import RawTable, ReadOptions

#: Called with the cleaned rows before transform and load run, e.g. to show them early.
CleanedCallback = Callable[["CleaningOutcome"], None]

#: Given each table as read (a streamed file: each batch) before it is cleaned; returns the table
#: to clean. A background job keeps it as read there, and applies the job's edits.
PrepareBatch = Callable[["RawTable"], "RawTable"]

#: Called inside the import's transaction right before it commits (never when it rolls back);
#: raising rolls it back. A background job checks there that it still owns the job (fencing).
BeforeCommit = Callable[[], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    """How to run one import; every field has a default (the whole file, for real)."""

    #: Run every stage, then roll back: the result says what would have been written.
    dry_run: bool = False
    #: Import the valid rows and skip the invalid ones (listed); without it, any error blocks.
    skip_invalid: bool = False
    #: Objects per INSERT (instance path) and rows per chunk (frame path); ``None``: the
    #: ``BATCH_SIZE`` / ``FRAME_BATCH_SIZE`` settings.
    batch_size: int | None = None
    #: Database alias; ``None``: ``default``.
    using: str | None = None
    #: Seconds; past them the import stops and rolls back. ``None``: no limit.
    timeout: float | None = None
    #: How to read the file (format, encoding, delimiter, sheet, header row, limits).
    read_options: ReadOptions | None = None
    #: The file's name as the user knows it (for format detection of a file object).
    file_name: str | None = None
    #: Keep the primary keys of the created rows (``ImportResult.created_pks``).
    collect_pks: bool = False
    #: Told of each stage's progress.
    progress: ProgressCallback | None = None
    #: File header → expected column (or ``None``: ignore); the rest is matched automatically.
    column_mapping: ColumnMapping | None = None
    #: Create the related rows whose natural key matches nothing, where the lookup allows it.
    create_missing: bool = False
    #: Told once the rows are cleaned (a streamed file: its first batch), before the load.
    on_cleaned: CleanedCallback | None = None
    #: Told of every batch's cleaned rows (a file read whole: its one batch), in file order;
    #: a background job writes them to its preview batch by batch.
    on_batch: CleanedCallback | None = None
    #: See ``PrepareBatch`` (a workbook read sheet by sheet is not given to it).
    prepare_batch: PrepareBatch | None = None
    #: See ``BeforeCommit``.
    before_commit: BeforeCommit | None = None


__all__ = ["BeforeCommit", "CleanedCallback", "PrepareBatch", "RunOptions"]
