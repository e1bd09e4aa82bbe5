"""A Parquet file written batch by batch: the cleaned rows and the table as read of a streamed run.

Each batch is written as a part to a local temporary folder while the run goes on (nothing of it
stays in memory); :meth:`ParquetParts.save` then combines the parts into one file with polars'
streaming engine, in row groups of ``row_group_size`` rows (a page reads the one or two groups it
falls in), and saves it through the upload storage like the job's other files. Batches of another
schema than the first (a column all empty in one batch) are cast to the first's.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from django.core.files import File

from winiadmin.storage import upload_storage

if TYPE_CHECKING:
    from types import TracebackType


class ParquetParts:
    """Pass frames to :meth:`add`, then :meth:`save` once (or just close: nothing is kept)."""

    def __init__(self, row_group_size: int) -> None:
        self.row_group_size = row_group_size
        self.count = 0
        self._folder: Path | None = None
        self._schema: pl.Schema | None = None
        self._first: pl.DataFrame | None = None  # the first part, until a second comes

    def __enter__(self) -> ParquetParts:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def add(self, frame: pl.DataFrame) -> None:
        """Keep ``frame`` as the next part. The first is written only once a second comes: a
        file read whole (one batch) writes nothing here (its caller stores it as it is)."""
        if self._schema is None:
            self._schema = frame.schema
        elif frame.schema != self._schema:
            frame = frame.cast(self._schema, strict=False)
        if self._first is not None:
            self._write(self._first, 0)
            self._first = None
        if self.count == 0:
            self._first = frame
        else:
            self._write(frame, self.count)
        self.count += 1

    def _write(self, frame: pl.DataFrame, index: int) -> None:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="winiadmin-parts-"))
        frame.write_parquet(self._part(index), row_group_size=self.row_group_size)

    def _part(self, index: int) -> Path:
        assert self._folder is not None
        return self._folder / f"{index:08}.parquet"

    def save(self, name: str) -> str:
        """The parts as one file at ``name`` in the upload storage (replacing what is there);
        returns the name stored. ``OSError`` when it cannot be written (nothing is left)."""
        if self._first is not None:
            self._write(self._first, 0)
            self._first = None
        if self._folder is None:
            msg = "no batch was added"
            raise ValueError(msg)
        parts = pl.scan_parquet([str(self._part(i)) for i in range(self.count)])
        storage = upload_storage()
        combined = self._folder / "combined.parquet"
        parts.sink_parquet(combined, row_group_size=self.row_group_size)
        if storage.exists(name):
            storage.delete(name)
        try:
            with combined.open("rb") as handle:
                return storage.save(name, File(handle))
        except OSError:  # disk full, say: no half-written file is left to be read
            if storage.exists(name):
                storage.delete(name)
            raise

    def close(self) -> None:
        self._first = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
