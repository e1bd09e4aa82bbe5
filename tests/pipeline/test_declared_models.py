"""An importer writes only the models it declares; permissions are computed from them."""

from collections.abc import Iterable, Iterator
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Model
from shop.importers import CatalogueImporter, ProductObjectsImporter
from shop.models import Category, Product, Store

from tests.reliability.importers import CorpusImporter
from tests.testapp.models import CorpusItem, Tag
from winiadmin.checks import check_declared_models
from winiadmin.db.frames import ModelFrame
from winiadmin.exceptions import WiniadminDeprecationWarning
from winiadmin.importers import Lookup, register
from winiadmin.importers.registry import unregister
from winiadmin.permissions import import_permissions
from winiadmin.results import ImportStatus

CSV = b"code,name,quantity,price,day\nA,Apple,1,1.5,2024-01-02\n"


class WritesAnUndeclaredModel(CorpusImporter):
    name = "tests.writes_undeclared"

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        items = [CorpusItem(**row) for row in df.iter_rows(named=True)]
        return {CorpusItem: items, Tag: [Tag(name="x")]}


class FrameWithAnUndeclaredKey(CorpusImporter):
    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame]:
        return {CorpusItem: ModelFrame(CorpusItem, df, key=("code",))}


class FrameWithADeclaredKey(FrameWithAnUndeclaredKey):
    upsert_keys = {CorpusItem: ("code",)}


class CreatesUndeclaredCategories(CorpusImporter):
    name = "tests.creates_undeclared"
    lookups = (Lookup(Product, "category", by="name", create=True),)  # Category not in models


class UpsertsAnUndeclaredModel(CorpusImporter):
    name = "tests.upserts_undeclared"
    upsert_keys = {Store: ("name",)}


@pytest.mark.django_db
def test_a_transform_returning_an_undeclared_model_fails_naming_it() -> None:
    result = WritesAnUndeclaredModel().run(CSV)
    assert result.status is ImportStatus.FAILED
    message = " ".join(p.message for p in result.problems)
    assert "testapp.Tag" in message and "not in its models" in message
    assert not CorpusItem.objects.exists()
    assert not Tag.objects.exists()


@pytest.mark.django_db
def test_a_frame_with_a_key_must_be_declared_in_upsert_keys() -> None:
    result = FrameWithAnUndeclaredKey().run(CSV)
    assert result.status is ImportStatus.FAILED
    message = " ".join(p.message for p in result.problems)
    assert "upsert_keys" in message and "testapp.CorpusItem" in message
    assert not CorpusItem.objects.exists()
    # Declared twice (the frame's key is deprecated) but the same key: it upserts.
    for csv in (CSV, CSV.replace(b"Apple", b"Pear")):
        with pytest.warns(WiniadminDeprecationWarning, match="declare upsert_keys"):
            result = FrameWithADeclaredKey().run(csv)
        assert result.ok
    assert list(CorpusItem.objects.values_list("name", flat=True)) == ["Pear"]


@pytest.mark.django_db
def test_the_command_fails_with_the_same_message(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes(CSV)
    register(WritesAnUndeclaredModel)
    try:
        with pytest.raises(CommandError):
            call_command(
                "winiadmin_import", "tests.writes_undeclared", str(path),
                stdout=(out := StringIO()), stderr=(err := StringIO()),
            )  # fmt: skip
    finally:
        unregister(WritesAnUndeclaredModel)
    assert "testapp.Tag is not in its models" in out.getvalue() + err.getvalue()
    assert not CorpusItem.objects.exists()


@pytest.fixture
def misdeclared() -> Iterator[None]:
    register(CreatesUndeclaredCategories)
    register(UpsertsAnUndeclaredModel)
    yield
    unregister(CreatesUndeclaredCategories)
    unregister(UpsertsAnUndeclaredModel)


def test_the_system_check_names_what_lookups_create_and_upsert_keys_update(
    misdeclared: None,
) -> None:
    errors = check_declared_models(None)
    assert [e.id for e in errors] == ["winiadmin.E021", "winiadmin.E021"]
    by_importer = {e.obj.get_name(): e.msg for e in errors}
    assert "shop.Category" in by_importer["tests.creates_undeclared"]
    assert "shop.Store" in by_importer["tests.upserts_undeclared"]


def test_the_demo_passes_the_check() -> None:
    assert check_declared_models(None) == []


def test_an_upsert_needs_the_change_permission_as_well_as_add() -> None:
    perms = import_permissions(CatalogueImporter)
    assert {"shop.add_product", "shop.add_category", "shop.add_store"} <= set(perms)
    assert "shop.change_product" in perms
    assert "shop.change_category" not in perms
    assert not any(p.startswith("shop.change") for p in import_permissions(ProductObjectsImporter))


def test_lookup_targets_count_as_written() -> None:
    lookup = Lookup(Product, "category", by="name", create=True)
    assert lookup.target is Category
