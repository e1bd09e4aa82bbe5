"""Deprecated declarations: still working, with a warning, and named by ``manage.py check``."""

from collections.abc import Iterator

import polars as pl
import pytest
from django.db.models import Model

from tests.reliability.importers import CorpusCleaningDF, CorpusImporter
from tests.testapp.models import CorpusItem
from winiadmin.checks import check_deprecated_declarations
from winiadmin.db.frames import ModelFrame
from winiadmin.exceptions import WiniadminDeprecationWarning
from winiadmin.importers import Importer, register
from winiadmin.importers.deprecations import deprecations, frame_arguments
from winiadmin.importers.registry import unregister
from winiadmin.results import ImportStatus

CSV = b"Code,Label,Qty,price,day\nA,Apple,1,1.5,2024-01-02\nB,Pear,2,2.5,2024-01-03\n"


class AliasesOnTheImporter(CorpusImporter):
    name = "tests.aliases_on_the_importer"
    column_aliases = {"name": ("label",), "quantity": ("qty",)}


class AliasedCorpusCleaningDF(CorpusCleaningDF):
    @classmethod
    def get_column_aliases(cls) -> dict[str, tuple[str, ...]]:
        return {"name": ("label",), "quantity": ("qty",)}


class AliasesOnTheCleaningClass(CorpusImporter):
    name = "tests.aliases_on_the_cleaning_class"
    cleaning_df_cls = AliasedCorpusCleaningDF


class FramesSayingKeys(CorpusImporter):
    name = "tests.frames_saying_keys"
    upsert_keys = {CorpusItem: ("code",)}

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame]:
        return {CorpusItem: ModelFrame(CorpusItem, df, {}, ("code",))}


class FramesSayingLookups(CorpusImporter):
    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame]:
        return {CorpusItem: ModelFrame(CorpusItem, df, lookups={})}


class FramesSayingNothing(CorpusImporter):
    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame]:
        return {CorpusItem: ModelFrame(CorpusItem, df, ref="code")}


@pytest.mark.django_db
def test_aliases_on_the_cleaning_class_match_headers_silently() -> None:
    result = AliasesOnTheCleaningClass().run(CSV)
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    assert list(CorpusItem.objects.order_by("code").values_list("name", "quantity")) == [
        ("Apple", 1),
        ("Pear", 2),
    ]


@pytest.mark.django_db
def test_aliases_on_the_importer_still_work_with_a_warning() -> None:
    with pytest.warns(WiniadminDeprecationWarning, match="AliasesOnTheImporter.column_aliases"):
        result = AliasesOnTheImporter().run(CSV)
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    assert sorted(CorpusItem.objects.values_list("name", flat=True)) == ["Apple", "Pear"]


def test_the_frames_hook_is_read_for_key_and_lookups_by_keyword_or_position() -> None:
    assert frame_arguments(FramesSayingKeys) == {"lookups", "key"}
    assert frame_arguments(FramesSayingLookups) == {"lookups"}
    assert frame_arguments(FramesSayingNothing) == set()
    assert frame_arguments(CorpusImporter) == set()  # the instance path: no frames


def test_each_deprecation_names_its_replacement() -> None:
    assert [(d.id, d.message) for d in deprecations(AliasesOnTheImporter)] == [
        ("winiadmin.W005", "tests.aliases_on_the_importer: column_aliases on the importer is "
         "deprecated."),
    ]  # fmt: skip
    assert "get_column_aliases()" in deprecations(AliasesOnTheImporter)[0].hint
    found = {d.id: d.hint for d in deprecations(FramesSayingKeys)}
    assert set(found) == {"winiadmin.W006", "winiadmin.W007"}
    assert "lookups = (Lookup(" in found["winiadmin.W006"]
    assert "upsert_keys = {" in found["winiadmin.W007"]
    assert deprecations(AliasesOnTheCleaningClass) == []


@pytest.fixture
def registered() -> Iterator[list[type[Importer]]]:
    importers: list[type[Importer]] = [AliasesOnTheImporter, FramesSayingKeys]
    for importer in importers:
        register(importer)
    yield importers
    for importer in importers:
        unregister(importer)


def test_the_system_check_warns_for_registered_importers(
    registered: list[type[Importer]],
) -> None:
    messages = check_deprecated_declarations(None)
    assert sorted((m.id, m.obj.get_name()) for m in messages) == [
        ("winiadmin.W005", "tests.aliases_on_the_importer"),
        ("winiadmin.W006", "tests.frames_saying_keys"),
        ("winiadmin.W007", "tests.frames_saying_keys"),
    ]
    assert all(m.is_serious() is False for m in messages)  # warnings: the check still passes


def test_the_demo_uses_no_deprecated_declaration() -> None:
    assert check_deprecated_declarations(None) == []
