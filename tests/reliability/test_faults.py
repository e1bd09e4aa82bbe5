"""Faults in the middle of an import: the database refuses a chunk, the process is killed.

Both leave the database exactly as it was, with a clear reason where one can still be given.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings

from tests.admin.helpers import job_url, upload_file
from tests.reliability.importers import FaultImporter
from tests.testapp.models import FaultChild, FaultParent
from winiadmin.models import ImportJob
from winiadmin.results import ImportStatus

ROOT = Path(__file__).resolve().parents[2]
# Two parents, then six children in chunks of two: the fifth child (row 6, amount -1) is in the
# third chunk of the second model and breaks the CHECK constraint at INSERT time.
FILE = b"parent,amount\nP1,1\nP1,2\nP2,3\nP2,4\nP1,-1\nP2,6\n"


def assert_untouched() -> None:
    assert not FaultParent.objects.exists()
    assert not FaultChild.objects.exists()


@pytest.mark.django_db
def test_a_constraint_violation_in_the_third_chunk_of_the_second_model() -> None:
    chunks: list[tuple[str | None, int]] = []
    result = FaultImporter().run(
        FILE, batch_size=2, progress=lambda p: chunks.append((p.detail, p.done))
    )
    assert result.status is ImportStatus.FAILED
    # The refused row is named as the user's spreadsheet shows it (its row, column and value).
    assert result.error.startswith(
        "Row 6, column 'amount', value '-1': testapp.FaultChild: the database refused this row: "
    )
    assert "testapp_faultchild_amount_gte_0" in result.error  # the constraint, by name
    assert result.created == []
    assert_untouched()
    # The failure came after the parents and two chunks of children had been inserted.
    assert ("testapp.FaultChild", 6) in chunks


@pytest.mark.django_db
def test_the_command_reports_the_database_error(tmp_path: Path) -> None:
    path = tmp_path / "faults.csv"
    path.write_bytes(FILE)
    with pytest.raises(CommandError, match=r"Row 6.*FaultChild: the database refused this row"):
        call_command(
            "winiadmin_import", "tests.faults", str(path), "--batch_size", "2",
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
    assert_untouched()


@pytest.mark.django_db
def test_the_admin_job_fails_with_the_reason(su_client: Client) -> None:
    # The wizard runs with the configured batch size: small enough here for three chunks.
    with override_settings(WINIADMIN={"BATCH_SIZE": 2}):
        response = upload_file(
            su_client, content=FILE, name="faults.csv", importer="tests.faults", model=""
        )
        assert response.status_code == 302
        job = ImportJob.objects.get()
        page = su_client.post(job_url(job, "confirm"), follow=True)
    assert page.status_code == 200
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith("Row 6, column 'amount', value '-1': testapp.FaultChild: ")
    assert job.created_counts == {}
    assert "FaultChild: the database refused this row" in page.content.decode()
    assert_untouched()


def _manage(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "tests/reliability/manage.py", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'example'}",
            "DJANGO_SETTINGS_MODULE": "tests.reliability.kill_settings",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for(path: Path, process: subprocess.Popen[bytes], seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the import ended before loading: {out.decode()} {err.decode()}")
        time.sleep(0.05)
    process.kill()
    pytest.fail("the import never started loading")


def _kill_during_load(tmp_path: Path, env: dict[str, str]) -> str:
    data = tmp_path / "faults.csv"
    data.write_bytes(FILE.replace(b"-1", b"5"))  # a valid file: only the kill stops it
    marker = tmp_path / "loading"
    process = _manage(
        "winiadmin_import", "tests.faults", str(data), "--batch_size", "2",
        env={**env, "WINIADMIN_LOAD_STARTED": str(marker)},
    )  # fmt: skip
    seen = _wait_for(marker, process)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    return seen


@pytest.mark.django_db(transaction=True)  # PostgreSQL: the subprocess sees committed tables
def test_killed_during_the_load(tmp_path: Path) -> None:
    """SIGKILL while rows are being inserted: the transaction dies with the process."""
    if settings.TEST_DB == "postgres":
        env = {"WINIADMIN_KILL_PG_NAME": connection.settings_dict["NAME"]}
        assert _kill_during_load(tmp_path, env) == "2 2"  # inside it: the parents, one chunk
        assert_untouched()
        return
    # SQLite: the tests' database is in memory; the subprocess gets a file of its own.
    database = tmp_path / "kill.sqlite3"
    env = {"WINIADMIN_KILL_SQLITE": str(database)}
    migrate = _manage("migrate", "--run-syncdb", "--verbosity", "0", env=env)
    assert migrate.wait(timeout=240) == 0, migrate.communicate()
    assert _kill_during_load(tmp_path, env) == "2 2"
    with sqlite3.connect(database) as db:
        counts = [
            db.execute(f"SELECT COUNT(*) FROM testapp_{table}").fetchone()[0]
            for table in ("faultparent", "faultchild")
        ]
    assert counts == [0, 0]
