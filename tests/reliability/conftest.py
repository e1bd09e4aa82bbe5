"""The reliability importers are registered only while these tests run."""

from collections.abc import Iterator

import pytest

from tests.admin.conftest import make_user, su_client, superuser
from tests.reliability.importers import MORE_CORPUS_IMPORTERS, CorpusImporter, FaultImporter
from winiadmin.importers import register
from winiadmin.importers.registry import unregister

__all__ = ["make_user", "su_client", "superuser"]  # the admin tests' users, shared


@pytest.fixture(autouse=True)
def reliability_importers() -> Iterator[None]:
    for importer in (CorpusImporter, FaultImporter, *MORE_CORPUS_IMPORTERS):
        register(importer)
    yield
    for importer in (CorpusImporter, FaultImporter, *MORE_CORPUS_IMPORTERS):
        unregister(importer)
