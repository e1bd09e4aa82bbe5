"""The disk fills up while an upload is being stored: a clear message, no job, no files left."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.utils.html import escape

from tests.admin.helpers import html, upload_file
from tests.reliability.storage import FullDiskStorage
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

MESSAGE = (
    "The file could not be stored: the server has no space left for uploads. Nothing was "
    "imported; try again later, or tell an administrator."
)


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def forty_thousand_products() -> bytes:
    """A CSV whose cleaned frame takes several chunks of Parquet."""
    rows = b"".join(b"SKU-%06d,Thing number %d,1.00,1,,,\n" % (n, n) for n in range(40_000))
    return b"sku,name,price,quantity,category,store,available_from\n" + rows


def preview_storage_full(uploads: Path) -> dict[str, Any]:
    """``STORAGES`` whose ``winiadmin`` storage (the preview's) is a disk that fills up."""
    full = {"BACKEND": "tests.reliability.storage.FullDiskStorage"}
    return {
        **settings.STORAGES,
        "winiadmin": {**full, "OPTIONS": {"location": uploads, "base_url": None}},
    }


def test_disk_full_while_storing_an_upload(
    su_client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploads, temp = tmp_path / "uploads", tmp_path / "tmp"
    temp.mkdir()
    # The upload field's storage, whose disk fills up after the first chunk.
    field = ImportJob._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FullDiskStorage(location=uploads, base_url=None))
    # 3 MB: more than one chunk, and more than Django keeps in memory (a temporary file).
    content = b"sku,name,price,quantity,category,store,available_from\n" + (
        b"X-1,Thing,1.00,1,,,\n" * 150_000
    )
    with override_settings(FILE_UPLOAD_TEMP_DIR=str(temp)):
        response = upload_file(su_client, content=content, name="big.csv")
    assert response.status_code == 200  # the form again, not a 500
    assert escape(MESSAGE) in html(response)
    assert not ImportJob.objects.exists()
    assert files_under(uploads) == []  # the partial upload is gone, its folder too
    assert [path.name for path in uploads.rglob("*")] == ["winiadmin"]
    assert files_under(temp) == []  # Django's temporary upload file too


def test_the_partial_file_was_really_written(tmp_path: Path) -> None:
    """The fault is realistic: the first chunk reaches the disk before the error."""
    storage = FullDiskStorage(location=tmp_path)
    with pytest.raises(OSError, match="No space left on device"):
        storage.save("a.csv", ContentFile(b"x" * (200 * 1024)))
    assert (tmp_path / "a.csv").stat().st_size == 64 * 1024


def test_disk_full_while_storing_the_preview_fails_the_job_cleanly(
    su_client: Client, tmp_path: Path
) -> None:
    """The upload is stored; the cleaned frame's Parquet (several chunks) fills the disk."""
    content = forty_thousand_products()
    uploads = tmp_path / "uploads"
    storages = preview_storage_full(uploads)
    # The upload goes through the file field's storage, chosen when the model was loaded: it
    # still has room. The preview goes through STORAGES["winiadmin"], whose disk is full.
    with override_settings(STORAGES=storages):
        response = upload_file(su_client, content=content, name="big.csv")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.error == (
        "The preview could not be stored: the server has no space left for uploads. Nothing was "
        "imported; try again later, or tell an administrator."
    )
    assert job.preview_file == ""
    assert not (uploads / "winiadmin" / str(job.pk) / "cleaned.parquet").exists()
    page = su_client.get(response["Location"])
    assert page.status_code == 200
    assert escape(job.error) in html(page)


def test_disk_full_while_storing_a_streamed_preview_fails_the_job_cleanly(
    su_client: Client, tmp_path: Path
) -> None:
    """The same with an upload read in batches: the preview's parts are combined, then saved."""
    content = forty_thousand_products()
    uploads = tmp_path / "uploads"
    storages = preview_storage_full(uploads)
    streamed = {**settings.WINIADMIN, "STREAM_THRESHOLD_BYTES": 1, "STREAM_BATCH_ROWS": 10_000}
    with override_settings(STORAGES=storages, WINIADMIN=streamed):
        response = upload_file(su_client, content=content, name="big.csv")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith("The preview could not be stored: the server has no space left")
    assert job.preview_file == ""
    assert not list((uploads / "winiadmin" / str(job.pk)).glob("cleaned*.parquet"))
