"""Undo a finished import: delete exactly the rows it created, children before parents.

``plan_undo`` says what an undo would delete and what stops it; ``undo_job`` does it in one
transaction after checking the plan again with the rows locked, so that a change between the
preview and the confirmation is caught. The undo refuses (with the reason) when

- the job did not create anything that can be told apart (not a succeeded run, keys unknown);
- rows it created were deleted or changed since (their fingerprint no longer matches);
- rows it did not create point at rows it created (whatever their ``on_delete``: a cascade or a
  ``SET_NULL`` would change other people's data, a ``PROTECT`` would stop the deletion).

It is all or nothing: an undo of "the rest" after someone deleted a few rows is refused too, since
nobody can tell any more what the remaining rows mean.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import router, transaction
from django.db.models import DateTimeField, ForeignKey, Model
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

from winiadmin.db.deletion import delete_keys_in_steps
from winiadmin.db.graph import concrete, topological_sort_models
from winiadmin.db.key_runs import stored_count, stored_keys
from winiadmin.exceptions import LoadError, WiniadminError
from winiadmin.jobs.fingerprint import Fingerprint, UnknownAlgorithm, fingerprint
from winiadmin.jobs.keys import in_chunks, key_chunks, keys_per_query, python_keys
from winiadmin.models import ImportJob
from winiadmin.permissions import user_id
from winiadmin.signals import import_undone

if TYPE_CHECKING:
    from winiadmin.permissions import User

#: Rows shown as examples of what would be deleted or what stops the undo.
SAMPLE_SIZE = 5
#: Up to this many rows the preview rehearses the deletion (and rolls it back) to count what it
#: removes; above, it counts from the keys (a rehearsal would take as long as the undo itself).
MEASURE_LIMIT = 20_000


class UndoRefused(WiniadminError):
    """The import cannot be undone; ``plan.blockers`` say why."""

    def __init__(self, plan: UndoPlan) -> None:
        self.plan = plan
        super().__init__(" ".join(blocker.message for blocker in plan.blockers))


@dataclass(frozen=True, slots=True)
class Blocker:
    """One reason the undo cannot run, with a few rows that show it."""

    message: str
    examples: tuple[str, ...] = ()


@dataclass(slots=True)
class ModelUndo:
    """The rows of one model the import created, to delete."""

    model: type[Model]
    keys: list[Any]
    sample: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)


@dataclass(slots=True)
class UndoPlan:
    job: ImportJob
    #: Children before parents: the order of deletion.
    models: list[ModelUndo] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    #: Rows per model label the deletion removes, cascades included: measured by a deletion that
    #: is rolled back (``measured``), or counted from the keys; empty when blocked.
    deletes: dict[str, int] = field(default_factory=dict)
    measured: bool = False
    #: Rows per model label the import updated (upsert): the undo deletes created rows only and
    #: leaves these as the import left them (their old values are not kept).
    updated: dict[str, int] = field(default_factory=dict)
    #: Rows the import did not create that a deletion would take with it (``CASCADE`` foreign
    #: keys onto created rows), per model label: what blocks the undo, shown beside its counts.
    referencing: dict[str, int] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return not self.blockers

    @property
    def cascades(self) -> dict[str, int]:
        """Rows removed beyond those listed (multi-table parents, for instance), per label."""
        planned = {undo.label: len(undo.keys) for undo in self.models}
        return {
            label: n - planned.get(label, 0)
            for label, n in self.deletes.items()
            if n > planned.get(label, 0)
        }

    @property
    def labels(self) -> list[str]:
        """Every model the undo deletes rows of (for the delete permissions): the created ones,
        their multi-table parents (deleted with them), and whatever else was measured."""
        created = [
            model._meta.label
            for undo in self.models
            for model in [undo.model, *undo.model._meta.get_parent_list()]
        ]
        return list(dict.fromkeys([*created, *self.deletes]))


@dataclass(frozen=True, slots=True)
class UndoResult:
    job: ImportJob
    #: Rows deleted per model label, cascades included.
    deleted: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def plan_undo(job: ImportJob, *, measure: bool = True, lock: bool = False) -> UndoPlan:
    """What undoing ``job`` would delete, and every reason it cannot (nothing is changed).

    ``measure``: count what the deletion removes by running it and rolling it back (the cascade
    preview). ``lock``: lock the created rows first (``SELECT … FOR UPDATE`` where the database
    has it), for a check that must still hold when the deletion follows in the same transaction.
    """
    plan = UndoPlan(job)
    plan.updated = job.import_report.updated_models
    if not _job_can_be_undone(job, plan):
        return plan
    plan.models = _created_models(job, plan)
    for undo in plan.models:
        if lock:
            for queryset in in_chunks(undo.model, undo.keys):
                list(queryset.select_for_update().values_list("pk", flat=True))
        _check_unchanged(job, undo, plan)
    _check_references(plan)
    if plan.allowed and measure:
        if sum(len(undo.keys) for undo in plan.models) <= MEASURE_LIMIT:
            _measure(plan)
        else:
            plan.deletes = _counted(plan)
    return plan


def undo_job(job: ImportJob, user: User | None = None) -> UndoResult:
    """Delete the rows ``job`` created, all or nothing; raises :class:`UndoRefused` if blocked."""
    with transaction.atomic(using=router.db_for_write(ImportJob)):
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        plan = plan_undo(locked, measure=False, lock=True)
        if not plan.allowed:
            raise UndoRefused(plan)
        deleted = _delete(plan)
        _refuse_if_more_than_created(plan, deleted)  # rolls the deletion back
        locked.undone_at = timezone.now()
        locked.undone_by_id = user_id(user)
        locked.save(update_fields=["undone_at", "undone_by", "updated_at"])
        _log(locked, user, deleted)
        import_undone.send(sender=ImportJob, job=locked, deleted=deleted)  # commits with it
    job.refresh_from_db()
    return UndoResult(job, deleted)


# -- the checks ----------------------------------------------------------------------------


def nothing_to_undo(job: ImportJob) -> str | None:
    """Why the job has nothing an undo could do (already undone, not run, only updates), or
    ``None`` when an undo is worth offering (it may still be refused, see :func:`plan_undo`)."""
    if job.is_undone:
        return _("This import was already undone.")
    if job.status != ImportJob.Status.SUCCEEDED:
        return _("Only an import that succeeded can be undone.")
    if not any(job.created_counts.values()):
        if job.import_report.updated_models:
            return _(
                "This import only updated existing rows and created none; their old values "
                "were not kept, so there is nothing to undo."
            )
        return _("This import created no rows, so there is nothing to undo.")
    return None


def _job_can_be_undone(job: ImportJob, plan: UndoPlan) -> bool:
    reason = nothing_to_undo(job)
    if reason is not None:
        plan.blockers.append(Blocker(reason))
    return plan.allowed


def _created_models(job: ImportJob, plan: UndoPlan) -> list[ModelUndo]:
    undos: dict[type[Model], ModelUndo] = {}
    # Sorted: PostgreSQL's jsonb does not keep the keys' order, and the order should not vary.
    for label, count in sorted(job.created_counts.items()):
        if not count:
            continue
        try:
            model = apps.get_model(label)
        except LookupError:
            plan.blockers.append(
                Blocker(_("The model %(label)s no longer exists.") % {"label": label})
            )
            continue
        keys = job.created_pks.get(label)  # a list of keys, or ranges (a streamed run)
        if stored_count(keys) != count:
            plan.blockers.append(Blocker(_keys_unknown(label)))
            continue
        undos[model] = ModelUndo(model, python_keys(model, stored_keys(keys)))
    order = reversed(topological_sort_models(undos))
    return [undos[model] for model in order]


def _keys_unknown(label: str) -> str:
    return _(
        "%(label)s: the keys of the created rows were not recorded (the database could not "
        "report them), so they cannot be told apart from other rows."
    ) % {"label": label}


def _check_unchanged(job: ImportJob, undo: ModelUndo, plan: UndoPlan) -> None:
    stored = job.created_fingerprints.get(undo.label)
    if stored is None:
        message = _(
            "%(label)s: no fingerprint of the created rows was taken, so changes since the "
            "import cannot be ruled out."
        )
        plan.blockers.append(Blocker(message % {"label": undo.label}))
        return
    taken = Fingerprint.from_json(stored)
    try:  # the way it was taken: a job imported by an older version keeps its algorithm
        now = fingerprint(undo.model, undo.keys, algorithm=taken.algorithm)
    except UnknownAlgorithm:
        message = _(
            "%(label)s: the fingerprint of the created rows was taken with %(algorithm)s, which "
            "this database cannot compute, so changes since the import cannot be ruled out."
        )
        plan.blockers.append(Blocker(message % {"label": undo.label, "algorithm": taken.algorithm}))
        return
    if now.count < taken.count:
        missing = taken.count - now.count
        message = ngettext(
            "%(n)d of the %(total)d %(name)s this import created was deleted since.",
            "%(n)d of the %(total)d %(name)s this import created were deleted since.",
            missing,
        )
        values = {"n": missing, "total": taken.count, "name": undo.verbose_name_plural}
        plan.blockers.append(Blocker(message % values))
    elif now != taken:
        plan.blockers.append(_changed_blocker(job, undo, taken.count))
    undo.sample = [str(obj) for obj in _rows(undo.model, undo.keys[:SAMPLE_SIZE])]


def _changed_blocker(job: ImportJob, undo: ModelUndo, total: int) -> Blocker:
    """Rows changed since the import. The fingerprint covers a model's rows at once, so it
    cannot name them: the admin's history and ``auto_now`` fields name those they can."""
    changed = changed_rows(job, undo.model, undo.keys)
    name = undo.verbose_name_plural
    message = _(
        "%(name)s this import created were changed since; undoing it would delete those changes."
    ) % {"name": name.capitalize()}
    if not changed:
        how_many = ngettext(
            "Its %(total)d row is checked as a whole, so it is the one that changed.",
            "At least one of its %(total)d rows changed; which ones cannot be told, as they are "
            "checked as a whole.",
            total,
        ) % {"total": total}
        return Blocker(f"{message} {how_many}")
    how_many = ngettext(
        "%(n)d of the %(total)d is known to have changed (from the admin's history or a "
        "modification time), maybe more.",
        "%(n)d of the %(total)d are known to have changed (from the admin's history or a "
        "modification time), maybe more.",
        len(changed),
    ) % {"n": len(changed), "total": total}
    examples = tuple(str(obj) for obj in _rows(undo.model, changed[:SAMPLE_SIZE]))
    return Blocker(f"{message} {how_many}", examples)


def changed_rows(job: ImportJob, model: type[Model], keys: list[Any]) -> list[Any]:
    """Keys of created rows known to have changed after the import: changed in the admin (its
    ``LogEntry`` history), or with an ``auto_now`` field later than the import's end."""
    since = job.finished_at
    if since is None:
        return []
    own = {str(key): key for key in keys}
    content_type = ContentType.objects.db_manager(router.db_for_read(LogEntry)).get_for_model(
        model, for_concrete_model=False
    )
    logged = LogEntry.objects.filter(
        content_type=content_type, action_time__gt=since, action_flag=CHANGE
    ).values_list("object_id", flat=True)
    found = {own[object_id] for object_id in logged if object_id in own}
    stamped = [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, DateTimeField) and getattr(f, "auto_now", False)
    ]
    for name in stamped:
        for queryset in in_chunks(model, keys):
            found.update(queryset.filter(**{f"{name}__gt": since}).values_list("pk", flat=True))
    return sorted(found)


def _check_references(plan: UndoPlan) -> None:
    """Rows the import did not create that point at rows it created: they would be hit."""
    created = _created_sets(plan)
    for target, keys in created.items():
        for source, fk in _foreign_keys_to(target):
            others = _referencing(source, fk, sorted(keys), created.get(concrete(source)))
            if others:
                plan.blockers.append(_reference_blocker(source, fk, others))
                if getattr(fk.remote_field.on_delete, "__name__", "") == "CASCADE":
                    label = source._meta.label
                    plan.referencing[label] = plan.referencing.get(label, 0) + len(others)


def _created_sets(plan: UndoPlan) -> dict[type[Model], set[Any]]:
    """Created keys per table; a multi-table child's parent rows share its keys."""
    created: dict[type[Model], set[Any]] = {}
    for undo in plan.models:
        for model in [undo.model, *undo.model._meta.get_parent_list()]:
            created.setdefault(concrete(model), set()).update(undo.keys)
    return created


def _foreign_keys_to(target: type[Model]) -> list[tuple[type[Model], ForeignKey[Any, Any]]]:
    """Every foreign key of every installed table (many-to-many tables too) pointing at target."""
    return [
        (model, fk)
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
        for fk in model._meta.local_concrete_fields
        if isinstance(fk, ForeignKey)
        and fk.related_model is not None
        and concrete(fk.related_model) is target
    ]


def _referencing(
    source: type[Model], fk: ForeignKey[Any, Any], keys: list[Any], own: set[Any] | None
) -> list[Any]:
    """Keys of ``source`` rows pointing at ``keys`` through ``fk`` that are not the import's."""
    found = []
    db = router.db_for_write(source)
    for chunk in key_chunks(source, keys, db):
        pointing = source._base_manager.db_manager(db).filter(**{f"{fk.name}__pk__in": chunk})
        found += [pk for pk in pointing.values_list("pk", flat=True) if pk not in (own or ())]
    return sorted(found)


def _reference_blocker(source: type[Model], fk: ForeignKey[Any, Any], keys: list[Any]) -> Blocker:
    on_delete = getattr(fk.remote_field.on_delete, "__name__", "")
    effect = {
        "CASCADE": _("would be deleted with them"),
        "PROTECT": _("would block the deletion (PROTECT)"),
        "RESTRICT": _("would block the deletion (RESTRICT)"),
        "SET_NULL": _("would be left without a %(field)s") % {"field": fk.verbose_name},
        "SET_DEFAULT": _("would be set to the default %(field)s") % {"field": fk.verbose_name},
    }.get(on_delete, _("would point at nothing"))
    target = fk.related_model
    n = len(keys)
    message = ngettext(
        "%(n)d %(source)s not created by this import points at %(target)s it created "
        "(field “%(field)s”) and %(effect)s.",
        "%(n)d %(source)s not created by this import point at %(target)s it created "
        "(field “%(field)s”) and %(effect)s.",
        n,
    ) % {
        "n": n,
        "source": source._meta.verbose_name if n == 1 else source._meta.verbose_name_plural,
        "target": target._meta.verbose_name_plural,
        "field": fk.name,
        "effect": effect,
    }
    examples = tuple(str(obj) for obj in _rows(source, keys[:SAMPLE_SIZE]))
    return Blocker(message, examples)


def _rows(model: type[Model], keys: list[Any]) -> list[Model]:
    by_pk = {obj.pk: obj for queryset in in_chunks(model, keys) for obj in queryset}
    return [by_pk[key] for key in keys if key in by_pk]


# -- the deletion --------------------------------------------------------------------------


def _measure(plan: UndoPlan) -> None:
    """The deletion itself, rolled back: its counts are exactly what the undo would remove."""
    try:
        with transaction.atomic(using=router.db_for_write(ImportJob)):
            plan.deletes = _delete(plan)
            plan.measured = True
            transaction.set_rollback(True)
        plan.blockers += _beyond_created(plan, plan.deletes)
    except LoadError as exc:  # refused by the database (a constraint the checks cannot see)
        plan.deletes = {}
        plan.blockers.append(Blocker(str(exc)))


def _beyond_created(plan: UndoPlan, deleted: dict[str, int]) -> list[Blocker]:
    """A deletion that removed rows the checks did not foresee (a generic relation's rows, say):
    those are not the import's, so the undo must not remove them."""
    expected = _counted(plan)
    return [
        Blocker(
            _("Deleting would also remove %(n)d %(label)s rows this import did not create.")
            % {"n": n - expected.get(label, 0), "label": label}
        )
        for label, n in deleted.items()
        if n > expected.get(label, 0)
    ]


def _refuse_if_more_than_created(plan: UndoPlan, deleted: dict[str, int]) -> None:
    plan.blockers += _beyond_created(plan, deleted)
    if plan.blockers:
        raise UndoRefused(plan)


def _counted(plan: UndoPlan) -> dict[str, int]:
    """What the deletion removes once the checks passed: the created rows and the multi-table
    parents that share their keys (nothing else points at them, or a check would have failed)."""
    counts: Counter[str] = Counter()
    for undo in plan.models:
        for model in [undo.model, *undo.model._meta.get_parent_list()]:
            counts[model._meta.label] += len(undo.keys)
    return dict(counts)


def _delete(plan: UndoPlan) -> dict[str, int]:
    deleted: Counter[str] = Counter()
    for undo in plan.models:
        step = keys_per_query(router.db_for_write(undo.model))
        _total, counts = delete_keys_in_steps(undo.model, undo.keys, step)
        deleted.update(counts)
    return {label: n for label, n in deleted.items() if n}


def _log(job: ImportJob, user: User | None, deleted: dict[str, int]) -> None:
    author = user_id(user)
    if author is None:
        return
    summary = ", ".join(
        f"{n} {apps.get_model(label)._meta.verbose_name_plural}" for label, n in deleted.items()
    )
    LogEntry.objects.log_actions(
        user_id=author,
        queryset=[job],
        action_flag=CHANGE,
        change_message=gettext("Undid the import of %(name)s: deleted %(summary)s.")
        % {"name": job.original_name, "summary": summary},
        single_object=True,
    )
