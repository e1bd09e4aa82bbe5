"""Which events become deliveries: a real run that ended, a failure, a cancel, an undo — and
never a dry run's outcome, a fenced-off run, or an undo that rolled back."""

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from shop.models import Product

from tests.jobs.conftest import MakeJob
from tests.webhooks.conftest import SECRET, Receiver
from winiadmin.jobs.background import cancel_job, enqueue_validation
from winiadmin.jobs.fence import new_attempt
from winiadmin.jobs.runner import JobSuperseded, execute_job, run_execution
from winiadmin.jobs.undo import UndoRefused, undo_job
from winiadmin.models import ImportJob, WebhookDelivery
from winiadmin.webhooks.send import deliver

pytestmark = pytest.mark.django_db


def events() -> list[str]:
    return list(WebhookDelivery.objects.order_by("created_at").values_list("event", flat=True))


def test_a_real_run_that_succeeded_is_delivered_as_finished(
    hooked: Receiver, make_job: MakeJob, user: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = make_job()
    assert events() == []  # the dry run is not an event

    with django_capture_on_commit_callbacks(execute=True):
        execute_job(job, skip_invalid=False, user=user)

    (delivery,) = WebhookDelivery.objects.all()
    assert (delivery.event, delivery.job_id, delivery.url) == ("finished", job.pk, hooked.url)
    assert delivery.payload["job"]["created"]["shop.Product"] == 2
    assert delivery.payload["job"]["rows"]["imported"] == 2
    # Sent by a worker, not here: a task waits for it.
    assert DBTaskResult.objects.get().args_kwargs["args"] == [str(delivery.pk)]
    assert not hooked.received
    assert deliver(str(delivery.pk)) == "delivered"
    body = json.loads(hooked.received[0].body)
    assert body["event"] == "finished" and body["job"]["id"] == str(job.pk)


def test_a_failed_run_is_delivered_as_failed(hooked: Receiver, make_job: MakeJob) -> None:
    job = make_job(b"not,a\x00table")  # the dry run of an unreadable file fails… or is invalid
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATED)
    job.refresh_from_db()
    job.file.delete(save=True)  # the upload vanished: the real run fails

    with pytest.raises(Exception, match="upload"):
        execute_job(job, skip_invalid=False)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "failed" in events()


def test_a_queued_job_cancelled_is_delivered_as_cancelled(
    hooked: Receiver, make_job: MakeJob
) -> None:
    job = make_job(validate=False)
    enqueue_validation(job)

    assert cancel_job(job)

    assert events() == ["cancelled"]


def test_an_undo_is_delivered_as_undone(hooked: Receiver, make_job: MakeJob, user: User) -> None:
    job = make_job()
    execute_job(job, skip_invalid=False, user=user)

    undo_job(job, user)

    assert events() == ["finished", "undone"]
    undone = WebhookDelivery.objects.get(event="undone")
    assert undone.payload["job"]["undone_at"] is not None


def test_an_undo_refused_delivers_nothing(hooked: Receiver, make_job: MakeJob, user: User) -> None:
    job = make_job()
    execute_job(job, skip_invalid=False, user=user)
    Product.objects.update(name="changed since")  # the undo refuses: rows changed

    with pytest.raises(UndoRefused):
        undo_job(job, user)

    assert events() == ["finished"]


def test_a_fenced_off_run_delivers_nothing(hooked: Receiver, make_job: MakeJob) -> None:
    job = make_job()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, attempt=new_attempt()
    )
    job.refresh_from_db()
    # Meanwhile the job was taken for dead and retried: a new claim, a new attempt.
    ImportJob.objects.filter(pk=job.pk).update(attempt=new_attempt())

    with pytest.raises(JobSuperseded):
        run_execution(job, job.user)

    assert events() == []
    assert not Product.objects.exists()


def test_webhooks_filtered_by_importer_and_event(
    receiver: Receiver, make_job: MakeJob, user: User
) -> None:
    hooks = [
        {"url": receiver.url + "/other", "secret": SECRET, "importers": ["shop.orders"]},
        {"url": receiver.url + "/undo", "secret": SECRET, "events": ["undone"]},
        {"url": receiver.url + "/all", "secret": SECRET, "importers": ["shop.catalogue"]},
    ]
    with override_settings(WINIADMIN={"WEBHOOKS": hooks}):
        job = make_job()
        execute_job(job, skip_invalid=False, user=user)
        undo_job(job, user)

    sent = set(WebhookDelivery.objects.values_list("event", "url"))
    assert sent == {
        ("finished", receiver.url + "/all"),
        ("undone", receiver.url + "/all"),
        ("undone", receiver.url + "/undo"),
    }


def test_a_failure_recording_deliveries_never_fails_the_undo(
    hooked: Receiver, make_job: MakeJob, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import DatabaseError

    job = make_job()
    execute_job(job, skip_invalid=False, user=user)

    def broken(job: ImportJob, event: str) -> None:
        WebhookDelivery.objects.create(job_id=job.pk, event=event, url="x")
        raise DatabaseError("disk full")

    monkeypatch.setattr("winiadmin.webhooks.receivers.record", broken)

    undo_job(job, user)

    assert not Product.objects.exists()  # undone all the same
    assert events() == ["finished"]  # the half-recorded delivery rolled back with its savepoint
