"""Through rows written in bulk: lookups through the run's resolver, replace and add."""

import polars as pl
import pytest

from tests.testapp.models import Article, Tag
from winiadmin.db.lookups import KeyResolver
from winiadmin.db.many_to_many import LinkCells, ManyToMany
from winiadmin.db.model_frame import ROW_NUMBER_COLUMN
from winiadmin.db.through_rows import write_links

pytestmark = pytest.mark.django_db


def _cells(declaration: ManyToMany, cells: dict[str, str], *, stored: bool) -> LinkCells:
    links = LinkCells([declaration])
    pks = dict(Article.objects.values_list("code", "pk"))
    frame = pl.DataFrame(
        {
            "code": list(cells),
            "tags": list(cells.values()),
            ROW_NUMBER_COLUMN: list(range(2, len(cells) + 2)),
            "pk": [pks[c] for c in cells],
        }
    )
    if stored:
        links.take(Article, frame, frame, "pk")
    else:
        links.take(Article, frame, None, "pk")
        links.inserted(Article, frame.get_column("pk").to_list())
    return links


def _tags() -> dict[str, list[str]]:
    return {a.code: sorted(t.name for t in a.tags.all()) for a in Article.objects.all()}


@pytest.fixture
def articles() -> None:
    Tag.objects.bulk_create([Tag(name=n) for n in ("red", "blue", "green")])
    Article.objects.bulk_create([Article(code="A1", title="a"), Article(code="A2", title="b")])


@pytest.mark.usefixtures("articles")
@pytest.mark.parametrize(
    ("on_upsert", "expected", "removed"),
    [
        ("replace", {"A1": ["blue", "green"], "A2": []}, 2),
        ("add", {"A1": ["blue", "green", "red"], "A2": ["green"]}, 0),
    ],
)
def test_stored_rows_get_their_links_replaced_or_added(
    on_upsert: str, expected: dict[str, list[str]], removed: int
) -> None:
    declaration = ManyToMany(Article, "tags", by="name", on_upsert=on_upsert)  # type: ignore[arg-type]
    resolver = KeyResolver((), "default", create_missing=False)
    first = write_links(
        _cells(declaration, {"A1": "red|blue", "A2": "green"}, stored=False),
        resolver,
        using="default",
        step=1000,
    )
    assert first.added == {Article.tags.through: 3}
    again = write_links(
        _cells(declaration, {"A1": "blue|green", "A2": ""}, stored=True),
        resolver,
        using="default",
        step=1000,
    )
    assert _tags() == expected
    assert again.added == {Article.tags.through: 1}
    assert again.removed == ({Article.tags.through: removed} if removed else {})


@pytest.mark.usefixtures("articles")
def test_values_matching_nothing_are_recorded_and_nothing_is_linked() -> None:
    declaration = ManyToMany(Article, "tags", by="name")
    resolver = KeyResolver((), "default", create_missing=False)
    cells = _cells(declaration, {"A1": "red|pink", "A2": "pink"}, stored=False)
    linked = write_links(cells, resolver, using="default", step=1000)
    assert linked.added == {Article.tags.through: 0}
    [unmatched] = resolver.blocking
    assert (unmatched.separator, dict(unmatched.counts), unmatched.rows) == (
        "|",
        {"pink": 2},
        {"pink": [2, 3]},
    )
    assert resolver.blocks(skip_invalid=True)
    assert not Article.tags.through.objects.exists()
