"""The signals that become deliveries: a job's run ended, an import was undone.

A webhook is a side duty: whatever goes wrong recording its deliveries is logged, and the run
or the undo goes on (inside a savepoint, so that the undo's transaction stays usable)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, transaction

from winiadmin.models import ImportJob
from winiadmin.signals import import_finished, import_undone
from winiadmin.webhooks.deliveries import record
from winiadmin.webhooks.payload import event_of

logger = logging.getLogger("winiadmin")


def on_finished(*, job: ImportJob, **_: Any) -> None:
    """A run ended with its outcome written (a fenced-off run ends without this signal)."""
    event = event_of(job)
    if event is not None:
        _record(job, event)


def on_undone(*, job: ImportJob, **_: Any) -> None:
    _record(job, "undone")


def _record(job: ImportJob, event: str) -> None:
    try:
        with transaction.atomic():
            record(job, event)
    except DatabaseError:
        logger.exception("Recording the %s webhooks of job %s failed", event, job.pk)


def connect() -> None:
    """Called once by the app config."""
    import_finished.connect(on_finished, sender=ImportJob, dispatch_uid="winiadmin.webhooks")
    import_undone.connect(on_undone, sender=ImportJob, dispatch_uid="winiadmin.webhooks")
