"""What one run is given: :class:`RunOptions`, and the two hooks' types.

One frozen value, built once by whoever starts a run (``Importer.run``, the commands, a
background job) and read by :mod:`winiadmin.pipeline.run`; a variant is
``dataclasses.replace(options, dry_run=True)``. Exported by :mod:`winiadmin.importers`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    import polars as pl

    from winiadmin.cleaning.conventions import FileConventions
    from winiadmin.cleaning.mapping import ColumnMapping
    from winiadmin.cleaning.stage import CleaningOutcome
    from winiadmin.db.lookups import CreateValues, ValueMappings
    from winiadmin.progress import ProgressCallback
    from winiadmin.readers import RawTable, ReadOptions

#: Called with the cleaned rows before transform and load run, e.g. to show them early.
CleanedCallback = Callable[["CleaningOutcome"], None]

#: Given each table as read (a streamed file: each batch) before it is cleaned; returns the table
#: to clean. A background job keeps it as read there, and applies the job's edits.
PrepareBatch = Callable[["RawTable"], "RawTable"]

#: Rows cleaned by an earlier check of the same inputs, batch by batch: (cleaned frame, file row
#: numbers). Given, the run reads and cleans nothing; transform and load run as usual.
CleanedBatches = Callable[[], "Iterator[tuple[pl.DataFrame, pl.Series]]"]

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
    #: Natural-key values that match nothing, sent to a chosen row instead, per lookup
    #: (``"shop.Product.category"``): ``{"Toyz": "3"}`` (the value as text → the row's primary
    #: key as text). A value that matches a row is never mapped; a chosen row deleted since leaves
    #: the value unmatched. What was applied: ``ImportResult.mapped``.
    value_mappings: ValueMappings | None = None
    #: Natural-key values that match nothing to create one by one, per lookup
    #: (``"shop.Product.category"``): ``{"Garden"}`` (the values as text), where the lookup
    #: allows creating (``Lookup(create=True)``); the other unmatched values stay errors.
    #: ``create_missing`` creates them all.
    create_values: CreateValues | None = None
    #: Told once the rows are cleaned (a streamed file: its first batch), before the load.
    on_cleaned: CleanedCallback | None = None
    #: Told of every batch's cleaned rows (a file read whole: its one batch), in file order;
    #: a background job writes them to its preview batch by batch.
    on_batch: CleanedCallback | None = None
    #: See ``PrepareBatch`` (a workbook read sheet by sheet is not given to it).
    prepare_batch: PrepareBatch | None = None
    #: See ``CleanedBatches``: a background job's confirm, when its check's inputs are unchanged
    #: (``winiadmin.jobs.check_inputs``). The source is not read; the run is streamed (keys
    #: checked across batches, created keys kept as ranges).
    cleaned_batches: CleanedBatches | None = None
    #: See ``BeforeCommit``.
    before_commit: BeforeCommit | None = None
    #: Field name → value set on every created row of each model that has the field (the
    #: row's owner: ``UserWizardSite.get_fixed_values``). A file column holding values for one
    #: is a problem; an upsert key matching a stored row that does not hold them is a problem.
    fixed_values: Mapping[str, object] = field(default_factory=dict)
    #: How this file writes numbers and dates; each declared field overrides the importer's
    #: ``conventions`` (docs/conventions.md).
    conventions: FileConventions | None = None


__all__ = ["BeforeCommit", "CleanedBatches", "CleanedCallback", "PrepareBatch", "RunOptions"]
