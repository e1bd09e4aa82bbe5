"""An importer whose own code raises: a plain failure everywhere, the traceback logged only.

The command prints one line (Django's ``CommandError``) and the traceback under ``--traceback``;
the Python API returns a FAILED result holding the exception; the wizard's job is Failed with
a message naming the importer and the exception; nothing is written.
"""

import logging
from argparse import ArgumentParser
from collections.abc import Iterable
from io import StringIO

import polars as pl
import pytest
from django.core.management import CommandError, call_command, load_command_class
from django.db import connections
from django.db.models import Model
from django.test import Client
from django.utils.html import escape

from tests.admin.helpers import html, upload_file
from tests.reliability.importers import (
    BROKEN_IMPORTERS,
    BrokenLazyImporter,
    CorpusCleaningDF,
    CorpusImporter,
)
from tests.testapp.models import CorpusItem
from winiadmin.cleaning import CleaningDF
from winiadmin.commands.import_data import ImportDataBaseCommand
from winiadmin.exceptions import ImporterFailed
from winiadmin.importers import Importer
from winiadmin.models import ImportJob
from winiadmin.problems import ProblemKind
from winiadmin.results import ImportStatus

pytestmark = pytest.mark.django_db

FILE = b"code,name,quantity,price,day\nA,one,1,2.5,\nB,two,,,\n"
#: What each importer's bug raises.
RAISED = {
    "tests.broken_objects": "KeyError: 'prices'",
    "tests.broken_frames": "KeyError: 'prices'",
    "tests.broken_lazy": "ZeroDivisionError: integer division or modulo by zero",
    "tests.broken_cleaning": "TypeError: ",
}
BROKEN = pytest.mark.parametrize("importer", BROKEN_IMPORTERS, ids=lambda i: i.name)


def message(name: str) -> str:
    return f"The importer {name!r} failed with an error in its code: {RAISED[name]}"


@BROKEN
def test_the_python_api_returns_a_failed_result_holding_the_exception(
    importer: type[Importer], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="winiadmin"):
        result = importer().run(FILE, file_name="items.csv")
    assert result.status is ImportStatus.FAILED
    assert result.error.startswith(message(importer.name)), result.error
    assert result.error.endswith(". Nothing was written. The details are in the server log.")
    assert isinstance(result.exception, ImporterFailed)
    assert result.exception.importer == importer.name
    assert [p.kind for p in result.problems.errors()] == [ProblemKind.IMPORTER_FAILED]
    assert not CorpusItem.objects.exists()
    # The traceback is in the log, on the winiadmin logger.
    (record,) = [r for r in caplog.records if r.name == "winiadmin"]
    assert record.exc_info is not None and importer.name in record.getMessage()


@BROKEN
def test_the_command_prints_one_line_and_the_traceback_only_when_asked(
    importer: type[Importer],
    tmp_path: object,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # run_from_argv (what manage.py calls) closes every connection when it ends: not the
    # test's own, which holds the test transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    path = f"{tmp_path}/items.csv"
    with open(path, "wb") as file:
        file.write(FILE)
    argv = ["manage.py", "winiadmin_import", importer.name, path]
    with pytest.raises(SystemExit) as exit_info:
        load_command_class("winiadmin", "winiadmin_import").run_from_argv(argv)
    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    expected = f"CommandError: Importer {importer.name!r} failed: {RAISED[importer.name]}"
    assert err.strip().startswith(expected), err
    assert err.strip().endswith("(run with --traceback for details)"), err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in out + err
    assert not CorpusItem.objects.exists()
    # --traceback: Django re-raises the CommandError, chained to the importer's exception.
    with pytest.raises(CommandError) as info:
        load_command_class("winiadmin", "winiadmin_import").run_from_argv([*argv, "--traceback"])
    assert info.value.__cause__ is not None
    assert type(info.value.__cause__).__name__ == RAISED[importer.name].split(":")[0]


def test_call_command_raises_the_same_command_error(tmp_path: object) -> None:
    path = f"{tmp_path}/items.csv"
    with open(path, "wb") as file:
        file.write(FILE)
    with pytest.raises(CommandError) as info:
        call_command("winiadmin_import", "tests.broken_objects", path)
    assert str(info.value) == (
        "Importer 'tests.broken_objects' failed: KeyError: 'prices' "
        "(run with --traceback for details)"
    )
    assert isinstance(info.value.__cause__, KeyError)


@BROKEN
def test_the_wizard_shows_a_clear_failure(importer: type[Importer], su_client: Client) -> None:
    response = upload_file(
        su_client, content=FILE, name="items.csv", importer=importer.name, model=""
    )
    assert response.status_code == 302, html(response)[:2000]
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith(message(importer.name)), job.error
    page = html(su_client.get(response["Location"], follow=True))
    assert "Traceback" not in page
    assert escape(message(importer.name)) in page
    assert escape("Nothing was written. The details are in the server log.") in page
    assert not CorpusItem.objects.exists()


def test_a_working_importer_is_unaffected() -> None:
    assert CorpusImporter().run(FILE, file_name="items.csv").committed


class BrokenSeedCommand(ImportDataBaseCommand):
    """A command written the seed's way whose ``get_bulks_by_model`` has the same bug."""

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        pass

    def handle_import(self) -> pl.DataFrame:
        return pl.read_csv(FILE, infer_schema=False)

    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        return CorpusCleaningDF

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {CorpusItem: [CorpusItem(price=row["prices"]) for row in df.iter_rows(named=True)]}


def test_a_seed_command_fails_the_same_way(caplog: pytest.LogCaptureFixture) -> None:
    command = BrokenSeedCommand()
    with caplog.at_level(logging.ERROR, logger="winiadmin"), pytest.raises(CommandError) as info:
        call_command(command, stdout=StringIO(), stderr=StringIO())
    name = type(command).__module__.rsplit(".", 1)[-1]
    assert str(info.value) == (
        f"Importer {name!r} failed: KeyError: 'prices' (run with --traceback for details)"
    )
    assert isinstance(info.value.__cause__, KeyError)
    assert command.result.status is ImportStatus.FAILED
    assert any(r.exc_info for r in caplog.records if r.name == "winiadmin")
    assert not CorpusItem.objects.exists()


def test_a_subclass_in_another_module_is_still_the_importers_code() -> None:
    # The lazy generator is defined in tests/reliability/importers.py, the subclass here.
    class Renamed(BrokenLazyImporter):
        name = "tests.broken_lazy_renamed"

    result = Renamed().run(FILE, file_name="items.csv")
    assert result.status is ImportStatus.FAILED
    assert result.error.startswith(
        "The importer 'tests.broken_lazy_renamed' failed with an error in its code: "
        "ZeroDivisionError"
    )
