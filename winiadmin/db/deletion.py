"""Chunked deletion, and a preview of what a deletion would remove (cascades included)."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import batched
from typing import Any

from django.db import router, transaction
from django.db.models import Model
from django.db.models.deletion import Collector, ProtectedError, RestrictedError

from winiadmin.db.common import STANDARD_BULK_SIZE, check_step, pk_is_set, refused_as_load_error
from winiadmin.db.graph import describe_instance
from winiadmin.exceptions import LoadError


def bulk_delete_in_steps[TModel: Model](
    model: type[TModel],
    bulk: Iterable[TModel],
    step: int = STANDARD_BULK_SIZE,
    *,
    using: str | None = None,
) -> tuple[int, dict[str, int]]:
    """Delete ``bulk`` by primary key, ``step`` rows per query, all or nothing.

    Returns what ``QuerySet.delete()`` returns, summed over the chunks: the total and the count
    per model label (cascaded rows included).
    """
    check_step(step)
    db = using or router.db_for_write(model)
    total = 0
    per_label: Counter[str] = Counter()
    with transaction.atomic(using=db), refused_as_load_error(model), _blocked_as_load_error():
        for chunk in batched(bulk, step):
            queryset = model._base_manager.db_manager(db).filter(pk__in=_saved_pks(model, chunk))
            deleted, counts = queryset.delete()
            total += deleted
            per_label.update(counts)
    return total, dict(per_label)


def delete_keys_in_steps(
    model: type[Model],
    keys: Sequence[Any],
    step: int = STANDARD_BULK_SIZE,
    *,
    using: str | None = None,
) -> tuple[int, dict[str, int]]:
    """:func:`bulk_delete_in_steps` given primary keys rather than instances (none is built)."""
    check_step(step)
    db = using or router.db_for_write(model)
    total = 0
    per_label: Counter[str] = Counter()
    with transaction.atomic(using=db), refused_as_load_error(model), _blocked_as_load_error():
        for chunk in batched(keys, step):
            deleted, counts = model._base_manager.db_manager(db).filter(pk__in=chunk).delete()
            total += deleted
            per_label.update(counts)
    return total, dict(per_label)


def _saved_pks(model: type[Model], chunk: Sequence[Model]) -> list[Any]:
    """The chunk's primary keys; a row that was never saved cannot be deleted, so it is an error."""
    unsaved = next((obj for obj in chunk if not pk_is_set(obj)), None)
    if unsaved is not None:
        described = describe_instance(unsaved)
        msg = f"{model._meta.label}: cannot delete a row that was never saved ({described})."
        raise LoadError(msg)
    return [obj.pk for obj in chunk]


def simulate_bulk_deletion[TModel: Model](
    model_class: type[TModel], entries: list[TModel], *, using: str | None = None
) -> dict[type[Model], set[Model]]:
    """What deleting ``entries`` would remove, cascades included, grouped by model; deletes nothing.

    Rows that would only be changed (``SET_NULL``, ``SET_DEFAULT``) are not listed.
    """
    entries_by_model: dict[type[Model], list[Model]] = {model_class: list(entries)}
    return multi_simulate_bulk_deletion(entries_by_model, using=using)


def multi_simulate_bulk_deletion(
    entries: Mapping[type[Model], list[Model]], *, using: str | None = None
) -> dict[type[Model], set[Model]]:
    """:func:`simulate_bulk_deletion` for several models at once, merged into one answer."""
    models = [model for model, objs in entries.items() if objs]
    if not models:
        return {}
    # One collector for all models, as one deletion would use: each row is listed once.
    collector = Collector(using=using or router.db_for_write(models[0]))
    with _blocked_as_load_error():
        for model in models:
            collector.collect(entries[model])
    doomed: defaultdict[type[Model], set[Model]] = defaultdict(set)
    for model, instances in collector.data.items():
        doomed[model].update(instances)
    # Fast deletes are querysets Django would delete without loading; load them to list them.
    for queryset in collector.fast_deletes:
        doomed[queryset.model].update(queryset)
    return dict(doomed)


@contextmanager
def _blocked_as_load_error() -> Iterator[None]:
    """PROTECT / RESTRICT refusals become a LoadError that counts the blocking rows per model."""
    try:
        yield
    except ProtectedError as exc:
        raise LoadError(_blocked_message(exc.protected_objects)) from exc
    except RestrictedError as exc:
        raise LoadError(_blocked_message(exc.restricted_objects)) from exc


def _blocked_message(blocking: Iterable[Model]) -> str:
    counts = Counter(obj._meta.label for obj in blocking)
    listing = ", ".join(
        f"{count} {label} row{'' if count == 1 else 's'}" for label, count in sorted(counts.items())
    )
    return (
        "These rows cannot be deleted: other rows point at them through a protected foreign key "
        f"(on_delete=PROTECT or RESTRICT): {listing}. Delete or change those rows first."
    )
