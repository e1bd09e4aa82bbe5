"""Many-to-many fields exported as the importer reads them: one cell of the related rows'
natural keys joined by the importer's separator, in the order of the links; the file imports
back unchanged (every format, both databases), an edited cell is the one change found."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import polars as pl
import pytest

from tests.testapp.models import Article, Tag
from winiadmin.exports import FORMATS, ExportOptions, export_columns, export_queryset
from winiadmin.exports.database_csv import database_csv
from winiadmin.importers.model import ModelImporter

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.django_db


class Articles(ModelImporter):
    model = Article
    name = "tests.export_articles"
    natural_keys: ClassVar = {"tags": "name"}
    upsert_key = ("code",)
    many_to_many_separator = ";"


@pytest.fixture
def articles() -> None:
    red, blue, formula = (Tag.objects.create(name=n) for n in ("red", "blue", "=1+1"))
    two = Article.objects.create(code="A1", title="Two")
    two.tags.add(blue)  # linked first: first in the cell
    two.tags.add(red)
    Article.objects.create(code="A2", title="None")
    Article.objects.create(code="A3", title="Risky").tags.add(formula)


def _links() -> list[tuple[str, list[str]]]:
    return [
        (a.code, sorted(t.name for t in a.tags.all()))
        for a in Article.objects.order_by("code").prefetch_related("tags")
    ]


def test_the_column_and_its_cells(articles: None, tmp_path: Path) -> None:
    columns = export_columns(Articles)
    assert columns.headers == ["code", "title", "tags"]
    assert columns.columns[-1].separator == ";"
    assert database_csv(Article.objects.all(), columns.columns) is None  # the ORM's path
    out = tmp_path / "a.csv"
    assert (
        export_queryset(Article.objects.order_by("code"), columns, out, ExportOptions("csv")) == 3
    )
    assert out.read_text() == "code,title,tags\nA1,Two,blue;red\nA2,None,\nA3,Risky,'=1+1\n"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_exported_file_imports_back_unchanged(articles: None, tmp_path: Path, fmt: str) -> None:
    before = _links()
    out = tmp_path / f"a.{fmt}"
    export_queryset(
        Article.objects.order_by("code"), export_columns(Articles), out,
        ExportOptions(fmt, chunk_size=2),
    )  # fmt: skip
    result = Articles().run(out)
    assert result.ok, result.error
    assert (result.rows.imported, result.rows.updated) == (0, 0)
    assert _links() == before
    assert Tag.objects.count() == 3


def test_an_edited_cell_changes_the_links(articles: None, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    export_queryset(
        Article.objects.order_by("code"), export_columns(Articles), out, ExportOptions("csv")
    )
    frame = pl.read_csv(out, infer_schema=False).with_columns(
        pl.when(pl.col("code") == "A2").then(pl.lit("red")).otherwise(pl.col("tags")).alias("tags")
    )
    frame.write_csv(out)
    result = Articles().run(out)
    assert result.ok, result.error
    assert _links() == [("A1", ["blue", "red"]), ("A2", ["red"]), ("A3", ["=1+1"])]
