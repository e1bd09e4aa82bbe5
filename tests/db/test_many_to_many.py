"""The ManyToMany declaration and the cells a load collects (no database writes here)."""

import polars as pl
import pytest

from tests.testapp.models import Article, Tag
from winiadmin.db.lookups import Lookup, with_keys
from winiadmin.db.many_to_many import PARENT, STORED, VALUE, LinkCells, ManyToMany
from winiadmin.db.model_frame import ROW_NUMBER_COLUMN
from winiadmin.exceptions import LoadError

TAGS = ManyToMany(Article, "tags", by="name")


def test_a_cell_is_split_on_the_separator_ignoring_spaces_and_empty_values() -> None:
    assert TAGS.split(" red | blue||") == ["red", "blue"]
    assert TAGS.split(None) == []
    assert TAGS.split(["red", "", None, "blue"]) == ["red", "blue"]
    assert ManyToMany(Article, "tags", by="name", separator=";").split("a;b|c") == ["a", "b|c"]


def test_a_column_is_split_the_same_way() -> None:
    column = pl.Series("tags", [" red | blue||", None, "", "green"])
    assert TAGS.split_column(column).to_list() == [["red", "blue"], None, [], ["green"]]


def test_the_declaration_names_the_through_model_and_its_keys() -> None:
    source, target = TAGS.through_fields
    assert TAGS.through is Article.tags.through
    assert (source.attname, target.attname) == ("article_id", "tag_id")
    assert TAGS.lookup.target is Tag
    assert TAGS.lookup.source_column == "tags"
    assert ManyToMany(Article, "tags", by="name", column="labels").lookup.source_column == "labels"


def test_a_lookup_on_a_many_to_many_field_is_refused() -> None:
    assert Lookup(Article, "tags", by="name").setup_errors() == [
        "Lookup testapp.Article.tags: testapp.Article.tags is not a foreign key; it cannot have "
        "a lookup."
    ]


def test_setup_errors_name_what_is_wrong() -> None:
    assert TAGS.setup_errors() == []
    assert ManyToMany(Article, "title", by="name").setup_errors() == [
        "ManyToMany testapp.Article.title: testapp.Article.title is not a many-to-many field."
    ]
    assert ManyToMany(Article, "tags", by="label").setup_errors() == [
        "ManyToMany testapp.Article.tags: testapp.Tag has no field 'label'."
    ]
    wrong = ManyToMany(Article, "tags", by="name", separator="", on_upsert="merge")  # type: ignore[arg-type]
    assert [m.split(": ")[1] for m in wrong.setup_errors()] == [
        "the separator is empty.",
        "on_upsert is 'merge'; one of 'replace', 'add'.",
    ]


def test_the_frame_loader_hands_over_cells_with_their_rows_keys() -> None:
    cells = LinkCells([TAGS])
    frame = pl.DataFrame(
        {"code": ["A1", "A2"], "tags": ["red|blue", None], ROW_NUMBER_COLUMN: [2, 3]}
    )
    assert cells.wants_keys(Article, frame)
    assert not cells.wants_keys(Tag, frame)
    assert cells.take(Article, frame, None, "pk").columns == ["code", ROW_NUMBER_COLUMN]
    cells.inserted(Article, [10, 11])
    [(declaration, links)] = list(cells.links())
    assert declaration is TAGS
    assert links.select(PARENT, VALUE, ROW_NUMBER_COLUMN, STORED).rows() == [
        (10, ["red", "blue"], 2, False),
        (11, None, 3, False),
    ]


def test_rows_whose_keys_are_unknown_are_refused() -> None:
    cells = LinkCells([TAGS])
    cells.take(Article, pl.DataFrame({"code": ["A1"], "tags": ["red"]}), None, "pk")
    with pytest.raises(LoadError, match="need the keys of the rows inserted"):
        cells.inserted(Article, [])


def test_objects_given_values_are_watched_and_only_stored_ones_kept() -> None:
    stored = with_keys(Article(code="A1"), tags="red|blue")
    stored.pk, stored._state.adding = 5, False
    left_out = with_keys(Article(code="A2"), tags="green")
    plain = Article(code="A3")
    cells = LinkCells([TAGS])
    assert list(cells.watch(Article, [stored, left_out, plain])) == [stored, left_out, plain]
    [(_declaration, links)] = list(cells.links())
    assert links.select(PARENT, VALUE).rows() == [(5, ["red", "blue"])]
