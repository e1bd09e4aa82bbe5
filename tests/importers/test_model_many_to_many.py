"""``ModelImporter`` and many-to-many fields: a column of values joined by ``|``, by primary key
or by the natural key of ``natural_keys``, written as through rows (both databases)."""

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.testapp.models import Article, Club, Tag
from winiadmin.importers import ImportStatus, ManyToMany, ModelImporter, model_importer

pytestmark = pytest.mark.django_db


def importer_of(**declared: Any) -> type[ModelImporter]:
    attrs = {"model": Article, **declared}
    return type("ArticleImporter", (ModelImporter,), attrs)


def write(tmp_path: Path, text: str, name: str = "articles.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tags_of() -> dict[str, list[str]]:
    return {
        a.code: sorted(t.name for t in a.tags.all())
        for a in Article.objects.prefetch_related("tags").order_by("code")
    }


def test_the_derived_declaration() -> None:
    importer = model_importer(Article)
    [many] = importer.many_to_many
    assert isinstance(many, ManyToMany)
    assert (many.model, many.field, many.by, many.separator) == (Article, "tags", "id", "|")
    assert "tags" in importer.description
    assert importer.example_row["tags"] == "1|2"
    assert not importer.unsupported_fields
    named = importer_of(natural_keys={"tags": "name"}, many_to_many_separator=";")
    [many] = named.many_to_many
    assert (many.by, many.separator) == ("name", ";")


def test_by_primary_key(tmp_path: Path) -> None:
    red, blue = Tag.objects.create(name="red"), Tag.objects.create(name="blue")
    path = write(tmp_path, f'code,title,tags\nA1,First,"{red.pk}|{blue.pk}"\nA2,Second,\n')
    result = model_importer(Article)().run(path)
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    assert tags_of() == {"A1": ["blue", "red"], "A2": []}


def test_by_natural_key_created_on_request_and_upsert(tmp_path: Path) -> None:
    Tag.objects.create(name="red")
    importer = importer_of(
        fields=("code", "title", "tags"),
        natural_keys={"tags": "name"},
        create_missing=("tags",),
        upsert_key=("code",),
    )
    assert importer.models == (Tag, Article)
    path = write(tmp_path, "code,title,tags\nA1,First,red | green\n")
    refused = importer().run(path)
    assert refused.status is ImportStatus.INVALID  # green is unknown, and not created unasked
    [unmatched] = refused.unmatched
    assert unmatched.values == ["green"]
    assert not Article.objects.exists()
    result = importer().run(path, create_missing=True)
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    assert tags_of() == {"A1": ["green", "red"]}
    # An upsert replaces the set; a file without the column leaves it alone.
    again = importer().run(write(tmp_path, "code,title,tags\nA1,First,green\n", "again.csv"))
    assert again.status is ImportStatus.SUCCEEDED
    assert tags_of() == {"A1": ["green"]}
    kept = importer().run(write(tmp_path, "code,title\nA1,Renamed\n", "kept.csv"))
    assert kept.status is ImportStatus.SUCCEEDED, [str(p) for p in kept.problems]
    assert tags_of() == {"A1": ["green"]}
    assert Article.objects.get().title == "Renamed"


def test_a_header_by_verbose_name(tmp_path: Path) -> None:
    Tag.objects.create(name="red")
    importer = importer_of(natural_keys={"tags": "name"})
    result = importer().run(write(tmp_path, "Code,Title,Tags\nA1,First,red\n"))
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    assert tags_of() == {"A1": ["red"]}


def test_natural_keys_must_name_a_relation() -> None:
    with pytest.raises(ImproperlyConfigured, match="foreign key or a many-to-many field"):
        importer_of(natural_keys={"title": "name"})


def test_a_through_model_of_its_own_has_no_column() -> None:
    importer = model_importer(Club)
    assert importer.unsupported_fields == ("tags (ManyToManyField through testapp.ClubTag)",)
    assert importer.many_to_many == ()
    with pytest.raises(ImproperlyConfigured, match="has no field 'members'"):
        type("ClubImporter", (ModelImporter,), {"model": Club, "fields": ("name", "members")})


def test_a_reverse_relation_is_no_column() -> None:
    with pytest.raises(ImproperlyConfigured, match="nor a many-to-many field"):
        type("TagImporter", (ModelImporter,), {"model": Tag, "fields": ("name", "articles")})
