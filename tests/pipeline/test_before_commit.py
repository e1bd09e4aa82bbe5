"""``before_commit``: called inside the import's transaction right before it commits, on every load
path (objects, frames, a streamed file), never for a run that rolls back; raising rolls back."""

from pathlib import Path
from typing import Any

import pytest
from shop.importers import CatalogueImporter, CatalogueObjectsImporter
from shop.models import Product

from tests.jobs.conftest import CSV
from winiadmin.results import ImportStatus

pytestmark = pytest.mark.django_db

PATHS = ["objects", "frames", "streamed"]


class Refused(BaseException):
    """What the job fence raises (a BaseException: no ``except Exception`` swallows it)."""


def run(path: str, tmp_path: Path, settings: Any, **kwargs: Any) -> Any:
    source = tmp_path / "data.csv"
    source.write_bytes(CSV)
    if path == "streamed":
        settings.WINIADMIN = {"STREAM_THRESHOLD_BYTES": 1, "STREAM_BATCH_ROWS": 1}
    importer = CatalogueObjectsImporter if path == "objects" else CatalogueImporter
    return importer(importer.parse_options({})).run(str(source), **kwargs)


@pytest.mark.parametrize("path", PATHS)
def test_called_once_right_before_the_commit(path: str, tmp_path: Path, settings: Any) -> None:
    seen: list[int] = []
    result = run(
        path, tmp_path, settings, before_commit=lambda: seen.append(Product.objects.count())
    )
    assert result.status == ImportStatus.SUCCEEDED, result.error
    assert result.source_info.get("streamed") == ("1" if path == "streamed" else None)
    assert seen == [2]  # once, with every row already loaded in the transaction
    assert Product.objects.count() == 2


@pytest.mark.parametrize("path", PATHS)
def test_not_called_when_nothing_commits(path: str, tmp_path: Path, settings: Any) -> None:
    seen: list[str] = []
    result = run(path, tmp_path, settings, dry_run=True, before_commit=lambda: seen.append("x"))
    assert result.status == ImportStatus.DRY_RUN and seen == []


@pytest.mark.parametrize("path", PATHS)
def test_raising_rolls_everything_back(path: str, tmp_path: Path, settings: Any) -> None:
    def refuse() -> None:
        raise Refused

    with pytest.raises(Refused):
        run(path, tmp_path, settings, before_commit=refuse)
    assert not Product.objects.exists()
