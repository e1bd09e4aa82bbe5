"""One attempt at a delivery, run by a task worker: POST the signed body; 2xx is delivered;
anything else is retried after ``WEBHOOK_RETRY_SECONDS`` x 2^(attempts-1), up to
``WEBHOOK_MAX_ATTEMPTS``, then the delivery is failed (and can be resent from the admin)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.tasks import task_backends
from django.utils import timezone

from winiadmin.conf import get_config
from winiadmin.models import WebhookDelivery
from winiadmin.webhooks.deliveries import retry_delay, schedule
from winiadmin.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)

Status = WebhookDelivery.Status
#: Characters of a receiver's answer kept as the last error.
ERROR_CHARS = 500


def deliver(delivery_id: str) -> str:
    """Attempt the delivery once (and schedule its retry); returns its status."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Status.PENDING:
        return "gone" if delivery is None else str(delivery.status)
    if not _due(delivery):
        return "not due"
    webhook = next((w for w in get_config().WEBHOOKS if w.url == delivery.url), None)
    if webhook is None:
        return _failed(delivery, "This webhook is no longer configured.", None, final=True)
    body = json.dumps({"delivery": str(delivery.pk), **delivery.payload}).encode()
    status, error = _post(delivery, webhook.secret, body)
    if error is None:
        now = timezone.now()
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=Status.DELIVERED,
            attempts=delivery.attempts + 1,
            response_status=status,
            last_error="",
            delivered_at=now,
            next_attempt_at=None,
            updated_at=now,
        )
        return str(Status.DELIVERED)
    return _failed(delivery, error, status, final=False)


def _due(delivery: WebhookDelivery) -> bool:
    """Whether its time has come; a backend that cannot defer tasks waits here, in the worker."""
    when = delivery.next_attempt_at
    if when is None:
        return True
    wait = (when - timezone.now()).total_seconds()
    if wait <= 0:
        return True
    if task_backends[get_config().TASK_BACKEND].supports_defer:
        return False  # delivered early (a resend's task meanwhile): its own task comes later
    time.sleep(wait)
    return True


def _post(delivery: WebhookDelivery, secret: str, body: bytes) -> tuple[int | None, str | None]:
    """The receiver's status and, unless 2xx, what went wrong."""
    timestamp = int(time.time())
    request = urllib.request.Request(delivery.url, data=body, method="POST")  # noqa: S310 - http(s) only (E030)
    request.add_header("Content-Type", "application/json")
    request.add_header("User-Agent", "winiadmin-webhooks")
    request.add_header(EVENT_HEADER, delivery.event)
    request.add_header(DELIVERY_HEADER, str(delivery.pk))
    request.add_header(TIMESTAMP_HEADER, str(timestamp))
    request.add_header(SIGNATURE_HEADER, signature(secret, timestamp, body))
    try:
        with urllib.request.urlopen(request, timeout=get_config().WEBHOOK_TIMEOUT) as response:  # noqa: S310
            return response.status, None
    except urllib.error.HTTPError as exc:
        answer = exc.read(ERROR_CHARS).decode("utf-8", "replace")
        return exc.code, f"HTTP {exc.code}: {answer}".strip()
    except (OSError, ValueError) as exc:  # refused, timed out, DNS, a bad URL
        return None, f"{type(exc).__name__}: {exc}"


def _failed(delivery: WebhookDelivery, error: str, status: int | None, *, final: bool) -> str:
    attempts = delivery.attempts + 1
    done = final or attempts >= get_config().WEBHOOK_MAX_ATTEMPTS
    delay = retry_delay(attempts)
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.FAILED if done else Status.PENDING,
        attempts=attempts,
        response_status=status,
        last_error=error[:ERROR_CHARS],
        next_attempt_at=None if done else now + timedelta(seconds=delay),
        updated_at=now,
    )
    if not done:
        schedule(delivery.pk, delay)
    return str(Status.FAILED if done else Status.PENDING)
