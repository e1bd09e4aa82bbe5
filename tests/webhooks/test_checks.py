"""System checks of WINIADMIN["WEBHOOKS"]: winiadmin.E030 to E035, W030; E001 for a bad shape."""

from typing import Any

import pytest
from django.test import override_settings

from winiadmin.checks import check_settings, check_webhooks

GOOD = {"url": "https://hooks.example.com/imports", "secret": "s" * 32}
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def ids(webhooks: Any, tasks: Any = DB_TASKS, **more: object) -> list[str]:
    with override_settings(WINIADMIN={"WEBHOOKS": webhooks, **more}, TASKS=tasks):
        return [m.id or "" for m in check_webhooks(None)]


def test_a_good_webhook_passes() -> None:
    assert ids([GOOD, {**GOOD, "events": ["undone"], "importers": ["shop.catalogue"]}]) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"url": "ftp://example.com/x"}, "winiadmin.E030"),
        ({"url": "hooks.example.com"}, "winiadmin.E030"),
        ({"secret": "short"}, "winiadmin.E031"),
        ({"events": ["finished", "exploded"]}, "winiadmin.E032"),
        ({"events": []}, "winiadmin.E032"),
        ({"importers": ["shop.nope"]}, "winiadmin.E033"),
    ],
)
def test_mistakes_in_an_entry(change: dict[str, object], expected: str) -> None:
    assert ids([{**GOOD, **change}]) == [expected]


def test_retry_numbers() -> None:
    assert ids([], WEBHOOK_MAX_ATTEMPTS=0) == ["winiadmin.E034"]
    assert ids([], WEBHOOK_RETRY_SECONDS=0) == ["winiadmin.E034"]


def test_a_backend_that_would_not_send_them() -> None:
    dummy = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    assert ids([GOOD], tasks={}) == ["winiadmin.E035"]
    assert ids([GOOD], tasks=dummy) == ["winiadmin.E035"]
    assert ids([GOOD], tasks=immediate) == ["winiadmin.W030"]
    assert ids([], tasks={}) == []  # no webhooks: no backend needed for them


@pytest.mark.parametrize(
    "webhooks", [{"url": "x"}, [{"url": "https://x"}], [{**GOOD, "retries": 3}], ["https://x"]]
)
def test_a_shape_that_cannot_be_read_is_e001(webhooks: object) -> None:
    with override_settings(WINIADMIN={"WEBHOOKS": webhooks}):
        assert [m.id for m in check_settings(None)] == ["winiadmin.E001"]
