"""A job's upload as a local path, whatever the storage, so that it is read like a file given by
path: in batches when it is large (``STREAM_THRESHOLD_BYTES``), with the same limits and problems.

A storage with local files (``FileSystemStorage``) gives the file's own path; a remote one (S3…)
is copied in 1 MiB chunks to a temporary spool file first, deleted when the run ends: a reader
that cannot seek in the remote file reads the spool instead, and nothing is held in memory.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.db.models.fields.files import FieldFile

#: Bytes per read from a remote storage into the spool.
SPOOL_CHUNK = 1024 * 1024


@contextmanager
def local_upload(file: FieldFile) -> Iterator[str]:
    """The path of ``file`` on this machine while the block runs (``OSError``: unreadable)."""
    name = file.name or ""
    try:
        path = file.storage.path(name)
    except NotImplementedError:  # a remote storage
        path = ""
    if path and os.path.isfile(path):
        yield path
        return
    suffix = PurePath(name).suffix  # the format may be told by it
    with tempfile.NamedTemporaryFile(prefix="winiadmin-upload-", suffix=suffix) as spool:
        with file.storage.open(name, "rb") as handle:
            while chunk := handle.read(SPOOL_CHUNK):
                spool.write(chunk)
        spool.flush()
        yield spool.name
