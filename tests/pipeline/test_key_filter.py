"""Keys of earlier batches of a streamed import: a fixed-size filter, confirmed by the database."""

import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from shop.models import Product

from winiadmin.pipeline.frame_conflicts import KeyHistory
from winiadmin.pipeline.key_filter import KeyFilter


def hashes(keys: list[str]) -> pl.Series:
    return pl.DataFrame({"sku": keys}).select(pl.struct(["sku"]).hash()).to_series()


def test_a_key_added_is_always_found() -> None:
    seen = KeyFilter(1 << 20)
    added = hashes([f"SKU-{n}" for n in range(50_000)])
    seen.add(added)
    assert seen.might_contain(added).all()
    # A filter of 2**20 bits holding 50,000 keys: few false candidates among new keys.
    assert seen.might_contain(hashes([f"NEW-{n}" for n in range(50_000)])).sum() < 5_000


def test_a_full_filter_answers_maybe_to_everything() -> None:
    seen = KeyFilter(64)
    seen.add(hashes([f"SKU-{n}" for n in range(1000)]))
    assert seen.might_contain(hashes(["never added", "nor this"])).all()


def test_the_size_is_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        KeyFilter(1000)


def batch(skus: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"sku": skus})


@pytest.mark.django_db
def test_false_candidates_are_refuted_by_one_query() -> None:
    """A filter too small for its keys finds every key a candidate; the database decides."""
    history = KeyHistory(filter_bits=64)
    first = [f"SKU-{n:04d}" for n in range(1000)]
    args = (["sku"], ("sku",), "default")
    assert not history.earlier(Product, batch(first), *args).any()
    Product.objects.bulk_create(Product(sku=sku, name=sku, price=1) for sku in first)
    second = [f"SKU-{n:04d}" for n in range(1000, 2000)]
    second[700] = "SKU-0003"  # stored by the first batch
    with CaptureQueriesContext(connection) as queries:
        flags = history.earlier(Product, batch(second), *args)
    assert flags.arg_true().to_list() == [700]
    assert len(queries) == 1  # the candidates, confirmed in one query
