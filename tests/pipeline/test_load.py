"""``RunTransaction``: opened at the run's first load, ended once (commit, hook, or roll back)."""

import pytest
from shop.models import Store

from winiadmin.pipeline.load import RunTransaction

pytestmark = pytest.mark.django_db


def test_a_commit_calls_the_hook_once_with_the_rows_in_the_transaction() -> None:
    seen: list[int] = []
    with RunTransaction("default", lambda: seen.append(Store.objects.count())) as run:
        run.open()
        Store.objects.create(name="a")
        run.open()  # a later batch: the same transaction
        Store.objects.create(name="b")
        run.end(commit=True)
    assert seen == [2]
    assert Store.objects.count() == 2


def test_anything_else_rolls_back_without_the_hook() -> None:
    seen: list[str] = []
    with RunTransaction("default", lambda: seen.append("x")) as run:
        run.open()
        Store.objects.create(name="a")
        run.end(commit=False)
    assert seen == [] and not Store.objects.exists()


def test_a_run_that_loaded_nothing_opens_nothing_and_calls_no_hook() -> None:
    seen: list[str] = []
    with RunTransaction("default", lambda: seen.append("x")) as run:
        run.end(commit=True)
    assert not run.opened and seen == []


def test_an_exception_rolls_back() -> None:
    def refuse() -> None:
        raise RuntimeError("fenced")

    def load() -> None:
        with RunTransaction("default", refuse) as run:
            run.open()
            Store.objects.create(name="a")
            run.end(commit=True)

    with pytest.raises(RuntimeError, match="fenced"):
        load()
    assert not Store.objects.exists()
