"""A temporary file filled chunk by chunk under ``MAX_UPLOAD_SIZE``, as an upload is."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import TemporaryUploadedFile
from django.utils.translation import gettext as _

from winiadmin.conf import get_config
from winiadmin.sources.errors import SourceError

if TYPE_CHECKING:
    from collections.abc import Iterable

CHUNK = 64 * 1024


def too_large(size: int, where: str) -> SourceError:
    limit = get_config().MAX_UPLOAD_SIZE
    msg = _("%(file)s is %(size)s bytes; the largest accepted is %(limit)s.")
    return SourceError(msg % {"file": where, "size": size, "limit": limit})


def filled(
    name: str, chunks: Iterable[bytes], where: str, deadline: float | None = None
) -> TemporaryUploadedFile:
    """The chunks in a temporary file (deleted when closed); refused as soon as they pass the
    size limit or the deadline (``time.monotonic``)."""
    limit = get_config().MAX_UPLOAD_SIZE
    file = TemporaryUploadedFile(name, "application/octet-stream", 0, None)
    size = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise too_large(size, where)  # not read any further
            if deadline is not None and time.monotonic() > deadline:
                msg = _("%(file)s took longer than %(seconds)g seconds.") % {
                    "file": where,
                    "seconds": get_config().SOURCE_TIMEOUT,
                }
                raise SourceError(msg)
            file.write(chunk)
    except BaseException:
        file.close()
        raise
    file.size = size
    file.seek(0)
    return file
