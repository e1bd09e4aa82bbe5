"""The signals that become deliveries: a job's run ended, an import was undone."""

from __future__ import annotations

from typing import Any

from winiadmin.models import ImportJob
from winiadmin.signals import import_finished, import_undone
from winiadmin.webhooks.deliveries import record
from winiadmin.webhooks.payload import event_of


def on_finished(*, job: ImportJob, **_: Any) -> None:
    """A run ended with its outcome written (a fenced-off run ends without this signal)."""
    event = event_of(job)
    if event is not None:
        record(job, event)


def on_undone(*, job: ImportJob, **_: Any) -> None:
    record(job, "undone")


def connect() -> None:
    """Called once by the app config."""
    import_finished.connect(on_finished, sender=ImportJob, dispatch_uid="winiadmin.webhooks")
    import_undone.connect(on_undone, sender=ImportJob, dispatch_uid="winiadmin.webhooks")
