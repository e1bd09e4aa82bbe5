"""``RunOptions``: one frozen value for how a run goes, the same for every door."""

import dataclasses
from pathlib import Path

import pytest
from shop.importers import CatalogueImporter
from shop.models import Product

import winiadmin.importers
from tests.pipeline.test_batches import catalogue
from winiadmin.importers import RunOptions
from winiadmin.results import ImportStatus

DOCS = Path(__file__).resolve().parents[2] / "docs" / "importers.md"


def test_the_options_are_public_and_frozen() -> None:
    assert "RunOptions" in winiadmin.importers.__all__
    options = RunOptions(dry_run=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.dry_run = False  # type: ignore[misc]
    assert dataclasses.replace(options, skip_invalid=True) == RunOptions(
        dry_run=True, skip_invalid=True
    )


def test_fields_are_keywords_only() -> None:
    with pytest.raises(TypeError):
        RunOptions(True)  # type: ignore[call-arg]


def test_every_field_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(RunOptions) if f"`{f.name}`" not in text]
    assert missing == []


@pytest.mark.django_db
def test_keywords_of_importer_run_are_the_options_fields(tmp_path: Path) -> None:
    path = catalogue(tmp_path / "small.csv", 3)
    by_keyword = CatalogueImporter().run(path, dry_run=True)
    by_options = CatalogueImporter().run(path, RunOptions(dry_run=True))
    assert by_keyword.status is by_options.status is ImportStatus.DRY_RUN
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_keywords_change_the_options_given(tmp_path: Path) -> None:
    path = catalogue(tmp_path / "small.csv", 3)
    result = CatalogueImporter().run(path, RunOptions(dry_run=True), dry_run=False)
    assert result.status is ImportStatus.SUCCEEDED, result.error
    assert Product.objects.count() == 3


def test_an_unknown_keyword_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="dryrun"):
        CatalogueImporter().run(tmp_path / "missing.csv", dryrun=True)
