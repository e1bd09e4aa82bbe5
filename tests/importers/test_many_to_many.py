"""ManyToMany declarations of registered importers: the system checks (E008, E021)."""

from collections.abc import Iterator

import pytest

from tests.pipeline.test_many_to_many import ArticleCleaning
from tests.testapp.models import Article
from winiadmin.checks import check_declared_models, check_lookups
from winiadmin.importers import Importer, ManyToMany, register
from winiadmin.importers.registry import unregister


class BadManyToMany(Importer):
    name = "tests.bad_many_to_many"
    models = (Article,)
    cleaning_df_cls = ArticleCleaning
    many_to_many = (
        ManyToMany(Article, "title", by="name"),
        ManyToMany(Article, "tags", by="name", create=True),
    )


@pytest.fixture
def bad() -> Iterator[None]:
    register(BadManyToMany)
    yield
    unregister(BadManyToMany)


@pytest.mark.usefixtures("bad")
def test_a_field_that_is_not_many_to_many_is_reported() -> None:
    [message] = check_lookups(None)
    assert message.id == "winiadmin.E008"
    assert "testapp.Article.title is not a many-to-many field" in message.msg


@pytest.mark.usefixtures("bad")
def test_creating_related_rows_needs_their_model_in_models() -> None:
    [error] = check_declared_models(None)
    assert error.id == "winiadmin.E021"
    assert "testapp.Tag is not in its models" in error.msg
