"""Fixtures for the reader tests: real files written into ``tmp_path``."""

from collections.abc import Callable
from pathlib import Path

import pytest

WriteFile = Callable[[str, bytes], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write
