"""Where a file comes from: a path, its bytes, or an open binary file (e.g. a Django upload)."""

import os
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from winiadmin.exceptions import FileReadError
from winiadmin.readers.limits import ReadLimits, check_file_size

Source = str | os.PathLike[str] | bytes | BinaryIO


def load_source(source: Source, max_size: int | None = None) -> tuple[bytes, str | None]:
    """The whole file's bytes, and its name when the source knows it.

    A file larger than ``max_size`` bytes is refused before it is read into memory.
    """
    limit = ReadLimits.from_settings().file_size if max_size is None else max_size
    if isinstance(source, bytes):
        check_file_size(len(source), limit)
        return source, None
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            check_file_size(path.stat().st_size, limit)
            return path.read_bytes(), path.name
        except OSError as exc:
            msg = _("The file %(name)r could not be opened: %(error)s.") % {
                "name": path.name,
                "error": exc.strerror or exc,
            }
            raise FileReadError(msg) from exc
    # A file object may have been read already (a form validating it): start from the top.
    if source.seekable():
        check_file_size(source.seek(0, os.SEEK_END), limit)
        source.seek(0)
    data = source.read(limit + 1)  # a stream that cannot tell its size: one byte too many
    check_file_size(len(data), limit)
    name = getattr(source, "name", None)
    return data, os.path.basename(name) if isinstance(name, str) else None
