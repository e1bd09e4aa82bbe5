"""Shared fixtures."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from tests.workers import needs_redis

SAMPLES = Path(__file__).resolve().parent.parent / "example" / "samples"


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """The language active before each test, again after it: a request through LocaleMiddleware
    (``Accept-Language: de``) leaves its language active in the test's thread."""
    before = translation.get_language()
    yield
    if before:
        translation.activate(before)
    else:
        translation.deactivate()


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


@pytest.fixture
def known() -> None:
    """What ``products_unknown_keys.csv`` expects to exist: three stores and two categories
    (its 'Paris Opéra' and 'Garden' are not)."""
    from shop.models import Category, Store

    for name in ("Berlin Mitte", "Online", "Hamburg Hafen"):
        Store.objects.create(name=name)
    for name in ("Books", "Kitchen"):
        Category.objects.create(name=name)


@pytest.fixture(params=[pytest.param("db"), pytest.param("celery", marks=needs_redis)])
def worker_engine(request: pytest.FixtureRequest) -> str:
    """The task engine a worker test runs on: every test that takes it runs once per engine
    (tests/workers.py, ``running_workers``)."""
    return str(request.param)
