"""Importers that yield their objects lazily: the loader pulls them one chunk at a time."""

from collections.abc import Iterable, Iterator
from pathlib import Path

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
