"""What one run of the pipeline did (or, in a dry run, would do)."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import polars as pl

from winiadmin.db.key_runs import KeyRuns
from winiadmin.problems import ProblemReport

if TYPE_CHECKING:
    from winiutils.core.data.dataframe.cleaning import CleaningDF

    from winiadmin.cleaning.detection import ConventionProposal
    from winiadmin.cleaning.mapping import MatchedColumns
    from winiadmin.db.lookups import MappedKeys, UnmatchedKeys
    from winiadmin.db.upsert import RowChange
    from winiadmin.exceptions import ImporterFailed


class Stage(StrEnum):
    READ = "read"
    CLEAN = "clean"
    TRANSFORM = "transform"
    LOAD = "load"


class ImportStatus(StrEnum):
    #: The data was written and committed.
    SUCCEEDED = "succeeded"
    #: Dry run: everything ran, inserts included, then was rolled back.
    DRY_RUN = "dry_run"
    #: Blocking problems were found; nothing was written.
    INVALID = "invalid"
    #: The database refused the data or an error stopped the run; nothing was written.
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ModelCount:
    label: str  #: ``app_label.ModelName``
    verbose_name: str
    count: int  #: created (dry run: would be created)
    #: Upsert: stored rows whose imported fields differed (updated) or did not (left alone).
    updated: int = 0
    unchanged: int = 0
    #: Many-to-many links (through rows) an upsert removed (``on_upsert="replace"``).
    removed: int = 0


@dataclass(frozen=True, slots=True)
class RowAccounting:
    """Every data row of the file counted once, in file rows (not records):
    ``read = imported + updated + unchanged + skipped + rejected``.

    A run that did not commit (a dry run, a check with errors) counts what the import would do.
    Computed in one place, :mod:`winiadmin.pipeline.accounting`; the terms are defined in
    docs/workflow.md ("Every row accounted for").
    """

    #: Data rows the file has (the header and title rows above it are not counted).
    read: int = 0
    #: Rows that created records (and created nothing else, nor updated).
    imported: int = 0
    #: Rows whose stored record they updated (upsert).
    updated: int = 0
    #: Rows whose stored record already held their values (upsert): nothing written for them.
    unchanged: int = 0
    #: Rows left out while the rest is imported: invalid rows with "skip invalid rows", and
    #: the rows the cleaning rules drop (``dropped``).
    skipped: int = 0
    #: Rows with errors when the import stops because of them (nothing written); every row
    #: when the run fails as a whole (unreadable file, missing column, importer or database
    #: error, timeout).
    rejected: int = 0
    #: Of ``skipped``: rows the cleaning rules dropped on purpose, each a warning (a repeat of
    #: another row, the row not used under first/last wins, an empty row).
    dropped: int = 0

    @property
    def balanced(self) -> bool:
        """The identity holds (always, unless a cleaning class adds rows)."""
        total = self.imported + self.updated + self.unchanged + self.skipped + self.rejected
        return self.read == total


@dataclass(slots=True)
class ImportResult:
    importer: str
    dry_run: bool
    status: ImportStatus
    problems: ProblemReport
    rows_read: int = 0
    rows_cleaned: int = 0
    #: File row numbers left out because they had errors and the caller chose to skip them.
    skipped_rows: tuple[int, ...] = ()
    #: Rows per model created (dry run: would be created), in insert order.
    created: list[ModelCount] = field(default_factory=list)
    #: Primary keys of created objects by model label (empty for a dry run).
    created_pks: dict[str, list[object]] = field(default_factory=dict)
    #: A streamed run's created keys instead (``created_pks`` stays empty): runs of consecutive
    #: keys as ranges, so that they do not grow a Python object per row.
    created_keys: dict[str, KeyRuns] = field(default_factory=dict)
    #: Seconds per stage that ran.
    timings: dict[Stage, float] = field(default_factory=dict)
    #: The first rows of the cleaned frame.
    preview: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: A workbook read sheet by sheet (``Importer.sheets``): the first cleaned rows of each.
    sheet_previews: dict[str, pl.DataFrame] = field(default_factory=dict)
    #: Why the run failed, when ``status`` is FAILED or INVALID, in one sentence.
    error: str = ""
    #: How the file was read: format, encoding, delimiter, sheet, header row.
    source_info: dict[str, str] = field(default_factory=dict)
    #: Workbooks: every sheet's name (the one read is ``source_info["sheet"]``).
    sheets: tuple[str, ...] = ()
    #: The file row the column names were read from (``None``: the format has no header row).
    header_row: int | None = None
    #: Every cleaned row (what was, or would be, handed to ``get_bulks_by_model``).
    cleaned_frame: pl.DataFrame = field(default_factory=pl.DataFrame, repr=False)
    #: The file row number of each row of ``cleaned_frame``.
    cleaned_rows: pl.Series = field(default_factory=pl.Series, repr=False)
    #: The importer's cleaning class instance, as winiutils left it.
    cleaning_df: "CleaningDF | None" = field(default=None, repr=False)
    #: Which file header fed which expected column, and how it was matched.
    column_matches: "MatchedColumns | None" = None
    #: Upsert: the first ``MAX_DIFFS`` updated rows per model label, with old → new values.
    changes: "dict[str, list[RowChange]]" = field(default_factory=dict)
    #: The first few non-blank values of each file column, by header (for the mapping step).
    column_samples: dict[str, list[str]] = field(default_factory=dict, repr=False)
    #: Natural-key values that matched nothing, per lookup (created ones are marked so).
    unmatched: "list[UnmatchedKeys]" = field(default_factory=list)
    #: Natural-key values that matched nothing, resolved through ``RunOptions.value_mappings``.
    mapped: "list[MappedKeys]" = field(default_factory=list)
    #: The importer's own code raised (status FAILED): the ``ImporterFailed`` whose ``error``
    #: (and ``__cause__``) is the exception, for callers that want to re-raise it.
    exception: "ImporterFailed | None" = field(default=None, repr=False)
    #: Every row of the file accounted for (see :class:`RowAccounting`).
    rows: RowAccounting = field(default_factory=RowAccounting)
    #: Columns whose refused cells a convention would read (decimal commas, day-first dates):
    #: proposed, never applied; declare or accept one to apply it (docs/conventions.md).
    proposals: "list[ConventionProposal]" = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.DRY_RUN}

    @property
    def committed(self) -> bool:
        return self.status is ImportStatus.SUCCEEDED

    @property
    def rows_skipped(self) -> int:
        return len(self.skipped_rows)

    @property
    def total_created(self) -> int:
        return sum(c.count for c in self.created)

    @property
    def total_updated(self) -> int:
        return sum(c.updated for c in self.created)

    @property
    def total_unchanged(self) -> int:
        return sum(c.unchanged for c in self.created)

    @property
    def total_seconds(self) -> float:
        return sum(self.timings.values())

    def count_for(self, label: str) -> int:
        return next((c.count for c in self.created if c.label == label), 0)
