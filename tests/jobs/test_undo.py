"""Undoing a finished import: exactly its rows, children first, refused with the reason."""

import threading
import time
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from shop.models import Category, Customer, Order, OrderLine, Product, Store

from tests.jobs.conftest import CSV, MakeJob
from tests.jobs.helpers import recorded_job
from tests.testapp.models import CycleA, CycleB, Leaf, Node, Place, Restaurant
from winiadmin.jobs.runner import execute_job
from winiadmin.jobs.undo import (
    Blocker,
    UndoRefused,
    _beyond_created,
    nothing_to_undo,
    plan_undo,
    undo_job,
)
from winiadmin.models import ImportJob

if TYPE_CHECKING:
    from django.db.models import Model

pytestmark = pytest.mark.django_db

ORDERS = (
    b"order_id,customer_email,customer_name,sku,quantity,unit_price\n"
    b"O-1,ada@example.com,Ada,A-1,2,1.50\n"
    b"O-1,ada@example.com,Ada,A-2,1,2.50\n"
    b"O-2,bob@example.com,Bob,A-1,1,1.50\n"
)


def imported(make_job: MakeJob, user: User, content: bytes = CSV, **kwargs: str) -> ImportJob:
    job = make_job(content, **kwargs)
    execute_job(job, skip_invalid=False, user=user)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    return job


def test_a_real_run_records_keys_and_fingerprints_frame_path(make_job: MakeJob, user: User) -> None:
    job = imported(make_job, user)
    assert job.created_counts == {"shop.Category": 1, "shop.Store": 1, "shop.Product": 2}
    assert sorted(job.created_pks["shop.Product"]) == sorted(
        str(pk) for pk in Product.objects.values_list("pk", flat=True)
    )
    assert {label: fp["count"] for label, fp in job.created_fingerprints.items()} == (
        job.created_counts
    )


def test_a_real_run_records_keys_and_fingerprints_instance_path(
    make_job: MakeJob, user: User
) -> None:
    imported(make_job, user)
    job = imported(make_job, user, ORDERS, importer="shop.orders")
    assert job.created_counts == {"shop.Customer": 2, "shop.Order": 2, "shop.OrderLine": 3}
    assert sorted(job.created_pks["shop.OrderLine"]) == sorted(
        str(pk) for pk in OrderLine.objects.values_list("pk", flat=True)
    )
    assert job.created_fingerprints["shop.Order"]["count"] == 2


def test_undo_deletes_exactly_the_created_rows(make_job: MakeJob, user: User) -> None:
    toys = Category.objects.create(name="Toys")
    kept = Product.objects.create(sku="OLD-1", name="Old", price=Decimal(1), category=toys)
    job = imported(make_job, user)
    assert Product.objects.count() == 3

    plan = plan_undo(job)
    assert plan.allowed, plan.blockers
    assert [undo.label for undo in plan.models] == ["shop.Product", "shop.Store", "shop.Category"]
    assert plan.deletes == {"shop.Product": 2, "shop.Store": 1, "shop.Category": 1}
    assert plan.cascades == {}
    assert sorted(plan.models[0].sample) == ["Other", "Thing"]
    assert Product.objects.count() == 3  # the preview deleted nothing

    result = undo_job(job, user)
    assert result.deleted == {"shop.Product": 2, "shop.Store": 1, "shop.Category": 1}
    assert result.total == 4
    assert list(Product.objects.all()) == [kept]
    assert list(Category.objects.all()) == [toys]
    assert not Store.objects.exists()
    job.refresh_from_db()
    assert job.is_undone and job.undone_by == user
    assert job.status == ImportJob.Status.SUCCEEDED  # the history keeps what the run did
    log = LogEntry.objects.filter(object_id=str(job.pk)).latest("action_time")
    assert log.change_message.startswith("Undid the import of data.csv: deleted 2 products")


def test_undo_of_a_chain_goes_children_first_and_leaves_referenced_rows(
    make_job: MakeJob, user: User
) -> None:
    imported(make_job, user)
    job = imported(make_job, user, ORDERS, importer="shop.orders")
    plan = plan_undo(job)
    assert [u.label for u in plan.models] == ["shop.OrderLine", "shop.Order", "shop.Customer"]
    undo_job(job, user)
    assert not OrderLine.objects.exists()
    assert not Order.objects.exists()
    assert not Customer.objects.exists()
    assert Product.objects.count() == 2  # pointed at by the order lines, not created by them


def test_refused_when_a_created_row_was_changed(make_job: MakeJob, user: User) -> None:
    job = imported(make_job, user)
    Product.objects.filter(sku="A-1").update(price=Decimal("9.99"))
    plan = plan_undo(job)
    assert not plan.allowed
    assert [b.message for b in plan.blockers] == [
        "Products this import created were changed since; undoing it would delete those changes. "
        "At least one of its 2 rows changed; which ones cannot be told, as they are checked as a "
        "whole."
    ]
    assert plan.blockers[0].examples == ()
    assert plan.deletes == {}
    with pytest.raises(UndoRefused, match="changed since"):
        undo_job(job, user)
    assert Product.objects.count() == 2
    job.refresh_from_db()
    assert not job.is_undone


def test_refused_when_a_created_row_was_deleted(make_job: MakeJob, user: User) -> None:
    job = imported(make_job, user)
    Product.objects.filter(sku="A-2").delete()
    plan = plan_undo(job)
    assert [b.message for b in plan.blockers] == [
        "1 of the 2 products this import created was deleted since."
    ]


def test_refused_when_other_data_references_a_created_row(make_job: MakeJob, user: User) -> None:
    job = imported(make_job, user)
    books = Category.objects.get(name="Books")
    Product.objects.create(sku="NEW-1", name="Newer", price=Decimal(3), category=books)
    plan = plan_undo(job)
    assert len(plan.blockers) == 1
    blocker = plan.blockers[0]
    assert blocker.message == (
        "1 product not created by this import points at categories it created "
        "(field “category”) and would block the deletion (PROTECT)."
    )
    assert blocker.examples == ("Newer",)
    with pytest.raises(UndoRefused):
        undo_job(job, user)
    assert Product.objects.count() == 3 and Category.objects.count() == 1


def test_cascades_onto_other_data_are_refused_and_named(db: None) -> None:
    node = Node.objects.create(name="imported")
    job = recorded_job({Node: [node]})
    Leaf.objects.create(node=node, label="added later")
    plan = plan_undo(job)
    assert [b.message for b in plan.blockers] == [
        "1 leaf not created by this import points at nodes it created (field “node”) and "
        "would be deleted with them."
    ]
    assert plan.blockers[0].examples == (str(Leaf.objects.get()),)
    # The counts the page shows beside the reason: the leaf would be deleted with the node.
    assert plan.referencing == {"testapp.Leaf": 1}


def test_cascades_within_the_import_are_fine(db: None) -> None:
    root = Node.objects.create(name="root")
    child = Node.objects.create(name="child", parent=root)
    leaf = Leaf.objects.create(node=child, label="leaf")
    job = recorded_job({Node: [root, child], Leaf: [leaf]})
    assert plan_undo(job).allowed
    assert undo_job(job).deleted == {"testapp.Leaf": 1, "testapp.Node": 2}
    assert not Node.objects.exists()


def test_multi_table_parents_are_shown_as_cascades(db: None) -> None:
    Place.objects.create(name="kept")
    pizza = Restaurant.objects.create(name="Pizza", serves_pizza=True)
    job = recorded_job({Restaurant: [pizza]})
    plan = plan_undo(job)
    assert plan.allowed, plan.blockers
    assert plan.deletes == {"testapp.Restaurant": 1, "testapp.Place": 1}
    assert plan.cascades == {"testapp.Place": 1}
    assert plan.labels == ["testapp.Restaurant", "testapp.Place"]
    undo_job(job)
    assert list(Place.objects.values_list("name", flat=True)) == ["kept"]


def test_a_change_between_preview_and_confirm_is_caught(make_job: MakeJob, user: User) -> None:
    job = imported(make_job, user)
    assert plan_undo(job).allowed  # the preview
    Store.objects.filter(name="Online").update(city="Elsewhere")  # meanwhile
    with pytest.raises(UndoRefused, match="Stores this import created were changed since"):
        undo_job(job, user)
    assert Store.objects.count() == 1 and Product.objects.count() == 2


def test_only_once_and_only_succeeded_imports(make_job: MakeJob, user: User) -> None:
    job = imported(make_job, user)
    undo_job(job, user)
    assert [b.message for b in plan_undo(job).blockers] == ["This import was already undone."]
    with pytest.raises(UndoRefused, match="already undone"):
        undo_job(job, user)

    validated = make_job()
    assert [b.message for b in plan_undo(validated).blockers] == [
        "Only an import that succeeded can be undone."
    ]


def test_changed_rows_are_named_from_the_admin_history(make_job: MakeJob, user: User) -> None:
    job = imported(make_job, user)
    thing = Product.objects.get(sku="A-1")
    Product.objects.filter(pk=thing.pk).update(name="Renamed in the admin")
    LogEntry.objects.log_actions(
        user_id=user.pk, queryset=[thing], action_flag=2, change_message="Changed name."
    )
    blocker = plan_undo(job).blockers[0]
    assert blocker.message == (
        "Products this import created were changed since; undoing it would delete those changes. "
        "1 of the 2 is known to have changed (from the admin's history or a modification time), "
        "maybe more."
    )
    assert blocker.examples == ("Renamed in the admin",)


def test_an_update_only_import_has_nothing_to_undo(make_job: MakeJob, user: User) -> None:
    imported(make_job, user)
    again = imported(make_job, user, CSV.replace(b"1.50", b"1.75"))  # updated, none created
    assert not any(again.created_counts.values())
    reason = (
        "This import only updated existing rows and created none; their old values were not "
        "kept, so there is nothing to undo."
    )
    assert nothing_to_undo(again) == reason
    assert [b.message for b in plan_undo(again).blockers] == [reason]


def test_refused_without_keys_or_fingerprints(make_job: MakeJob, user: User) -> None:
    job = imported(make_job, user)
    job.created_pks.pop("shop.Store")
    job.created_fingerprints.pop("shop.Category")
    plan = plan_undo(job)
    assert [b.message for b in plan.blockers] == [
        "shop.Store: the keys of the created rows were not recorded (the database could not "
        "report them), so they cannot be told apart from other rows.",
        "shop.Category: no fingerprint of the created rows was taken, so changes since the "
        "import cannot be ruled out.",
    ]


def test_an_import_that_created_nothing(db: None) -> None:
    job = recorded_job({})
    assert [b.message for b in plan_undo(job).blockers] == [
        "This import created no rows, so there is nothing to undo."
    ]
    assert nothing_to_undo(job) == "This import created no rows, so there is nothing to undo."


def test_set_null_references_are_refused_too(db: None) -> None:
    """Deleting would quietly change another row (its key set to NULL): refused as well."""
    first = CycleA.objects.create()
    b = CycleB.objects.create(a=first)
    job = recorded_job({CycleB: [b]})
    CycleA.objects.create(b=b)
    assert [m.message for m in plan_undo(job).blockers] == [
        "1 cycle a not created by this import points at cycle bs it created (field “b”) and "
        "would be left without a b."
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite lets one writer in at a time: no race"
)
def test_a_concurrent_change_is_waited_for_then_refuses(
    transactional_db: None, make_job: MakeJob, user: User
) -> None:
    """Another transaction changes a created row while the undo starts: the undo waits for its
    row lock, then sees the change and refuses (without the lock it would delete the row)."""
    job = imported(make_job, user)
    changing, done = threading.Event(), threading.Event()

    def change_slowly() -> None:
        try:
            with transaction.atomic():
                Product.objects.filter(sku="A-1").update(price=Decimal("7.77"))
                changing.set()
                time.sleep(1)
        finally:
            connections.close_all()
            done.set()

    other = threading.Thread(target=change_slowly)
    other.start()
    assert changing.wait(10)
    started = time.monotonic()
    with pytest.raises(UndoRefused, match="Products this import created were changed since"):
        undo_job(job, user)
    assert time.monotonic() - started > 0.5  # it waited for the other transaction
    other.join(10)
    assert done.is_set()
    assert Product.objects.get(sku="A-1").price == Decimal("7.77")
    assert Product.objects.count() == 2


def test_a_deletion_removing_more_than_the_import_created_is_refused(db: None) -> None:
    """The last safety net (generic relations and the like): counts beyond the created rows."""
    node = Node.objects.create(name="imported")
    plan = plan_undo(recorded_job({Node: [node]}))
    assert plan.deletes == {"testapp.Node": 1} and plan.measured
    assert _beyond_created(plan, {"testapp.Node": 1}) == []
    assert _beyond_created(plan, {"testapp.Node": 1, "testapp.Leaf": 3}) == [
        Blocker("Deleting would also remove 3 testapp.Leaf rows this import did not create.")
    ]


def test_large_imports_are_counted_not_rehearsed(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("winiadmin.jobs.undo.MEASURE_LIMIT", 1)
    Place.objects.create(name="kept")
    restaurants: list[Model] = [Restaurant.objects.create(name=n) for n in "AB"]
    job = recorded_job({Restaurant: restaurants})
    plan = plan_undo(job)
    assert plan.allowed and not plan.measured
    assert plan.deletes == {"testapp.Restaurant": 2, "testapp.Place": 2}
    assert plan.cascades == {"testapp.Place": 2}
    assert undo_job(job).deleted == {"testapp.Restaurant": 2, "testapp.Place": 2}


def test_an_upsert_undo_deletes_the_created_rows_and_says_the_updates_stay(
    make_job: MakeJob, user: User
) -> None:
    imported(make_job, user)
    again = CSV.replace(b"A-1,Thing,1.50", b"A-1,Thing,9.99") + b"A-3,New,3.00,1,Books,,\n"
    job = imported(make_job, user, again)
    assert job.created_counts["shop.Product"] == 1
    plan = plan_undo(job)
    assert plan.allowed, plan.blockers
    assert plan.updated == {"shop.Product": 1}
    undo_job(job, user)
    assert set(Product.objects.values_list("sku", flat=True)) == {"A-1", "A-2"}
    assert Product.objects.get(sku="A-1").price == Decimal("9.99")  # the update stays
