"""Every row of the file accounted for: ``read = imported + updated + unchanged + skipped +
rejected``, in file rows, computed here and nowhere else.

The pipeline tells a :class:`RowTally` what each stage did to which rows (a streamed file: batch
by batch); :meth:`RowTally.finish` turns it into the result's :class:`RowAccounting` once the
run's outcome is known. Sets hold only the rows something happened to (errors, left-out rows,
upserted rows); the rest are counted.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl
from django.db.models import Model

from winiadmin.db.upsert import UpsertTally
from winiadmin.results import ImportStatus, RowAccounting


@dataclass(slots=True)
class RowTally:
    #: Rows that passed cleaning (handed to ``get_bulks_by_model`` / ``get_frames_by_model``).
    cleaned: int = 0
    #: Rows with errors found while cleaning (never in the cleaned frame).
    invalid: set[int] = field(default_factory=set)
    #: Cleaned rows left out later: unique conflicts, values matching nothing, ``RowProblems``.
    left_out: set[int] = field(default_factory=set)
    #: Cleaned rows (not left out) whose stored record was updated / left as it was (upsert);
    #: counted per load (a streamed file: per batch, which holds each of its rows whole), so
    #: memory follows the batch, not the file.
    updated: int = 0
    unchanged: int = 0

    def note_cleaned(self, rows: pl.Series, invalid: Iterable[int]) -> None:
        self.cleaned += rows.len()
        self.invalid.update(invalid)

    def note_left_out(self, rows: Iterable[int | None], cleaned: pl.Series) -> set[int]:
        """Rows of ``cleaned`` left out after cleaning (rows it lacks are not counted twice);
        returns them."""
        wanted = {r for r in rows if r is not None}
        if not wanted:
            return set()
        found = {int(r) for r in cleaned.filter(cleaned.is_in(list(wanted)))}
        self.left_out.update(found)
        return found

    def note_load(
        self,
        left_out: Iterable[int | None],
        cleaned: pl.Series,
        tallies: Mapping[type[Model], UpsertTally],
    ) -> None:
        """One load (of a file, or of a batch): its left-out rows and its upserted rows."""
        dropped = self.note_left_out(left_out, cleaned)
        updated: set[int] = set()
        unchanged: set[int] = set()
        for tally in tallies.values():
            updated.update(tally.updated_rows)
            unchanged.update(tally.unchanged_rows)
        updated -= dropped
        self.updated += len(updated)
        self.unchanged += len(unchanged - updated - dropped)

    def finish(
        self, *, read: int, status: ImportStatus, skip_invalid: bool, whole_file: bool
    ) -> RowAccounting:
        """``whole_file``: the run failed as a whole (file errors, FAILED): every row rejected."""
        if whole_file or status is ImportStatus.FAILED:
            return RowAccounting(read=read, rejected=read)
        loaded = self.cleaned - len(self.left_out)
        dropped = read - self.cleaned - len(self.invalid)
        bad = len(self.invalid) + len(self.left_out)
        skips = skip_invalid and status in {ImportStatus.SUCCEEDED, ImportStatus.DRY_RUN}
        return RowAccounting(
            read=read,
            imported=loaded - self.updated - self.unchanged,
            updated=self.updated,
            unchanged=self.unchanged,
            skipped=dropped + (bad if skips else 0),
            rejected=0 if skips else bad,
            dropped=dropped,
        )
