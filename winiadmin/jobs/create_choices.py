"""Natural-key values that match nothing, chosen one by one in the preview to be created.

Where a lookup allows creating its related rows (``Lookup(create=True)``, an importer's
``create_missing``), a user may choose, per value, to create it (``choose_create``) or take that
choice back (``take_back_create``). The choices are kept on the job (``ImportJob.create_values``,
what ``RunOptions.create_values`` takes): an edit of the job like a value mapping, never of the
upload, that invalidates the confirm (``edited_at``) until the job is checked again; the check
and the confirm create exactly those values. Unlike a mapping, a choice is never remembered for
the importer's later uploads: creating a row is done once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from winiadmin.jobs.edits import EDITABLE, EditRefused
from winiadmin.jobs.value_mappings import MAX_VALUE_LENGTH, mappable
from winiadmin.models import ImportJob
from winiadmin.permissions import user_id

if TYPE_CHECKING:
    from winiadmin.import_report import UnmatchedLookup
    from winiadmin.permissions import User

#: Values a job may have chosen to create, over all its lookups.
MAX_CREATE_VALUES = 10_000


def creatable(job: ImportJob, key: str) -> UnmatchedLookup:
    """The job's lookup ``key`` whose values matched nothing in its last check and may be
    created (``EditRefused`` otherwise)."""
    unmatched = mappable(job, key)
    if not unmatched.can_create:
        raise EditRefused(_("This importer does not create these rows."))
    return unmatched


def chosen_lookup(job: ImportJob, key: str) -> UnmatchedLookup:
    """The lookup ``key`` as the last check reported it (created values or not)."""
    for unmatched in job.import_report.unmatched:
        if unmatched.key == key and not unmatched.reference and unmatched.can_create:
            return unmatched
    raise EditRefused(_("The last check found no such values to create."))


def choose_create(job: ImportJob, user: User, key: str, value: str) -> UnmatchedLookup:
    """Create ``value`` of the job's lookup ``key`` when the job runs (its check first)."""
    _editable(job)
    unmatched = creatable(job, key)
    if value not in {v.value for v in unmatched.values}:
        raise EditRefused(_("The last check found no such value to create."))
    if len(value) > MAX_VALUE_LENGTH:
        raise EditRefused(_("This value is too long to be created: fix it in the file."))
    message = _("Chose to create %(model)s “%(value)s” (%(column)s)")
    _change(job, user, key, value, add=True, message=_text(message, unmatched, value))
    return unmatched


def take_back_create(job: ImportJob, user: User, key: str, value: str) -> UnmatchedLookup:
    """Undo ``choose_create``: ``value`` matches nothing again (its rows are errors)."""
    _editable(job)
    if value not in job.create_values.get(key, []):
        raise EditRefused(_("This value was not chosen to be created."))
    unmatched = chosen_lookup(job, key)
    message = _("Took back creating %(model)s “%(value)s” (%(column)s)")
    _change(job, user, key, value, add=False, message=_text(message, unmatched, value))
    return unmatched


def _text(message: str, unmatched: UnmatchedLookup, value: str) -> str:
    return message % {"model": unmatched.verbose_name, "value": value, "column": unmatched.column}


def _editable(job: ImportJob) -> None:
    if job.status not in EDITABLE or job.is_active:
        raise EditRefused(_("This import cannot be changed now: check it again first."))


def _change(  # noqa: PLR0913 - keyword-only: the choice and how the admin log tells it
    job: ImportJob, user: User, key: str, value: str, *, add: bool, message: str
) -> None:
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        chosen: dict[str, list[str]] = {k: list(v) for k, v in locked.create_values.items()}
        values = chosen.setdefault(key, [])
        if add and value not in values:
            if sum(len(v) for v in chosen.values()) >= MAX_CREATE_VALUES:
                raise EditRefused(_("This import has the most values to create it may."))
            values.append(value)
        elif not add and value in values:
            values.remove(value)
        chosen = {k: v for k, v in chosen.items() if v}
        job.create_values = chosen
        job.edited_at = timezone.now()  # the last check no longer shows what a confirm runs
        ImportJob.objects.filter(pk=job.pk).update(create_values=chosen, edited_at=job.edited_at)
        uid = user_id(user)
        if uid is not None:
            LogEntry.objects.log_actions(
                user_id=uid,
                queryset=[job],
                action_flag=CHANGE,
                change_message=message,
                single_object=True,
            )
