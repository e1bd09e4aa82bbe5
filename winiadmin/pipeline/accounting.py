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
    #: Cleaned rows whose stored record was updated / left as it was (upsert).
    updated: set[int] = field(default_factory=set)
    unchanged: set[int] = field(default_factory=set)

    def note_cleaned(self, rows: pl.Series, invalid: Iterable[int]) -> None:
        self.cleaned += rows.len()
        self.invalid.update(invalid)

    def note_left_out(self, rows: Iterable[int | None], cleaned: pl.Series) -> None:
        """Rows of ``cleaned`` left out after cleaning (rows it lacks are not counted twice)."""
        wanted = {r for r in rows if r is not None}
        if wanted:
            found = cleaned.filter(cleaned.is_in(list(wanted)))
            self.left_out.update(int(r) for r in found)

    def note_upserts(self, tallies: Mapping[type[Model], UpsertTally]) -> None:
        for tally in tallies.values():
            self.updated.update(tally.updated_rows)
            self.unchanged.update(tally.unchanged_rows)

    def finish(
        self, *, read: int, status: ImportStatus, skip_invalid: bool, whole_file: bool
    ) -> RowAccounting:
        """``whole_file``: the run failed as a whole (file errors, FAILED): every row rejected."""
        if whole_file or status is ImportStatus.FAILED:
            return RowAccounting(read=read, rejected=read)
        loaded = self.cleaned - len(self.left_out)
        updated = len(self.updated - self.left_out)
        unchanged = len(self.unchanged - self.updated - self.left_out)
        dropped = read - self.cleaned - len(self.invalid)
        bad = len(self.invalid) + len(self.left_out)
        skips = skip_invalid and status in {ImportStatus.SUCCEEDED, ImportStatus.DRY_RUN}
        return RowAccounting(
            read=read,
            imported=loaded - updated - unchanged,
            updated=updated,
            unchanged=unchanged,
            skipped=dropped + (bad if skips else 0),
            rejected=0 if skips else bad,
            dropped=dropped,
        )
