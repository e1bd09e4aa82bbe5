"""The created rows' fingerprint: any change to any field, or a deletion, stops the undo."""

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from shop.models import Category, Product, Store

from tests.jobs.helpers import recorded_job
from tests.testapp.models import CorpusItem, Place, Restaurant, StockLevel, Tag, UUIDParent
from winiadmin.jobs.digests import LEGACY
from winiadmin.jobs.fingerprint import current_algorithm, fingerprint, fingerprint_created
from winiadmin.jobs.keys import KeyList, KeyRange, key_segments, python_keys
from winiadmin.jobs.undo import Blocker, plan_undo, undo_job
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

CHANGED = "this import created were changed since; undoing it would delete those changes."


def first_sentences(blockers: list[Blocker]) -> list[str]:
    """Each reason up to "those changes." (how many rows changed follows: see test_undo)."""
    return [b.message.split(" changes. ")[0] + " changes." for b in blockers]


def products() -> list[Model]:
    books = Category.objects.create(name="Books")
    online = Store.objects.create(name="Online")
    return [
        Product.objects.create(
            sku="Ä-1",
            name="Crème brûlée 東京 🍮",
            price=Decimal("1234567890.12"),
            quantity=-3,
            category=books,
            store=online,
            available_from=date(2026, 1, 2),
            created_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        ),
        Product.objects.create(sku=None, name="", price=Decimal("0.10")),
    ]


def later(row: Model, field: str) -> Any:
    value = getattr(row, field)
    return value + timedelta(microseconds=1) if isinstance(value, datetime) else value


# (field, new value) for the first product: every field type of the demo model, both ways
# between NULL and a value, and changes invisible to a careless text form.
PRODUCT_CHANGES: list[tuple[str, Callable[[], Any]]] = [
    ("sku", lambda: "A-1"),  # Ä → A
    ("sku", lambda: None),
    ("name", lambda: "Crème brûlée 東京 🍮 "),  # a trailing space
    ("name", lambda: "Creme brulee 東京 🍮"),
    ("price", lambda: Decimal("1234567890.13")),
    ("quantity", lambda: 3),
    ("category", lambda: None),  # a nullable foreign key emptied
    ("store", lambda: Store.objects.create(name="Other")),
    ("available_from", lambda: date(2026, 1, 3)),
    ("available_from", lambda: None),
    ("created_at", lambda: datetime(2026, 1, 2, 3, 4, 5, 678902, tzinfo=UTC)),
]


@pytest.mark.parametrize(("field", "value"), PRODUCT_CHANGES, ids=[f for f, _ in PRODUCT_CHANGES])
def test_any_changed_field_stops_the_undo(field: str, value: Callable[[], Any]) -> None:
    created = products()
    job = recorded_job({Product: created})
    Product.objects.filter(pk=created[0].pk).update(**{field: value()})
    plan = plan_undo(job)
    assert first_sentences(plan.blockers) == [f"Products {CHANGED}"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("sku", ""), ("name", "x"), ("price", Decimal("0.11")), ("category", "books")],
)
def test_changes_to_the_row_with_nulls_and_empty_text_are_seen(field: str, value: Any) -> None:
    created = products()
    job = recorded_job({Product: created})
    if value == "books":
        value = Category.objects.get()
    Product.objects.filter(pk=created[1].pk).update(**{field: value})  # NULL → "" and the like
    assert first_sentences(plan_undo(job).blockers) == [f"Products {CHANGED}"]


@pytest.mark.parametrize(
    ("model", "make", "change"),
    [
        (
            CorpusItem,
            lambda: CorpusItem.objects.create(code="c", name="n", quantity=2**40, price=None),
            {"quantity": 2**40 + 1},
        ),
        (
            CorpusItem,
            lambda: CorpusItem.objects.create(code="c", name="n", price=Decimal("1.00")),
            {"price": None},
        ),
        (
            StockLevel,
            lambda: StockLevel.objects.create(warehouse="w", code="c", quantity=1),
            {"counted_at": datetime(2026, 5, 6, tzinfo=UTC)},
        ),
        (
            UUIDParent,
            lambda: UUIDParent.objects.create(name="n"),
            {"name": "N"},
        ),
        (  # a field of the multi-table parent's table, and one of the child's
            Restaurant,
            lambda: Restaurant.objects.create(name="Pizza", serves_pizza=True),
            {"name": "Pasta"},
        ),
        (
            Restaurant,
            lambda: Restaurant.objects.create(name="Pizza", serves_pizza=True),
            {"serves_pizza": False},
        ),
    ],
    ids=["bigint", "decimal-null", "datetime-null", "uuid-key", "parent-field", "bool"],
)
def test_other_field_types(
    model: type[Model], make: Callable[[], Model], change: dict[str, Any]
) -> None:
    row = make()
    job = recorded_job({model: [row]})
    assert plan_undo(job).allowed
    if "name" in change and model is Restaurant:
        Place.objects.filter(pk=row.pk).update(**change)
    else:
        model._base_manager.filter(pk=row.pk).update(**change)
    assert first_sentences(plan_undo(job).blockers) == [
        f"{str(model._meta.verbose_name_plural).capitalize()} {CHANGED}"
    ]


def test_unchanged_rows_are_undone() -> None:
    job = recorded_job({Product: products()})
    assert job.created_fingerprints["shop.Product"]["algorithm"] == current_algorithm("default")
    assert plan_undo(job).allowed
    assert undo_job(job).deleted == {"shop.Product": 2}
    assert not Product.objects.exists()


def test_a_deleted_row_stops_the_undo() -> None:
    created = products()
    job = recorded_job({Product: created})
    Product.objects.filter(pk=created[1].pk).delete()
    assert [b.message for b in plan_undo(job).blockers] == [
        "1 of the 2 products this import created was deleted since."
    ]


def test_keys_in_ranges_and_lists_select_exactly_the_created_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Runs of consecutive keys are read as ranges: a row inside a gap is not the import's."""
    monkeypatch.setattr("winiadmin.jobs.keys.MIN_RUN", 3)
    monkeypatch.setattr("winiadmin.jobs.keys.MAX_RUN", 4)
    tags = [Tag.objects.create(name=f"t{i}") for i in range(12)]
    created: list[Model] = [
        t for i, t in enumerate(tags) if i not in (5, 9)
    ]  # runs 0-4, 6-8 and 10-11
    keys = python_keys(Tag, [str(t.pk) for t in created])
    segments = key_segments(keys, 1000)
    assert [type(s) for s in segments] == [KeyRange, KeyRange, KeyRange, KeyList]
    job = recorded_job({Tag: created})
    Tag.objects.filter(pk=tags[5].pk).update(name="not the import's")
    assert plan_undo(job).allowed
    Tag.objects.filter(pk=tags[7].pk).update(name="changed")
    assert first_sentences(plan_undo(job).blockers) == [f"Tags {CHANGED}"]
    Tag.objects.filter(pk=tags[11].pk).update(name="changed too")
    assert not plan_undo(job).allowed


def test_key_segments() -> None:
    keys = [*range(1, 2001), 2003, 2005, *range(3000, 4200)]
    assert key_segments(keys, 100) == [
        KeyRange(1, 2000),
        KeyList((2003, 2005)),
        KeyRange(3000, 4199),
    ]
    assert key_segments(list(range(120_001)), 100) == [
        KeyRange(0, 49_999),
        KeyRange(50_000, 99_999),
        KeyRange(100_000, 120_000),
    ]
    ids = sorted(uuid.uuid4() for _ in range(5))
    assert key_segments(ids, 2) == [
        KeyList(tuple(ids[:2])),
        KeyList(tuple(ids[2:4])),
        KeyList((ids[4],)),
    ]
    assert key_segments([], 10) == []


def test_the_digest_is_the_same_however_the_keys_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ranges or lists, the fingerprint of the same rows is the same (it is taken at import time
    and again at undo time, maybe with other limits)."""
    tags = [Tag.objects.create(name=f"t{i}") for i in range(10)]
    keys = sorted(t.pk for t in tags)
    as_ranges = fingerprint(Tag, keys)
    monkeypatch.setattr("winiadmin.jobs.keys.MIN_RUN", 10**9)
    as_lists = fingerprint(Tag, keys)
    assert as_ranges.count == as_lists.count == 10
    if connection.vendor == "sqlite":  # PostgreSQL hashes per query: the reading is the format
        assert as_ranges == as_lists


def legacy_job(model: type[Model], created: list[Model]) -> ImportJob:
    """A job fingerprinted before fingerprints named their algorithm (no "algorithm" key)."""
    job = recorded_job({model: created})
    keys = python_keys(model, job.created_pks[model._meta.label])
    taken = fingerprint(model, keys, algorithm=LEGACY).as_json()
    del taken["algorithm"]
    job.created_fingerprints[model._meta.label] = taken
    job.save()
    return job


def test_a_job_fingerprinted_the_old_way_is_checked_the_old_way() -> None:
    created = products()
    job = legacy_job(Product, created)
    assert "algorithm" not in job.created_fingerprints["shop.Product"]
    assert plan_undo(job).allowed
    Product.objects.filter(pk=created[0].pk).update(quantity=4)
    assert first_sentences(plan_undo(job).blockers) == [f"Products {CHANGED}"]
    Product.objects.filter(pk=created[0].pk).update(quantity=-3)  # back as it was
    assert undo_job(job).deleted == {"shop.Product": 2}


def test_an_algorithm_this_database_cannot_compute_stops_the_undo() -> None:
    node = Tag.objects.create(name="t")
    job = recorded_job({Tag: [node]})
    other = "postgresql-rows/2" if connection.vendor == "sqlite" else "sqlite-rows/2"
    job.created_fingerprints["testapp.Tag"]["algorithm"] = other
    assert [b.message for b in plan_undo(job).blockers] == [
        f"testapp.Tag: the fingerprint of the created rows was taken with {other}, which this "
        "database cannot compute, so changes since the import cannot be ruled out."
    ]


def test_fingerprint_created_by_label() -> None:
    created = products()
    prints = fingerprint_created({"shop.Product": [str(p.pk) for p in created]})
    assert prints["shop.Product"]["count"] == 2
    assert prints["shop.Product"]["algorithm"] == current_algorithm("default")
