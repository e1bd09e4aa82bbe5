"""Webhooks sent by real task workers (db_worker, Celery): the import runs on a worker, whose
delivery to a receiver on 127.0.0.1 fails once and is retried after the backoff."""

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from tests.jobs.conftest import MakeJob
from tests.webhooks.conftest import SECRET, Receiver
from tests.workers import Workers, needs_shared_db, running_workers
from winiadmin.jobs.background import start_execution, start_validation
from winiadmin.models import ImportJob, WebhookDelivery
from winiadmin.webhooks.signing import verify

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the workers must see committed rows
    pytest.mark.processes,
    needs_shared_db,
]


@pytest.fixture
def workers(tmp_path: Path, worker_engine: str, receiver: Receiver) -> Iterator[Workers]:
    settings = {
        "BACKGROUND_THRESHOLD": 0,
        "WEBHOOKS": [{"url": receiver.url, "secret": SECRET}],
        "WEBHOOK_RETRY_SECONDS": 0.5,
    }
    for started in running_workers(tmp_path, worker_engine):
        started.winiadmin = settings
        with override_settings(WINIADMIN=settings):
            yield started


def wait_until(test: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not test():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_worker_imports_then_delivers_the_webhook_retrying_once(
    make_job: MakeJob, user: User, workers: Workers, receiver: Receiver
) -> None:
    receiver.answers = [500]
    job = make_job(validate=False)
    workers.start()
    start_validation(job)
    wait_until(lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.VALIDATED)
    job.refresh_from_db()
    start_execution(job, skip_invalid=False, user=user)

    wait_until(lambda: len(receiver.received) == 2)

    first, second = receiver.received
    for got in (first, second):
        headers = got.headers
        assert verify(
            SECRET, headers["X-Winiadmin-Timestamp"], got.body, headers["X-Winiadmin-Signature"]
        )
    assert first.headers["X-Winiadmin-Delivery"] == second.headers["X-Winiadmin-Delivery"]
    assert json.loads(second.body)["job"]["status"] == "succeeded"
    wait_until(lambda: WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.attempts, delivery.job_id) == ("finished", 2, job.pk)
