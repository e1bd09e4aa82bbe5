"""A file read from a path in one of the ``STORAGES`` that ``SOURCE_STORAGES`` names (an S3
bucket through django-storages, a shared folder…), copied chunk by chunk under the size limit."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import InvalidStorageError, storages
from django.utils.translation import gettext as _

from winiadmin.conf import get_config
from winiadmin.sources.errors import SourceError
from winiadmin.sources.files import CHUNK, filled, too_large

if TYPE_CHECKING:
    from django.core.files.uploadedfile import TemporaryUploadedFile


def from_storage(alias: str, path: str) -> TemporaryUploadedFile:
    """The file at ``path`` in storage ``alias``; a ``SourceError`` saying why not."""
    if alias not in get_config().SOURCE_STORAGES:
        msg = _("Files cannot be imported from the storage %(alias)r (SOURCE_STORAGES).") % {
            "alias": alias
        }
        raise SourceError(msg)
    if not path or path.startswith("/") or ".." in PurePosixPath(path).parts:
        msg = _("%(path)r is not a path inside the storage.") % {"path": path}
        raise SourceError(msg)
    where = f"{alias}:{path}"
    try:
        storage = storages[alias]
        if not storage.exists(path):
            msg = _("There is no file %(file)s.") % {"file": where}
            raise SourceError(msg)
        size = storage.size(path)
        if size > get_config().MAX_UPLOAD_SIZE:
            raise too_large(size, where)  # refused before a byte of it is read
        with storage.open(path, "rb") as handle:
            return filled(PurePosixPath(path).name, iter(lambda: handle.read(CHUNK), b""), where)
    except (InvalidStorageError, SuspiciousFileOperation, OSError) as exc:
        msg = _("%(file)s cannot be read: %(error)s") % {"file": where, "error": exc}
        raise SourceError(msg) from exc
