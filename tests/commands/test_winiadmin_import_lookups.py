"""``winiadmin_import`` with lookups: unmatched values printed, --create_missing."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from shop.models import Category, Product, Store

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(samples: Path, known: None) -> str:
    return str(samples / "products_unknown_keys.csv")


def test_unmatched_values_are_printed_with_counts_and_rows_and_stop_the_import(
    sample: str,
) -> None:
    err = StringIO()
    with pytest.raises(CommandError, match="3 values match nothing in the database"):
        call_command("winiadmin_import", "shop.products", sample, stdout=StringIO(), stderr=err)
    printed = err.getvalue()
    assert (
        "2 categories not found (name): 'Toyz' (rows 2, 4, 6), 'Garden' (row 3) "
        "(--create_missing creates them)" in printed
    )
    assert "1 store not found (name): 'Paris Opéra' (row 5)" in printed
    assert "Row 5, column 'store', value 'Paris Opéra': No store has name 'Paris Opéra'." in printed
    assert Product.objects.count() == 0


def test_create_missing_creates_the_categories_before_the_products(sample: str) -> None:
    Store.objects.create(name="Paris Opéra")
    out = StringIO()
    call_command(
        "winiadmin_import",
        "shop.products",
        sample,
        "--create_missing",
        stdout=out,
        stderr=StringIO(),
    )
    printed = out.getvalue()
    assert "2 categories created (name): 'Toyz' (rows 2, 4, 6), 'Garden' (row 3)" in printed
    assert "shop.Category" in printed and "Imported 8 objects." in printed
    assert Category.objects.filter(name__in=["Toyz", "Garden"]).count() == 2
    assert Product.objects.filter(category__name="Toyz").count() == 3


def test_skip_invalid_imports_the_rest_and_names_the_skipped_rows(sample: str) -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "winiadmin_import", "shop.products", sample, "--skip_invalid", stdout=out, stderr=err
    )
    assert "Imported 1 object. 5 invalid rows skipped." in out.getvalue()
    assert "'Toyz' (rows 2, 4, 6)" in err.getvalue()
    assert list(Product.objects.values_list("sku", flat=True)) == ["SKU-9006"]
