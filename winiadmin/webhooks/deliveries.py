"""Deliveries recorded for an event and handed to a task worker; resent from the admin.

The task that sends one is defined above this package (``winiadmin.tasks``) and handed over by
the app config (:func:`provide_delivery_task`), as ``jobs.dispatch`` gets the jobs' tasks.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.tasks import task_backends
from django.utils import timezone

from winiadmin.conf import get_config
from winiadmin.models import ImportJob, WebhookDelivery
from winiadmin.webhooks.payload import payload

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from django.tasks import Task

_provider: list[Callable[[], Task[[str], str]]] = []


def provide_delivery_task(provider: Callable[[], Task[[str], str]]) -> None:
    """Say where the delivery task comes from (called once, by the app config)."""
    _provider[:] = [provider]


def record(job: ImportJob, event: str) -> list[WebhookDelivery]:
    """A delivery per webhook that wants ``event`` of this job's importer, each sent by a
    worker once the caller's transaction commits (not at all if it rolls back)."""
    wanted = [w for w in get_config().WEBHOOKS if w.wants(event, job.importer)]
    body = payload(event, job)
    made = [
        WebhookDelivery.objects.create(job_id=job.pk, event=event, url=w.url, payload=body)
        for w in wanted
    ]
    for delivery in made:
        schedule(delivery.pk)
    return made


def schedule(delivery_id: object, delay: float = 0.0) -> None:
    """Enqueue the delivery's next attempt once the current transaction commits; in ``delay``
    seconds when the task backend can defer (otherwise the worker waits, see ``send.py``)."""

    def enqueue() -> None:
        if not _provider:
            msg = "winiadmin's tasks are not provided: is 'winiadmin' in INSTALLED_APPS?"
            raise RuntimeError(msg)
        alias = get_config().TASK_BACKEND
        deliver = _provider[0]().using(backend=alias)
        if delay > 0 and task_backends[alias].supports_defer:
            deliver = deliver.using(run_after=timezone.now() + timedelta(seconds=delay))
        deliver.enqueue(str(delivery_id))

    transaction.on_commit(enqueue)


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones: 1x, 2x, 4x… the base."""
    return float(get_config().WEBHOOK_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def resend(deliveries: Iterable[WebhookDelivery]) -> int:
    """Send these deliveries again (the admin's action): pending, attempts counted afresh."""
    count = 0
    for delivery in deliveries:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.PENDING,
            attempts=0,
            next_attempt_at=None,
            updated_at=timezone.now(),
        )
        schedule(delivery.pk)
        count += 1
    return count
