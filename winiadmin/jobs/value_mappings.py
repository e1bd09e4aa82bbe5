"""Natural-key values that match nothing, mapped by a user to an existing row (``ValueMapping``).

A mapping is saved per importer, lookup and value, for every user of the importer, and applied
to its later uploads wherever the value still matches nothing. Each check of a job takes the
importer's saved mappings at that moment and keeps them on the job (``ImportJob.value_mappings``);
the confirm applies exactly those (a mapping saved or deleted after the check changes nothing
until the next check). Choosing a mapping invalidates the confirm like an edit does
(``edited_at``) until the job is checked again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from winiadmin.jobs.edits import EDITABLE, EditRefused
from winiadmin.models import ImportJob, ValueMapping
from winiadmin.permissions import user_id

if TYPE_CHECKING:
    from django.db.models import Model

    from winiadmin.db.lookups import ValueMappings
    from winiadmin.import_report import UnmatchedLookup
    from winiadmin.permissions import User

#: Mappings an importer may keep: past it, a new one is refused (fix the data instead).
MAX_VALUE_MAPPINGS = 10_000
#: Characters of a value that may be mapped (``ValueMapping.value``).
MAX_VALUE_LENGTH = 1000


def saved_value_mappings(importer: str) -> ValueMappings:
    """The importer's saved mappings, as ``RunOptions.value_mappings`` takes them."""
    found: dict[str, dict[str, str]] = {}
    rows = ValueMapping.objects.filter(importer=importer).values_list(
        "lookup", "value", "target_pk"
    )
    for lookup, value, pk in rows.order_by("id")[:MAX_VALUE_MAPPINGS]:
        found.setdefault(lookup, {})[value] = pk
    return found


def mappable(job: ImportJob, key: str) -> UnmatchedLookup:
    """The job's lookup ``key`` whose values matched nothing in its last check (not identifiers
    of another frame of the import, which no stored row can stand for)."""
    for unmatched in job.import_report.unmatched:
        if unmatched.key == key and not unmatched.reference and not unmatched.created:
            return unmatched
    raise EditRefused(_("The last check found no such values to map."))


def target_model(unmatched: UnmatchedLookup) -> type[Model]:
    return apps.get_model(unmatched.target)


def map_value(job: ImportJob, user: User, key: str, value: str, target_pk: str) -> ValueMapping:
    """Map ``value`` of the job's lookup ``key`` to the row ``target_pk`` of its related model,
    for this job and the importer's later uploads; the caller checks the job again."""
    if job.status not in EDITABLE or job.is_active:
        raise EditRefused(_("This import cannot be changed now: check it again first."))
    unmatched = mappable(job, key)
    if value not in {v.value for v in unmatched.values}:
        raise EditRefused(_("The last check found no such value to map."))
    model = target_model(unmatched)
    try:
        target = model._base_manager.filter(pk=target_pk).first()
    except (ValueError, ValidationError):
        target = None
    if target is None:
        raise EditRefused(_("Choose an existing %(model)s.") % {"model": unmatched.verbose_name})
    if len(value) > MAX_VALUE_LENGTH:
        raise EditRefused(_("This value is too long to be mapped: fix it in the file."))
    existing = ValueMapping.objects.filter(importer=job.importer)
    new = not existing.filter(lookup=key, value=value).exists()
    if new and existing.count() >= MAX_VALUE_MAPPINGS:
        raise EditRefused(_("This importer keeps the most value mappings it may: delete some."))
    shown = str(getattr(target, unmatched.by, target))
    with transaction.atomic():
        mapping, _created = ValueMapping.objects.update_or_create(
            importer=job.importer,
            lookup=key,
            value=value,
            defaults={
                "column": unmatched.column,
                "target_model": unmatched.target,
                "target_pk": str(target.pk),
                "target_label": shown[:1000],
                "user_id": user_id(user),
            },
        )
        job.edited_at = timezone.now()  # the last check no longer shows what a confirm runs
        ImportJob.objects.filter(pk=job.pk).update(edited_at=job.edited_at)
        uid = user_id(user)
        if uid is not None:
            message = _("Mapped %(column)s “%(value)s” to %(model)s “%(target)s”") % {
                "column": unmatched.column,
                "value": value,
                "model": unmatched.verbose_name,
                "target": shown,
            }
            LogEntry.objects.log_actions(
                user_id=uid,
                queryset=[job],
                action_flag=CHANGE,
                change_message=message,
                single_object=True,
            )
    return mapping
