"""Project-level guarantees: migrations in sync, checks clean, the demo sets itself up."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings

from winiadmin.checks import check_htmx, check_settings


@pytest.mark.django_db
def test_migrations_match_the_models() -> None:
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_system_checks_are_clean_for_the_demo() -> None:
    assert check_settings(None) == []
    assert check_htmx(None) == []


def test_system_checks_report_setup_mistakes() -> None:
    with override_settings(WINIADMIN={"BATCH_SIZ": 1}):
        assert [m.id for m in check_settings(None)] == ["winiadmin.E001"]
    with override_settings(WINIADMIN={"BATCH_SIZE": 0}):
        assert [m.id for m in check_settings(None)] == ["winiadmin.E002"]
    with override_settings(WINIADMIN={"MAX_ROWS": 0, "MAX_CELL_LENGTH": -1}):
        assert [m.id for m in check_settings(None)] == ["winiadmin.E005", "winiadmin.E005"]
    with override_settings(WINIADMIN={"MAX_CELLS": 0}):
        (message,) = check_settings(None)
        assert (message.id, message.msg) == (
            "winiadmin.E005",
            "WINIADMIN['MAX_CELLS'] must be at least 1.",
        )
    with override_settings(STORAGES={}):
        assert [m.id for m in check_settings(None)] == ["winiadmin.W001"]
    with override_settings(WINIADMIN={"MAX_ATTEMPTS": 0, "SWEEP_INTERVAL": 0}):
        assert [m.id for m in check_settings(None)] == ["winiadmin.E010", "winiadmin.E011"]
    with override_settings(WINIADMIN={"MAX_ATTEMPTS": "3", "SWEEP_INTERVAL": "2"}):
        assert [m.id for m in check_settings(None)] == ["winiadmin.E010", "winiadmin.E011"]
    with override_settings(WINIADMIN={"MAX_ATTEMPTS": 2.5, "SWEEP_INTERVAL": float("inf")}):
        assert [m.id for m in check_settings(None)] == ["winiadmin.E010", "winiadmin.E011"]
    with override_settings(WINIADMIN={"MAX_ATTEMPTS": 3, "SWEEP_INTERVAL": 0.5}):
        assert check_settings(None) == []
    with override_settings(INSTALLED_APPS=["winiadmin"], MIDDLEWARE=[]):
        assert [m.id for m in check_htmx(None)] == ["winiadmin.E003", "winiadmin.E004"]


@pytest.mark.django_db
def test_demo_command_sets_up_the_login_and_lists_samples(tmp_path: Path) -> None:
    out = StringIO()
    with override_settings(DATA_DIR=tmp_path):
        call_command("demo", "--no-serve", stdout=out)
        call_command("demo", "--no-serve", stdout=StringIO())  # idempotent
    assert User.objects.get(username="admin").is_superuser
    assert "admin / admin" in out.getvalue()
    assert "catalogue_with_mistakes.csv" in out.getvalue()
