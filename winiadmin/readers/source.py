"""Where a file comes from: a path, its bytes, or an open binary file (e.g. a Django upload)."""

import os
from pathlib import Path
from typing import BinaryIO

from winiadmin.exceptions import FileReadError

Source = str | os.PathLike[str] | bytes | BinaryIO


def load_source(source: Source) -> tuple[bytes, str | None]:
    """The whole file's bytes, and its name when the source knows it."""
    if isinstance(source, bytes):
        return source, None
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.read_bytes(), path.name
        except OSError as exc:
            msg = f"The file {path.name!r} could not be opened: {exc.strerror or exc}."
            raise FileReadError(msg) from exc
    # A file object may have been read already (a form validating it): start from the top.
    if source.seekable():
        source.seek(0)
    data = source.read()
    name = getattr(source, "name", None)
    return data, os.path.basename(name) if isinstance(name, str) else None
