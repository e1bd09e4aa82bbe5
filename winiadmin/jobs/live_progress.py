"""A running job's progress as a small JSON file in the upload storage, beside its upload.

The monitor thread (:mod:`winiadmin.jobs.monitor`) writes the job row every tick too, but on
SQLite the import's own transaction holds the database's only write lock through the load, so
the row cannot change until the import ends. A file needs no database lock: the monitor writes
``winiadmin/<job id>/progress.json`` each tick, and the progress view reads it when it is fresher
than the row. On PostgreSQL both say the same; the file also carries the smoothed rate of the
current stage, which the row has no column for.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile

from winiadmin.storage import job_folder, upload_storage

if TYPE_CHECKING:
    from django.core.files.storage import Storage

logger = logging.getLogger("winiadmin")


@dataclass(frozen=True, slots=True)
class LiveProgress:
    #: The job status the run had when this was written (a stale file of an earlier run differs).
    status: str
    stage: str
    stage_started_at: datetime | None
    rows_done: int
    rows_total: int | None
    #: Rows per second in this stage, exponentially smoothed; ``None`` until it can be measured.
    rate: float | None
    written_at: datetime

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("stage_started_at", "written_at"):
            value = data[name]
            data[name] = value.isoformat() if value is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LiveProgress:
        started = data.get("stage_started_at")
        return cls(
            status=str(data["status"]),
            stage=str(data["stage"]),
            stage_started_at=datetime.fromisoformat(started) if started else None,
            rows_done=int(data["rows_done"]),
            rows_total=None if data.get("rows_total") is None else int(data["rows_total"]),
            rate=None if data.get("rate") is None else float(data["rate"]),
            written_at=datetime.fromisoformat(data["written_at"]),
        )


def live_name(job_id: object) -> str:
    return f"{job_folder(job_id)}/progress.json"


def publish(job_id: object, live: LiveProgress) -> None:
    """Replace the job's progress file; a failure is logged, never raised (progress is a hint)."""
    data = json.dumps(live.as_json()).encode()
    storage = upload_storage()
    try:
        _replace(storage, live_name(job_id), data)
    except OSError:
        logger.debug("Live progress of job %s not written", job_id, exc_info=True)


def read_live(job_id: object) -> LiveProgress | None:
    """The job's progress file, or ``None`` (none written, or unreadable just now)."""
    try:
        with upload_storage().open(live_name(job_id), "rb") as handle:
            return LiveProgress.from_json(json.loads(handle.read()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def discard(job_id: object) -> None:
    try:
        upload_storage().delete(live_name(job_id))
    except OSError:
        logger.debug("Live progress of job %s not deleted", job_id, exc_info=True)


def _replace(storage: Storage, name: str, data: bytes) -> None:
    try:
        path = storage.path(name)
    except NotImplementedError:  # a remote storage: no rename, so delete then save
        storage.delete(name)
        storage.save(name, ContentFile(data))
        return
    # A local folder: written beside, then renamed over, so a reader never sees half a file.
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".progress-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
