"""Importers that yield their objects lazily: the loader pulls them one chunk at a time."""

import gc
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import ClassVar

import polars as pl
import pytest
from django.db.models import Model
from shop.importers import CatalogueObjectsImporter
from shop.models import Product

from winiadmin.progress import Progress
from winiadmin.results import ImportStatus, Stage

pytestmark = pytest.mark.django_db


class Counting(CatalogueObjectsImporter):
    """The demo importer, its products as a bare generator that counts what was pulled."""

    pulled = 0

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        bulks = super().get_bulks_by_model(df)

        def products() -> Iterator[Model]:
            for product in bulks[Product]:
                Counting.pulled += 1
                yield product

        return {**bulks, Product: products()}


def test_a_generator_is_loaded_chunk_by_chunk(samples: Path) -> None:
    pulled_at_chunk: list[tuple[int, int]] = []
    totals: set[int | None] = set()

    def progress(p: Progress) -> None:
        if p.stage is Stage.LOAD and p.detail == "shop.Product":
            pulled_at_chunk.append((p.done, Counting.pulled))
            totals.add(p.total)

    Counting.pulled = 0
    result = Counting().run(samples / "catalogue.csv", batch_size=7, progress=progress)
    assert result.status is ImportStatus.SUCCEEDED
    assert Product.objects.count() == result.count_for("shop.Product") == 40
    # After 6 categories and 4 stores, each chunk of 7 products is pulled just before it is
    # inserted: never the whole generator up front.
    assert pulled_at_chunk == [(10 + n, n) for n in (7, 14, 21, 28, 35, 40)]
    assert totals == {None}  # a bare generator has no length (LazyBulk gives it one)


def test_the_demo_importer_gives_a_total_for_its_lazy_products(samples: Path) -> None:
    totals: set[int | None] = set()
    result = CatalogueObjectsImporter().run(
        samples / "catalogue.csv", progress=lambda p: totals.add(p.total)
    )
    assert result.ok
    assert 40 in totals  # the file's rows (its 50 objects are counted as their share)


class WatchingTheCollector(CatalogueObjectsImporter):
    """The demo importer, noting whether automatic garbage collection runs as it is pulled."""

    enabled: ClassVar[list[bool]] = []
    fail = False

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        bulks = super().get_bulks_by_model(df)

        def products() -> Iterator[Model]:
            for n, product in enumerate(bulks[Product]):
                WatchingTheCollector.enabled.append(gc.isenabled())
                if self.fail and n == 20:
                    raise ValueError("broken importer")
                yield product

        return {**bulks, Product: products()}


@pytest.mark.parametrize("fail", [False, True])
def test_the_collector_is_paused_during_the_load_and_given_back(samples: Path, fail: bool) -> None:
    WatchingTheCollector.enabled.clear()
    importer = WatchingTheCollector()
    importer.fail = fail
    assert gc.isenabled()
    result = importer.run(samples / "catalogue.csv", batch_size=7)
    assert result.status is (ImportStatus.FAILED if fail else ImportStatus.SUCCEEDED)
    assert Product.objects.count() == (0 if fail else 40)
    assert WatchingTheCollector.enabled and not any(WatchingTheCollector.enabled)
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off(samples: Path) -> None:
    gc.disable()
    try:
        result = CatalogueObjectsImporter().run(samples / "catalogue.csv")
        assert result.ok
        assert not gc.isenabled()
    finally:
        gc.enable()
