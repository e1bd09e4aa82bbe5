"""A running job's progress, heartbeat and cancel flag, kept in the database by a second thread.

The import runs inside one transaction that a dry run or a cancel rolls back. Progress written on
that connection would be invisible to the other servers (PostgreSQL shows only committed rows) and
lost with the rollback, so a thread with its own connection (Django's connections are per thread)
writes it: at most every ``PROGRESS_INTERVAL`` seconds, the stage, the rows done and a heartbeat,
only while the job is still this run's attempt (``winiadmin.jobs.fence``); and it looks for a
cancel (the job's ``cancel_requested``, or the attempt's cancel file of ``cancel_flag``, which the
web process writes without waiting for SQLite's write lock). Each tick it also publishes the
progress, with the stage's smoothed pace, to a file (:mod:`winiadmin.jobs.live_progress`): on
SQLite the import's transaction holds the only write lock through the load, so the row cannot
change until the end. The pipeline's progress callback only touches memory, and raises
:class:`ImportCancelled` once the thread has seen a cancel, or ``AttemptFenced`` once it has seen
the job taken over by another attempt.

The same thread proves the process alive and keeps watch on the others. On PostgreSQL it holds the
job's advisory lock (``winiadmin.jobs.liveness``) on its connection for as long as the run lasts,
which the server releases when the process dies; and every ``SWEEP_INTERVAL`` seconds it looks
for other jobs whose worker died (``winiadmin.jobs.stale``), so that a busy worker finds them too.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.db import DatabaseError, connections, router
from django.utils import timezone

from winiadmin.conf import get_config
from winiadmin.jobs import cancel_flag
from winiadmin.jobs.fence import AttemptFenced, ImportCancelled
from winiadmin.jobs.live_progress import LiveProgress, publish
from winiadmin.jobs.liveness import has_liveness_locks, hold_job_lock, release_job_lock
from winiadmin.jobs.pace import StagePace
from winiadmin.jobs.stale import sweep_dead_jobs
from winiadmin.models import ImportJob

if TYPE_CHECKING:
    from datetime import datetime
    from types import TracebackType
    from uuid import UUID

    from winiadmin.progress import Progress

logger = logging.getLogger("winiadmin")


def worker_name() -> str:
    """Who runs a job: host and process id (enough to find it on a machine)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


@dataclass(slots=True)
class _Snapshot:
    stage: str = ""
    stage_started_at: datetime | None = None
    rows_done: int = 0
    rows_total: int | None = None


@dataclass(slots=True)
class JobMonitor:
    """Use as a context manager around a run; pass it as the run's ``progress`` callback."""

    job_id: UUID | str
    #: Only this status is updated: a job reaped as stale or already finished is left alone.
    status: str
    #: Only this attempt is updated: a job retried meanwhile belongs to its new attempt.
    attempt: UUID | None = None
    interval: float = field(default_factory=lambda: get_config().PROGRESS_INTERVAL)
    sweep_interval: float = field(default_factory=lambda: get_config().SWEEP_INTERVAL)
    _snapshot: _Snapshot = field(default_factory=_Snapshot)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _cancelled: threading.Event = field(default_factory=threading.Event)
    _ready: threading.Event = field(default_factory=threading.Event)
    _locked: bool = False
    _fenced: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _pace: StagePace = field(default_factory=StagePace)
    _looked: float = 0.0

    def __call__(self, progress: Progress) -> None:
        with self._lock:
            new_stage = progress.stage.value != self._snapshot.stage
            if new_stage:
                self._snapshot.stage = progress.stage.value
                self._snapshot.stage_started_at = timezone.now()
            self._snapshot.rows_done = progress.done
            self._snapshot.rows_total = progress.total
        # The cancel file needs no database: look here too, at every new stage (clean and the
        # importer's transform report no progress) and every ``interval`` within one. On SQLite
        # the thread below may be stuck behind the import's own write lock.
        now = time.monotonic()
        if new_stage or now - self._looked >= self.interval:
            self._looked = now
            if cancel_flag.cancel_requested(self.job_id, self.attempt):
                self._cancelled.set()
        if self._fenced.is_set():
            raise AttemptFenced
        if self._cancelled.is_set():
            raise ImportCancelled

    @property
    def cancel_seen(self) -> bool:
        return self._cancelled.is_set()

    def __enter__(self) -> JobMonitor:
        self._thread = threading.Thread(
            target=self._beat, name=f"winiadmin-heartbeat-{self.job_id}", daemon=True
        )
        self._thread.start()
        # The run starts once the lock is held (or was tried): a free lock means a dead worker.
        self._ready.wait(timeout=10)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        # The last count, for the page until the run's final save (on SQLite the row may still
        # hold what was written before the load); the runner removes the file when the job ends.
        self._publish(timezone.now())

    def final_fields(self) -> dict[str, object]:
        """The last progress, for the run's own final save."""
        snap = self._latest()
        return {
            "stage": snap.stage,
            "stage_started_at": snap.stage_started_at,
            "rows_done": snap.rows_done,
            "rows_total": snap.rows_total,
        }

    def _latest(self) -> _Snapshot:
        with self._lock:
            return replace(self._snapshot)

    def _beat(self) -> None:
        try:
            self._wait_briefly_for_locks()
            self._hold_lock()
            self._ready.set()
            next_sweep = time.monotonic() + self.sweep_interval
            while not self._stop.wait(self.interval):
                self._hold_lock()
                self._write()
                if time.monotonic() >= next_sweep:
                    self._sweep()
                    next_sweep = time.monotonic() + self.sweep_interval
        finally:
            self._ready.set()
            self._release_lock()
            connections.close_all()  # this thread's own connections

    def _wait_briefly_for_locks(self) -> None:
        """On SQLite, this thread's writes give up within a tick instead of the connection's
        long busy timeout: while the import holds the write lock, the tick goes on to the file."""
        connection = connections[router.db_for_write(ImportJob)]
        if connection.vendor != "sqlite":
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {max(50, int(self.interval * 500))}")
        except DatabaseError:
            logger.debug("No short lock wait for job %s", self.job_id, exc_info=True)

    def _publish(self, now: datetime) -> None:
        snap = self._latest()
        rate = self._pace.update(snap.stage, snap.rows_done, time.monotonic())
        live = LiveProgress(
            status=self.status,
            stage=snap.stage,
            stage_started_at=snap.stage_started_at,
            rows_done=snap.rows_done,
            rows_total=snap.rows_total,
            rate=rate,
            written_at=now,
        )
        publish(self.job_id, live)

    def _hold_lock(self) -> None:
        """Take the job's advisory lock on PostgreSQL, until this thread's connection closes."""
        if self._locked:
            return
        try:
            self._locked = not has_liveness_locks() or hold_job_lock(self.job_id)
        except DatabaseError:
            logger.warning("Liveness lock of job %s not taken yet", self.job_id, exc_info=True)

    def _release_lock(self) -> None:
        if not (self._locked and has_liveness_locks()):
            return
        try:
            release_job_lock(self.job_id)
        except DatabaseError:  # the connection is gone: so is its lock
            logger.debug("Liveness lock of job %s released with its connection", self.job_id)

    def _sweep(self) -> None:
        try:
            sweep_dead_jobs(exclude=self.job_id)  # its own lock is held here: never itself
        except Exception:  # a failed look must never stop the heartbeat
            logger.exception("Looking for dead jobs failed; trying again later")

    def _write(self) -> None:
        now = timezone.now()
        self._publish(now)
        fields = self.final_fields()
        # Three looks, each allowed to fail on its own: SQLite refuses the write while the
        # import holds its write lock, yet may still answer the read; the file needs no lock.
        if cancel_flag.cancel_requested(self.job_id, self.attempt):
            self._cancelled.set()
        jobs = ImportJob.objects.filter(pk=self.job_id, status=self.status, attempt=self.attempt)
        try:
            jobs.update(heartbeat=now, updated_at=now, **fields)
        except DatabaseError:
            logger.debug("Progress of job %s not written this time", self.job_id, exc_info=True)
        try:
            self._read_job()
        except DatabaseError:
            logger.debug("Cancel flag of job %s not read this time", self.job_id, exc_info=True)

    def _read_job(self) -> None:
        row = (
            ImportJob.objects.filter(pk=self.job_id)
            .values_list("attempt", "status", "cancel_requested")
            .first()
        )
        if row is None:
            # Not visible to this thread's connection: the job was created in a transaction not
            # committed yet (a run inside the request that uploaded it, ATOMIC_REQUESTS, a test).
            # The fence's check before the commit decides then; a deleted job is refused there.
            return
        # SUCCEEDED: this run's own commit (the fence marks it so in the import's transaction).
        if row[0] != self.attempt or row[1] not in {self.status, "succeeded"}:
            self._fenced.set()
        elif row[2]:
            self._cancelled.set()
