"""Many-to-many fields given by natural keys in one cell, on both load paths, both databases."""

from io import StringIO
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.testapp.models import Article, Tag
from winiadmin.commands.report import write_report
from winiadmin.import_report import ImportReport
from winiadmin.importers import (
    BulksByModel,
    CleaningDF,
    FramesByModel,
    Importer,
    ManyToMany,
    ModelFrame,
    with_keys,
)
from winiadmin.jobs.report import build_report
from winiadmin.problems import ProblemKind
from winiadmin.results import ImportResult, ImportStatus

pytestmark = pytest.mark.django_db

THROUGH = "testapp.Article_tags"


class ArticleCleaning(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"code": pl.Utf8, "title": pl.Utf8, "tags": pl.Utf8}

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ("code", "title")


class ArticleFrames(Importer):
    models = (Article, Tag)
    cleaning_df_cls = ArticleCleaning
    many_to_many = (ManyToMany(Article, "tags", by="name", create=True),)

    def get_frames_by_model(self, df: pl.DataFrame) -> FramesByModel:
        return {Article: ModelFrame(Article, df)}


class ArticleObjects(Importer):
    models = (Article, Tag)
    cleaning_df_cls = ArticleCleaning
    many_to_many = (ManyToMany(Article, "tags", by="name", create=True),)

    def get_bulks_by_model(self, df: pl.DataFrame) -> BulksByModel:
        return {
            Article: (
                with_keys(Article(code=r["code"], title=r["title"]), tags=r["tags"])
                for r in df.iter_rows(named=True)
            )
        }


class UpsertFrames(ArticleFrames):
    upsert_keys = {Article: ("code",)}


class UpsertObjects(ArticleObjects):
    upsert_keys = {Article: ("code",)}


class AddFrames(UpsertFrames):
    many_to_many = (ManyToMany(Article, "tags", by="name", on_upsert="add"),)


class AddObjects(UpsertObjects):
    many_to_many = (ManyToMany(Article, "tags", by="name", on_upsert="add"),)


BOTH = pytest.mark.parametrize(
    "importer", [ArticleFrames, ArticleObjects], ids=["frames", "objects"]
)
UPSERT = pytest.mark.parametrize(
    "importer", [UpsertFrames, UpsertObjects], ids=["frames", "objects"]
)
ADD = pytest.mark.parametrize("importer", [AddFrames, AddObjects], ids=["frames", "objects"])


def csv(*rows: str) -> bytes:
    return ("code,title,tags\n" + "\n".join(rows) + "\n").encode()


def tags_of() -> dict[str, list[str]]:
    return {
        a.code: sorted(t.name for t in a.tags.all())
        for a in Article.objects.prefetch_related("tags")
    }


def count(result: ImportResult, label: str) -> tuple[int, int]:
    found = next((c for c in result.created if c.label == label), None)
    return (found.count, found.removed) if found else (0, 0)


@pytest.fixture
def colours() -> None:
    Tag.objects.bulk_create([Tag(name=n) for n in ("red", "blue", "green")])


@BOTH
@pytest.mark.usefixtures("colours")
def test_cells_become_links_in_bulk(importer: type[Importer]) -> None:
    data = csv("A1,First, red | blue ", "A2,Second,green", "A3,Third,", "A4,Fourth,red|red")
    with CaptureQueriesContext(connection) as queries:
        result = importer().run(data, file_name="articles.csv")
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    assert tags_of() == {"A1": ["blue", "red"], "A2": ["green"], "A3": [], "A4": ["red"]}
    assert count(result, THROUGH) == (4, 0)
    inserts = [q for q in queries if "article_tags" in q["sql"].lower() and "INSERT" in q["sql"]]
    copies = [q for q in queries if "COPY" in q["sql"] and "article_tags" in q["sql"].lower()]
    assert len(inserts) + len(copies) <= 1  # one executemany or COPY, not one per link


@BOTH
@pytest.mark.usefixtures("colours")
def test_unknown_values_are_listed_and_stop_the_import(importer: type[Importer]) -> None:
    data = csv("A1,First,red|pink", "A2,Second,pink|mauve", "A3,Third,blue")
    result = importer().run(data)
    assert result.status is ImportStatus.INVALID
    [unmatched] = result.unmatched
    assert unmatched.lookup.field == "tags" and not unmatched.created
    assert {v: (n, unmatched.rows[v]) for v, n in unmatched.counts.items()} == {
        "pink": (2, [2, 3]),
        "mauve": (1, [3]),
    }
    unknown = sorted(
        (p.row, p.column, p.value) for p in result.problems if p.kind is ProblemKind.UNKNOWN_KEY
    )
    assert unknown == [(2, "tags", "pink"), (3, "tags", "mauve"), (3, "tags", "pink")]
    assert "Choose to create the missing ones" in (result.error or "")
    assert Article.objects.count() == 0
    assert Tag.objects.count() == 3


@BOTH
@pytest.mark.usefixtures("colours")
def test_skipping_invalid_rows_does_not_drop_unknown_values(importer: type[Importer]) -> None:
    # The articles are stored before their links: leaving a row out is not possible any more,
    # so the import stops rather than storing an article without the tag its file names.
    result = importer().run(csv("A1,First,red|pink", "A2,Second,blue"), skip_invalid=True)
    assert result.status is ImportStatus.INVALID
    assert Article.objects.count() == 0


@BOTH
@pytest.mark.usefixtures("colours")
def test_create_missing_creates_each_value_once(importer: type[Importer]) -> None:
    data = csv("A1,First,red|pink", "A2,Second,pink|mauve")
    result = importer().run(data, create_missing=True)
    assert result.status is ImportStatus.SUCCEEDED, result.error
    assert tags_of() == {"A1": ["pink", "red"], "A2": ["mauve", "pink"]}
    assert Tag.objects.count() == 5
    [unmatched] = result.unmatched
    assert unmatched.created and dict(unmatched.counts) == {"pink": 2, "mauve": 1}
    assert count(result, "testapp.Tag") == (2, 0)


@BOTH
@pytest.mark.usefixtures("colours")
def test_dry_run_writes_nothing(importer: type[Importer]) -> None:
    result = importer().run(csv("A1,First,red|blue"), dry_run=True)
    assert result.status is ImportStatus.DRY_RUN
    assert count(result, THROUGH) == (2, 0)
    assert Article.objects.count() == 0
    assert Article.tags.through.objects.count() == 0


@UPSERT
@pytest.mark.usefixtures("colours")
def test_upsert_replaces_the_set(importer: type[Importer]) -> None:
    assert importer().run(csv("A1,First,red|blue", "A2,Second,green")).committed
    result = importer().run(csv("A1,First,blue|green", "A2,Second,", "A3,Third,red"))
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    assert tags_of() == {"A1": ["blue", "green"], "A2": [], "A3": ["red"]}
    assert count(result, THROUGH) == (2, 2)


@ADD
@pytest.mark.usefixtures("colours")
def test_upsert_adds_to_the_set(importer: type[Importer]) -> None:
    assert importer().run(csv("A1,First,red", "A2,Second,green")).committed
    result = importer().run(csv("A1,First,blue|red", "A2,Second,"))
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    assert tags_of() == {"A1": ["blue", "red"], "A2": ["green"]}
    assert count(result, THROUGH) == (1, 0)


@BOTH
@pytest.mark.usefixtures("colours")
def test_collected_keys_include_the_through_rows(importer: type[Importer]) -> None:
    result = importer().run(csv("A1,First,red|blue"), collect_pks=True)
    assert result.committed
    through = Article.tags.through
    assert set(result.created_pks[THROUGH]) == set(through.objects.values_list("pk", flat=True))
    assert len(result.created_pks["testapp.Article"]) == 1


def test_related_rows_of_the_same_import_are_linked() -> None:
    """The links are written once every model is stored: tags from another frame are found."""

    class TagsAndArticles(ArticleFrames):
        many_to_many = (ManyToMany(Article, "tags", by="name"),)

        def get_frames_by_model(self, df: pl.DataFrame) -> FramesByModel:
            names = df.select(pl.col("tags").str.split("|").explode().alias("name")).unique()
            return {Article: ModelFrame(Article, df), Tag: names.drop_nulls()}

    result = TagsAndArticles().run(csv("A1,First,red|blue", "A2,Second,blue"))
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    assert tags_of() == {"A1": ["blue", "red"], "A2": ["blue"]}


@pytest.mark.usefixtures("colours")
def test_the_reports_say_how_many_links_were_removed() -> None:
    assert UpsertFrames().run(csv("A1,First,red|blue")).committed
    result = UpsertFrames().run(csv("A1,First,green"))
    out = StringIO()
    write_report(result, OutputWrapper(out), OutputWrapper(StringIO()), no_style())
    [line] = [line for line in out.getvalue().splitlines() if line.startswith(THROUGH)]
    assert line.split()[1] == "1"
    assert line.endswith("(2 removed)")
    models = {m.label: m for m in build_report(result).models}
    assert (models[THROUGH].count, models[THROUGH].removed) == (1, 2)
    # Stored as JSON and read back (the job's report), the count of removed links stays.
    stored = ImportReport.from_json(build_report(result).to_json())
    assert {m.label: m.removed for m in stored.models}[THROUGH] == 2


@pytest.mark.usefixtures("colours")
def test_a_streamed_file_links_each_batch(settings: Any, tmp_path: Path) -> None:
    settings.WINIADMIN = {"STREAM_THRESHOLD_BYTES": 1, "STREAM_BATCH_ROWS": 2}
    path = tmp_path / "articles.csv"
    path.write_bytes(csv("A1,a,red", "A2,b,red|blue", "A3,c,green", "A4,d,", "A5,e,blue"))
    result = UpsertFrames().run(path)
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    assert "streamed" in result.source_info
    assert tags_of() == {
        "A1": ["red"],
        "A2": ["blue", "red"],
        "A3": ["green"],
        "A4": [],
        "A5": ["blue"],
    }
    assert count(result, THROUGH) == (5, 0)
    path.write_bytes(csv("A1,a,blue", "A2,b,red|blue", "A3,c,", "A4,d,", "A5,e,blue"))
    again = UpsertFrames().run(path)
    assert again.status is ImportStatus.SUCCEEDED, list(again.problems)
    assert count(again, THROUGH) == (1, 2)


@BOTH
@pytest.mark.usefixtures("colours")
def test_values_mapped_to_chosen_tags_link_them(importer: type[Importer]) -> None:
    red = Tag.objects.get(name="red")
    data = csv("A1,First,red|pink", "A2,Second,pink|blue")
    chosen = {"testapp.Article.tags": {"pink": str(red.pk)}}
    result = importer().run(data, value_mappings=chosen)
    assert result.status is ImportStatus.SUCCEEDED, list(result.problems)
    assert tags_of() == {"A1": ["red"], "A2": ["blue", "red"]}
    assert [m.targets for m in result.mapped] == [{"pink": (str(red.pk), "red")}]
    assert not Tag.objects.filter(name="pink").exists()
