"""The checks deferred to COMMIT, run before it: on PostgreSQL by index whatever the statistics say,
refusing what COMMIT would refuse (named), the session's setting left as it was."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from shop.models import Category, Product

from winiadmin.db.deferred_checks import check_before_commit, check_deferred_now
from winiadmin.exceptions import LoadError
from winiadmin.pipeline.load import RunTransaction

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's deferred checks"),
]


def seqscan() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def dangling_product() -> None:
    """A product whose category does not exist: PostgreSQL queues its check to COMMIT."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO shop_product (sku, name, price, quantity, category_id, created_at)"
            " VALUES ('X-1', 'Ghost', 1, 0, 987654, now())"
        )


@pytest.fixture
def ri_plans() -> Iterator[list[str]]:
    """The plans of the foreign-key queries PostgreSQL runs from now on (``auto_explain``'s log,
    sent to this client as notices)."""
    plans: list[str] = []
    connection.ensure_connection()
    raw: Any = connection.connection

    def keep(diag: Any) -> None:
        if "FOR KEY SHARE" in (diag.message_primary or ""):
            plans.append(diag.message_primary)

    raw.add_notice_handler(keep)
    with connection.cursor() as cursor:
        cursor.execute("LOAD 'auto_explain'")
        for setting, value in [
            ("auto_explain.log_min_duration", "0"),
            ("auto_explain.log_nested_statements", "on"),
            ("client_min_messages", "log"),
        ]:
            cursor.execute("SELECT set_config(%s, %s, true)", [setting, value])
    try:
        yield plans
    finally:
        raw.remove_notice_handler(keep)


def parents_analyzed_empty_then_created() -> None:
    """The statistics of a parent table analyzed while empty (as after a check's rolled-back rows
    are vacuumed), then 300 parents created and 20 children: the state in which the planner
    prefers a sequential scan for each child's check."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE shop_category")  # in this transaction: 0 rows, 0 pages
    Category.objects.bulk_create(Category(name=f"c{i}") for i in range(300))
    first = Category.objects.order_by("pk").values_list("pk", flat=True)[:20]
    Product.objects.bulk_create(
        Product(sku=f"S-{i}", name="n", price=1, category_id=pk) for i, pk in enumerate(first)
    )


PARENT_CHECK = 'FROM ONLY "public"."shop_category" x WHERE "id"'


def test_the_statistics_alone_would_scan(ri_plans: list[str]) -> None:
    """The trap is real: Django's own check, on the same tables, plans a sequential scan."""
    parents_analyzed_empty_then_created()
    connection.check_constraints()
    checks = [plan for plan in ri_plans if PARENT_CHECK in plan]
    assert len(checks) == 20
    assert all("Seq Scan" in plan for plan in checks)


def test_the_checks_run_now_and_by_index(ri_plans: list[str]) -> None:
    parents_analyzed_empty_then_created()
    check_deferred_now("default")
    checks = [plan for plan in ri_plans if PARENT_CHECK in plan]
    assert len(checks) == 20  # every child's check ran now: none is left for COMMIT
    assert all("Index Scan" in plan and "Seq Scan" not in plan for plan in checks)


@pytest.mark.parametrize("before", ["on", "off"])
def test_the_sessions_setting_is_left_as_it_was(before: str) -> None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])
        check_deferred_now("default")
        assert seqscan() == before


def dangling_then(check: Callable[[], object]) -> None:
    with transaction.atomic():
        dangling_product()
        check()


def run_with_dangling(hook: Callable[[], None]) -> None:
    with RunTransaction("default", hook) as run:
        run.open()
        dangling_product()
        run.end(commit=True)


def test_a_refused_row_is_refused_before_commit() -> None:
    with pytest.raises(IntegrityError, match="987654"):
        dangling_then(lambda: check_deferred_now("default"))
    assert not Product.objects.exists()


def test_before_commit_names_the_model_and_the_key() -> None:
    with pytest.raises(LoadError) as refused:
        dangling_then(lambda: check_before_commit("default"))
    assert str(refused.value).startswith("shop.Product: the database refused the rows:")
    assert "(category_id)=(987654)" in str(refused.value)
    assert not Product.objects.exists()


def test_the_run_refuses_before_its_hook_and_writes_nothing() -> None:
    hooked: list[str] = []
    with pytest.raises(LoadError, match="987654"):
        run_with_dangling(lambda: hooked.append("x"))
    assert hooked == []  # the job fence is never asked: the refusal came first
    assert not Product.objects.exists()
