"""A file read from a path in one of the ``STORAGES`` that ``SOURCE_STORAGES`` names (an S3
bucket through django-storages, a shared folder…), copied chunk by chunk under the size limit."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import InvalidStorageError, storages

from winiadmin.conf import get_config
from winiadmin.sources.errors import SourceError
from winiadmin.sources.files import CHUNK, filled, too_large

if TYPE_CHECKING:
    from django.core.files.uploadedfile import TemporaryUploadedFile


def from_storage(alias: str, path: str) -> TemporaryUploadedFile:
    """The file at ``path`` in storage ``alias``; a ``SourceError`` saying why not."""
    if alias not in get_config().SOURCE_STORAGES:
        msg = f"Files cannot be imported from the storage {alias!r} (SOURCE_STORAGES)."
        raise SourceError(msg)
    if not path or path.startswith("/") or ".." in PurePosixPath(path).parts:
        msg = f"{path!r} is not a path inside the storage."
        raise SourceError(msg)
    where = f"{alias}:{path}"
    try:
        storage = storages[alias]
        if not storage.exists(path):
            msg = f"There is no file {where}."
            raise SourceError(msg)
        size = storage.size(path)
        if size > get_config().MAX_UPLOAD_SIZE:
            raise too_large(size, where)  # refused before a byte of it is read
        with storage.open(path, "rb") as handle:
            return filled(PurePosixPath(path).name, iter(lambda: handle.read(CHUNK), b""), where)
    except (InvalidStorageError, SuspiciousFileOperation, OSError) as exc:
        msg = f"{where} cannot be read: {exc}"
        raise SourceError(msg) from exc
