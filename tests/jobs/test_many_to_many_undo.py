"""An import with many-to-many links, run as a job and undone: the through rows go first."""

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User

from tests.jobs.conftest import MakeJob
from tests.pipeline.test_many_to_many import ArticleFrames, csv
from tests.testapp.models import Article, Tag
from winiadmin.importers import register
from winiadmin.importers.registry import unregister
from winiadmin.jobs.runner import execute_job
from winiadmin.jobs.undo import plan_undo, undo_job
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db


class Articles(ArticleFrames):
    name = "tests.articles"


@pytest.fixture
def registered() -> Iterator[None]:
    register(Articles)
    yield
    unregister(Articles)


@pytest.mark.usefixtures("registered")
def test_undo_deletes_the_links_with_the_rows(make_job: MakeJob, user: User) -> None:
    Tag.objects.bulk_create([Tag(name="red"), Tag(name="blue")])
    job = make_job(csv("A1,First,red|blue", "A2,Second,blue"), importer="tests.articles")
    execute_job(job, skip_invalid=False, user=user)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.created_counts == {"testapp.Article": 2, "testapp.Article_tags": 3}
    plan = plan_undo(job)
    assert plan.allowed, plan.blockers
    assert [u.label for u in plan.models] == ["testapp.Article_tags", "testapp.Article"]
    undo_job(job, user)
    assert not Article.objects.exists()
    assert not Article.tags.through.objects.exists()
    assert Tag.objects.count() == 2
