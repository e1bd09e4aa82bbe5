"""Values that match nothing, mapped to chosen rows (``RunOptions.value_mappings``): both loading
paths, both databases."""

from pathlib import Path

import pytest
from shop.importers import ProductObjectsImporter, ProductsImporter
from shop.models import Category, Product, Store

from winiadmin.results import ImportStatus

pytestmark = pytest.mark.django_db

BOTH = pytest.mark.parametrize("importer", [ProductObjectsImporter, ProductsImporter])
SAMPLE = "products_unknown_keys.csv"


def _mappings(**chosen: Category) -> dict[str, dict[str, str]]:
    return {"shop.Product.category": {value: str(row.pk) for value, row in chosen.items()}}


@BOTH
@pytest.mark.usefixtures("known")
def test_mapped_values_resolve_to_the_chosen_rows_and_the_rest_stays_unmatched(
    samples: Path, importer: type[ProductObjectsImporter]
) -> None:
    Store.objects.create(name="Paris Opéra")
    toys = Category.objects.create(name="Toys")
    result = importer().run(samples / SAMPLE, value_mappings=_mappings(Toyz=toys))
    assert result.status is ImportStatus.INVALID
    assert {u.lookup.field: list(u.counts) for u in result.unmatched} == {"category": ["Garden"]}
    [mapped] = result.mapped
    assert mapped.targets == {"Toyz": (str(toys.pk), "Toys")}
    assert mapped.counts == {"Toyz": 3}
    assert Product.objects.count() == 0


@BOTH
@pytest.mark.usefixtures("known")
def test_every_value_mapped_imports_the_rows_with_the_chosen_keys(
    samples: Path, importer: type[ProductObjectsImporter]
) -> None:
    Store.objects.create(name="Paris Opéra")
    toys = Category.objects.create(name="Toys")
    kitchen = Category.objects.get(name="Kitchen")
    chosen = _mappings(Toyz=toys, Garden=kitchen)
    result = importer().run(samples / SAMPLE, value_mappings=chosen, create_missing=True)
    assert result.status is ImportStatus.SUCCEEDED, result.error
    assert dict(Product.objects.values_list("sku", "category__name")) == {
        "SKU-9001": "Toys",
        "SKU-9002": "Kitchen",
        "SKU-9003": "Toys",
        "SKU-9004": "Books",
        "SKU-9005": "Toys",
        "SKU-9006": "Kitchen",
    }
    # Mapped, not created (although the lookup may create and creating was asked for).
    assert not Category.objects.filter(name__in=["Toyz", "Garden"]).exists()


@BOTH
@pytest.mark.usefixtures("known")
def test_a_value_that_matches_a_row_is_never_mapped_and_a_deleted_target_maps_nothing(
    samples: Path, importer: type[ProductObjectsImporter]
) -> None:
    Store.objects.create(name="Paris Opéra")
    books = Category.objects.get(name="Books")
    gone = Category.objects.create(name="Gone")
    gone_pk = gone.pk
    gone.delete()
    kitchen = Category.objects.get(name="Kitchen")
    chosen = {"shop.Product.category": {"Books": str(kitchen.pk), "Toyz": str(gone_pk)}}
    result = importer().run(samples / SAMPLE, value_mappings=chosen, dry_run=True)
    assert {u.lookup.field: list(u.counts) for u in result.unmatched} == {
        "category": ["Toyz", "Garden"]
    }
    assert all(not m.targets for m in result.mapped)
    assert books.pk != kitchen.pk


@BOTH
@pytest.mark.usefixtures("known")
def test_values_chosen_to_be_created_are_the_only_ones_created(
    samples: Path, importer: type[ProductObjectsImporter]
) -> None:
    Store.objects.create(name="Paris Opéra")
    chosen = {"shop.Product.category": ["Garden"]}
    result = importer().run(samples / SAMPLE, create_values=chosen, skip_invalid=True)
    assert result.status is ImportStatus.SUCCEEDED, result.error
    by_created = {u.created: list(u.counts) for u in result.unmatched}
    assert by_created == {True: ["Garden"], False: ["Toyz"]}
    assert sorted(result.skipped_rows) == [2, 4, 6]
    assert dict(Product.objects.values_list("sku", "category__name")) == {
        "SKU-9002": "Garden",
        "SKU-9004": "Books",
        "SKU-9006": "Kitchen",
    }
    assert not Category.objects.filter(name="Toyz").exists()
