"""Shared fixtures."""

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "example" / "samples"


@pytest.fixture
def samples() -> Path:
    return SAMPLES
