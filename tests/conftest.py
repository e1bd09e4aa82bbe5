"""Shared fixtures."""

from collections.abc import Iterator
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "example" / "samples"


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def insert_only_catalogue() -> Iterator[str]:
    """``shop.catalogue`` without upserts, registered for the test: its name."""
    from tests.testapp.importers import InsertOnlyCatalogue
    from winiadmin.importers.registry import register, unregister

    register(InsertOnlyCatalogue)
    yield InsertOnlyCatalogue.name
    unregister(InsertOnlyCatalogue)
