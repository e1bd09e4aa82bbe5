"""Attempt fencing: a job's rows are committed at most once, whatever its workers do.

Every claim of a job gives it a new ``attempt`` token (``new_attempt``); the run carries its token.
A worker that froze (a long GC pause, a VM stall, SIGSTOP) longer than ``STALE_AFTER_SECONDS`` may
find, when it wakes, that its job was marked failed and retried by another worker under a new
token. Then it must write nothing:

- its transaction, just before it commits, locks the job's row and checks that the job is still
  RUNNING with this attempt and that no cancel is pending (``Fence.before_commit``, the pipeline's
  ``before_commit`` hook); otherwise it raises and the transaction rolls back. The same transaction
  marks the job SUCCEEDED, so the rows and that status are committed together: a job whose rows are
  in is never again taken for dead and retried;
- every later write about the job (status, counts, report, created keys, the log entry, its
  preview) is one conditional write on the attempt (``Fence.finish``);
- its progress thread writes only ``WHERE attempt = token`` and stops the run when the job moved on.

PostgreSQL (READ COMMITTED): ``SELECT … FOR UPDATE`` waits for whoever holds the row (a reaper, a
retry's claim) to commit, then reads the newest committed row, so the check sees any retry that
committed before it; and from then on the row is locked until the import commits, so no claim or
reaper can slip in between the check and the commit. SQLite: one writer at a time; the import's
transaction (``IMMEDIATE``) has held the write lock since it began, so nobody committed anything
since and the row it reads is the current one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from winiadmin.jobs import cancel_flag
from winiadmin.models import ImportJob

if TYPE_CHECKING:
    from collections.abc import Callable
    from uuid import UUID

    from django.db.models import QuerySet

Status = ImportJob.Status
Finish = Literal["written", "cancelled", "fenced"]


class ImportCancelled(BaseException):
    """Raised through the pipeline when the job's cancel was requested.

    A ``BaseException`` so that no ``except Exception`` in the pipeline or an importer turns it
    into an ordinary failure: it leaves every ``atomic`` block, which rolls back.
    """


class AttemptFenced(BaseException):
    """This run's attempt is no longer the job's (reaped as stale, retried): it writes nothing.

    A ``BaseException`` like ``ImportCancelled``: no ``except Exception`` in the pipeline or an
    importer may turn it into an ordinary failure, so it leaves every ``atomic`` block, which rolls
    back.
    """


def new_attempt() -> UUID:
    return uuid.uuid4()


@dataclass(frozen=True, slots=True)
class Fence:
    """The claim a run holds on its job: the job's id, the attempt's token, the working status."""

    job_id: UUID
    attempt: UUID | None
    #: VALIDATING for a dry run, RUNNING for a real run.
    working: str
    using: str = DEFAULT_DB_ALIAS

    @classmethod
    def of(cls, job: ImportJob) -> Fence:
        return cls(job.pk, job.attempt, job.status)

    def jobs(self) -> QuerySet[ImportJob]:
        """The job, as long as it is still this attempt's and working."""
        return ImportJob.objects.using(self.using).filter(
            pk=self.job_id, attempt=self.attempt, status=self.working
        )

    def cancel_pending(self) -> bool:
        return cancel_flag.cancel_requested(self.job_id, self.attempt)

    def before_commit(self) -> None:
        """Inside the run's transaction, right before it commits: still ours, not cancelled?

        Raises ``AttemptFenced`` or ``ImportCancelled`` (the transaction rolls back); otherwise
        marks the job SUCCEEDED in the same transaction.
        """
        row = self._locked_row()
        if row is None or row[0] != self.attempt or row[1] != self.working:
            raise AttemptFenced
        if row[2] or cancel_flag.decide(self.job_id, self.attempt, "commit") == "cancel":
            raise ImportCancelled
        now = timezone.now()
        # SQLite without IMMEDIATE: a write with a stale snapshot fails rather than misreads.
        if not self.jobs().update(status=Status.SUCCEEDED, finished_at=now, updated_at=now):
            raise AttemptFenced

    def finish(
        self,
        fields: dict[str, object],
        *,
        committed: bool,
        also: Callable[[], None] | None = None,
    ) -> Finish:
        """The run's final write about the job, only if the job is still this attempt's; ``also``
        (the admin log entry) in the same transaction when it is written.

        A run that committed nothing ends CANCELLED instead when a cancel is pending (one came too
        late to stop it earlier: an acknowledged cancel is kept). Returns what was written.
        """
        expected = Status.SUCCEEDED if committed else self.working
        now = timezone.now()
        with transaction.atomic(using=self.using):
            row = self._locked_row()
            if row is None or row[0] != self.attempt or row[1] != expected:
                return "fenced"
            jobs = ImportJob.objects.using(self.using).filter(pk=self.job_id)
            if not committed and (
                row[2] or cancel_flag.decide(self.job_id, self.attempt, "commit") == "cancel"
            ):
                progress = {k: v for k, v in fields.items() if k in PROGRESS_FIELDS}
                jobs.update(**progress, **cancelled_fields(), updated_at=now, db_pid=None)
                return "cancelled"
            jobs.update(**{**fields, "updated_at": now, "db_pid": None})
            if also is not None:
                also()
            return "written"

    def _locked_row(self) -> tuple[UUID | None, str, bool] | None:
        return (
            ImportJob.objects.using(self.using)
            .select_for_update()
            .filter(pk=self.job_id)
            .values_list("attempt", "status", "cancel_requested")
            .first()
        )


CANCELLED_MESSAGE = gettext_lazy("Cancelled; nothing was written.")
#: What a cancelled run still writes of its last fields: where it got to.
PROGRESS_FIELDS = frozenset({"stage", "stage_started_at", "rows_done", "rows_total"})


def cancelled_fields() -> dict[str, object]:
    return {
        "status": Status.CANCELLED,
        "error": CANCELLED_MESSAGE,
        "finished_at": timezone.now(),
    }
