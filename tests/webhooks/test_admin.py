"""The delivery log in the admin: listed with status, attempts and last error; resent."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from winiadmin.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def test_the_log_shows_each_delivery_and_resend_queues_it_again(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    boss = User.objects.create_superuser("boss", "b@example.com", "pw")
    failed = WebhookDelivery.objects.create(
        event="failed", url="https://hooks.example.com/x", status="failed", attempts=5,
        last_error="HTTP 502: bad gateway",
    )  # fmt: skip
    client.force_login(boss)
    changelist = reverse("admin:winiadmin_webhookdelivery_changelist")

    page = client.get(changelist).content.decode()
    assert "https://hooks.example.com/x" in page
    assert client.get(reverse("admin:winiadmin_webhookdelivery_add")).status_code == 403
    detail = client.get(reverse("admin:winiadmin_webhookdelivery_change", args=[failed.pk]))
    assert "HTTP 502: bad gateway" in detail.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            changelist,
            {"action": "resend_deliveries", "_selected_action": [str(failed.pk)]},
            follow=True,
        )

    assert "1 delivery will be sent again by a task worker." in answer.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert DBTaskResult.objects.get().args_kwargs["args"] == [str(failed.pk)]
