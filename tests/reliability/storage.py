"""A file system storage whose disk fills up in the middle of a write (fault injection)."""

import errno
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage


class FullDiskStorage(FileSystemStorage):
    """Writes the first chunk of a file to disk, then fails as a full device does."""

    def _save(self, name: str, content: File[bytes]) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as out:
            for index, chunk in enumerate(content.chunks()):
                if index == 1:
                    raise OSError(errno.ENOSPC, "No space left on device")
                out.write(chunk)
        return name
