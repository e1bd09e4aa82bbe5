"""Files imported by path from a configured storage (the file-system storage here)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from tests.sources.conftest import SAMPLES
from winiadmin.sources.errors import SourceError
from winiadmin.sources.storage import from_storage

CSV = (SAMPLES / "catalogue.csv").read_bytes()


@pytest.fixture
def drop(tmp_path: Path, settings: object) -> Iterator[Path]:
    """A storage alias "drop" over a folder holding incoming/catalogue.csv, allowed as a source."""
    (tmp_path / "incoming").mkdir()
    (tmp_path / "incoming" / "catalogue.csv").write_bytes(CSV)
    from django.conf import settings as django_settings

    storages = {
        **django_settings.STORAGES,
        "drop": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    with override_settings(STORAGES=storages, WINIADMIN={"SOURCE_STORAGES": ["drop"]}):
        yield tmp_path


@pytest.mark.usefixtures("drop")
def test_a_file_is_read_from_the_storage() -> None:
    file = from_storage("drop", "incoming/catalogue.csv")

    assert (file.name, file.size, file.read()) == ("catalogue.csv", len(CSV), CSV)


@pytest.mark.usefixtures("drop")
@pytest.mark.parametrize(
    ("alias", "path", "why"),
    [
        ("default", "incoming/catalogue.csv", "cannot be imported from the storage 'default'"),
        ("drop", "../etc/passwd", "not a path inside the storage"),
        ("drop", "/etc/passwd", "not a path inside the storage"),
        ("drop", "incoming/nope.csv", "There is no file drop:incoming/nope.csv"),
    ],
)
def test_refusals(alias: str, path: str, why: str) -> None:
    with pytest.raises(SourceError, match=why):
        from_storage(alias, path)


def test_a_file_over_the_limit_is_refused_before_reading(drop: Path) -> None:
    with (
        override_settings(WINIADMIN={"SOURCE_STORAGES": ["drop"], "MAX_UPLOAD_SIZE": 100}),
        pytest.raises(SourceError, match="the largest accepted is 100"),
    ):
        from_storage("drop", "incoming/catalogue.csv")
