"""Deliveries sent to a receiver on 127.0.0.1: signed, retried with exponential backoff, failed
after WEBHOOK_MAX_ATTEMPTS, each attempt in the log."""

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.webhooks.conftest import SECRET, Receiver
from winiadmin.models import WebhookDelivery
from winiadmin.webhooks.send import deliver
from winiadmin.webhooks.signing import verify

pytestmark = pytest.mark.django_db

Status = WebhookDelivery.Status


def pending(url: str) -> WebhookDelivery:
    return WebhookDelivery.objects.create(event="finished", url=url, payload={"event": "finished"})


def _at(delivery: WebhookDelivery) -> datetime:
    assert delivery.next_attempt_at is not None
    return delivery.next_attempt_at


def time_passes(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_delivery_is_signed_and_its_receiver_can_verify_it(hooked: Receiver) -> None:
    delivery = pending(hooked.url)

    assert deliver(str(delivery.pk)) == "delivered"

    (got,) = hooked.received
    headers = got.headers
    assert headers["X-Winiadmin-Event"] == "finished"
    assert headers["X-Winiadmin-Delivery"] == str(delivery.pk)
    assert verify(
        SECRET, headers["X-Winiadmin-Timestamp"], got.body, headers["X-Winiadmin-Signature"]
    )
    assert json.loads(got.body) == {"delivery": str(delivery.pk), "event": "finished"}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        Status.DELIVERED,
        1,
        200,
    )
    assert delivery.delivered_at is not None


def test_failures_are_retried_with_exponential_backoff(
    hooked: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    hooked.answers = [500, 503]
    delivery = pending(hooked.url)

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(str(delivery.pk)) == "pending"
    delivery.refresh_from_db()
    first_wait = (_at(delivery) - delivery.updated_at).total_seconds()
    assert (delivery.attempts, delivery.response_status) == (1, 500)
    assert delivery.last_error.startswith("HTTP 500: receiver says no")
    # The retry is a task for a worker, deferred by the backoff.
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [str(delivery.pk)]
    assert task.run_after is not None and task.run_after > timezone.now() + timedelta(seconds=8)
    assert deliver(str(delivery.pk)) == "not due"  # too early: nothing sent
    assert len(hooked.received) == 1

    time_passes(delivery)
    assert deliver(str(delivery.pk)) == "pending"
    delivery.refresh_from_db()
    second_wait = (_at(delivery) - delivery.updated_at).total_seconds()
    time_passes(delivery)
    assert deliver(str(delivery.pk)) == "delivered"

    assert first_wait == pytest.approx(10, abs=0.5)
    assert second_wait == pytest.approx(20, abs=0.5)
    assert len(hooked.received) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.DELIVERED, 3, "")


def test_a_delivery_fails_after_the_last_attempt(hooked: Receiver) -> None:
    hooked.answers = [500, 500, 500]
    delivery = pending(hooked.url)

    for _attempt in range(2):
        assert deliver(str(delivery.pk)) == "pending"
        time_passes(delivery)
    assert deliver(str(delivery.pk)) == "failed"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        Status.FAILED,
        3,
        None,
    )
    assert deliver(str(delivery.pk)) == "failed"  # nothing sent again
    assert len(hooked.received) == 3


def test_a_receiver_that_does_not_answer_is_an_error_retried(hooked: Receiver) -> None:
    hooked.url = hooked.url.replace("/hook", "")  # the configured URL still answers…
    closed = "http://127.0.0.1:9/hook"  # …this one refuses the connection
    from django.test import override_settings

    with override_settings(WINIADMIN={"WEBHOOKS": [{"url": closed, "secret": SECRET}]}):
        delivery = pending(closed)
        assert deliver(str(delivery.pk)) == "pending"

    delivery.refresh_from_db()
    assert delivery.response_status is None
    assert "Connection refused" in delivery.last_error or "URLError" in delivery.last_error


def test_a_webhook_no_longer_configured_fails_its_delivery(hooked: Receiver) -> None:
    delivery = pending("https://example.invalid/gone")

    assert deliver(str(delivery.pk)) == "failed"

    delivery.refresh_from_db()
    assert delivery.last_error == "This webhook is no longer configured."
    assert not hooked.received
