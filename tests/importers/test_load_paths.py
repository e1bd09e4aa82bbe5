"""An importer defines one load path: both at once is refused, by a run and by a system check."""

from argparse import ArgumentParser
from collections.abc import Iterable, Iterator
from io import StringIO

import polars as pl
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Model
from winiutils.core.data.dataframe.cleaning import CleaningDF

from tests.reliability.importers import CorpusCleaningDF, CorpusImporter
from tests.testapp.models import CorpusItem
from winiadmin.checks import check_load_paths
from winiadmin.commands import ImportDataBaseCommand
from winiadmin.exceptions import ImporterContractError
from winiadmin.importers import register
from winiadmin.importers.registry import unregister
from winiadmin.pipeline import run_import

CSV = b"code,name,quantity,price,day\nA,Apple,1,1.5,2024-01-02\n"


class BothInOneClass(CorpusImporter):
    name = "tests.both_load_paths"

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {CorpusItem: [CorpusItem(**row) for row in df.iter_rows(named=True)]}

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], pl.DataFrame]:
        return {CorpusItem: df}


class FramesFirst(CorpusImporter):
    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], pl.DataFrame]:
        return {CorpusItem: df}


class BulksBelowFrames(FramesFirst):
    """``get_bulks_by_model`` added under a frame importer would never run."""

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {}


@pytest.fixture
def registered() -> Iterator[type[BothInOneClass]]:
    register(BothInOneClass)
    yield BothInOneClass
    unregister(BothInOneClass)


@pytest.mark.django_db
@pytest.mark.parametrize("importer", [BothInOneClass, BulksBelowFrames])
def test_running_an_importer_with_both_load_paths_is_refused(
    importer: type[CorpusImporter],
) -> None:
    with pytest.raises(ImporterContractError, match="get_bulks_by_model would never run"):
        importer().run(CSV)
    assert not CorpusItem.objects.exists()


@pytest.mark.django_db
def test_a_subclass_overriding_the_inherited_path_with_frames_runs() -> None:
    result = FramesFirst().run(CSV)
    assert result.ok, result.problems
    assert list(CorpusItem.objects.values_list("code", flat=True)) == ["A"]


def test_the_system_check_names_the_importer(registered: type[BothInOneClass]) -> None:
    errors = check_load_paths(None)
    assert [e.id for e in errors] == ["winiadmin.E020"]
    assert "tests.both_load_paths" in errors[0].msg
    assert errors[0].obj is registered


def test_the_demo_and_test_importers_pass_the_check() -> None:
    assert check_load_paths(None) == []


@pytest.mark.django_db
def test_winiadmin_import_refuses_it_with_a_command_error(
    registered: type[BothInOneClass],
) -> None:
    with pytest.raises(CommandError, match="defines get_bulks_by_model and get_frames_by_model"):
        call_command("winiadmin_import", "tests.both_load_paths", "x.csv", stdout=StringIO())


class SeedCommandWithFrames(ImportDataBaseCommand):
    def add_command_arguments(self, parser: ArgumentParser) -> None:
        pass

    def handle_import(self) -> pl.DataFrame:
        return pl.DataFrame({"code": ["A"]})

    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        return CorpusCleaningDF

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {}

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], pl.DataFrame]:
        return {CorpusItem: df}


@pytest.mark.django_db
def test_a_seed_command_with_both_load_paths_is_refused() -> None:
    command = SeedCommandWithFrames()
    with pytest.raises(ImporterContractError):
        run_import(command, command.handle_import)
