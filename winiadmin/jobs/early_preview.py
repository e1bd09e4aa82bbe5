"""The cleaned rows of a dry run, shown while its transform and load still run.

The pipeline calls ``EarlyPreview`` once the rows are cleaned (a streamed file: its first batch).
It stores them as the job's Parquet preview and publishes the file's name on the job at once, on
a connection of its own: the import's connection may already be inside the transaction that the
dry run rolls back (a streamed file), and what it wrote there would be neither seen by the page
nor kept. The cleaned frame the run ends with is the one stored here, so the final save reuses it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import DatabaseError, connections

from winiadmin.jobs.frames import store_cleaned_frame
from winiadmin.models import ImportJob

if TYPE_CHECKING:
    from uuid import UUID

    from winiadmin.cleaning.stage import CleaningOutcome

logger = logging.getLogger("winiadmin")


@dataclass(slots=True)
class EarlyPreview:
    """Pass as the run's ``on_cleaned``; ``stored`` is the preview's name once written."""

    job: ImportJob
    stored: str = ""

    def __call__(self, cleaned: CleaningOutcome) -> None:
        try:
            self.stored = store_cleaned_frame(
                self.job.pk, cleaned.frame, cleaned.row_numbers, attempt=self.job.attempt
            )
        except OSError:  # the final save tries again and says why it failed
            logger.warning("Early preview of job %s not stored", self.job.pk, exc_info=True)
            return
        fields = {"preview_file": self.stored, "rows_done": cleaned.frame.height}
        worker = threading.Thread(
            target=_publish,
            args=(self.job.pk, self.job.status, self.job.attempt, fields),
            daemon=True,
        )
        worker.start()
        worker.join()


def _publish(
    job_id: UUID | str, status: str, attempt: UUID | None, fields: dict[str, object]
) -> None:
    """One UPDATE, committed on this thread's own connection (Django's are per thread), only
    while the job is still this attempt's (``winiadmin.jobs.fence``)."""
    try:
        ImportJob.objects.filter(pk=job_id, status=status, attempt=attempt).update(**fields)
    except DatabaseError:  # SQLite busy, say: the page shows the rows when the check ends
        logger.debug("Early preview of job %s not published", job_id, exc_info=True)
    finally:
        connections.close_all()
