"""The load stages' part in many-to-many fields: declarations read, callers without a run."""

import polars as pl
import pytest
from django.db import connection

from tests.pipeline.test_many_to_many import ArticleFrames, ArticleObjects, csv
from tests.testapp.models import Article
from winiadmin.db.many_to_many import ManyToMany
from winiadmin.exceptions import LoadError
from winiadmin.pipeline.links import link_cells, write_stage_links
from winiadmin.pipeline.spec import ImportDeclarations
from winiadmin.results import ImportStatus

pytestmark = pytest.mark.django_db


def test_declarations_are_typed_on_the_importer() -> None:
    assert [m.field for m in ArticleFrames().many_to_many] == ["tags"]
    # An importer (or a seed command) declaring none has the typed default.
    assert ImportDeclarations.many_to_many == ()
    assert link_cells(()) is None


def test_a_caller_without_a_run_is_told_which_values_match_nothing() -> None:
    article = Article.objects.create(code="A1", title="a")
    cells = link_cells((ManyToMany(Article, "tags", by="name"),))
    assert cells is not None
    cells.take(Article, pl.DataFrame({"code": ["A1"], "tags": ["pink"]}), None, "pk")
    cells.inserted(Article, [article.pk])
    with pytest.raises(LoadError, match="1 tag not found \\(name\\): 'pink'"):
        write_stage_links(cells, None, using="default", step=100, collect_pks=False)


def test_the_instance_path_needs_a_backend_that_returns_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    monkeypatch.setattr(connection.features, "can_return_rows_from_bulk_insert", False)
    result = ArticleObjects().run(csv("A1,First,red"))
    assert result.status is ImportStatus.FAILED
    assert "does not return from a bulk insert" in (result.error or "")
    assert not Article.objects.exists()
