"""The load stage for frame-native importers: same transaction, dry run and problem report."""

from dataclasses import replace

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from winiadmin.db.frame_refs import FrameRefs
from winiadmin.db.frames import ModelFrame, UnresolvedKeysError, load_frames
from winiadmin.db.upsert import key_attnames
from winiadmin.pipeline.frame_conflicts import frame_conflicts, table_had_rows
from winiadmin.pipeline.links import link_cells, write_stage_links
from winiadmin.pipeline.load import LoadOutcome, LoadSettings, progress_counter
from winiadmin.pipeline.spec import FramesByModel
from winiadmin.problems import Problem, ProblemKind, Severity


def frame_load_stage(frames: FramesByModel, settings: LoadSettings) -> LoadOutcome:
    specs = {m: f if isinstance(f, ModelFrame) else ModelFrame(m, f) for m, f in frames.items()}
    specs = {
        m: replace(spec, key=tuple(settings.upsert_keys[m])) if m in settings.upsert_keys else spec
        for m, spec in specs.items()
    }
    total = sum(spec.frame.height for spec in specs.values())
    outcome = LoadOutcome()
    # Identifiers of this call's frames (a streamed file: this batch's; see frame_refs).
    refs = FrameRefs()
    cells = link_cells(settings.many_to_many)
    with transaction.atomic(using=settings.using):
        specs = _check_conflicts(specs, settings, outcome, refs)
        try:
            loaded = load_frames(
                specs,
                settings.frame_step,
                using=settings.using,
                on_chunk=progress_counter(settings, total),
                collect_pks=settings.collect_pks,
                resolver=settings.resolver,
                diff_limit=settings.diff_limit,
                refs=refs,
                links=cells,
            )
            outcome.counts = loaded.counts
            outcome.tallies = loaded.tallies
            outcome.pks = loaded.pks
            linked = write_stage_links(
                cells,
                settings.resolver,
                using=settings.using,
                step=settings.frame_step,
                collect_pks=settings.collect_pks,
            )
            outcome.add_links(linked)
        except UnresolvedKeysError as exc:
            # Unknown natural keys block the import even when skipping invalid rows: the rows
            # that point at them would be silently dropped otherwise.
            outcome.problems += _unresolved_problems(exc)
            outcome.blocking = True
        if (
            settings.dry_run
            or outcome.blocking
            or (outcome.problems and not settings.skip_conflicts)
            or settings.rollback_unmatched
        ):
            transaction.set_rollback(True, using=settings.using)
        elif settings.before_commit is not None:
            settings.before_commit()
    return outcome


def _check_conflicts(
    specs: dict[type[Model], ModelFrame],
    settings: LoadSettings,
    outcome: LoadOutcome,
    refs: FrameRefs,
) -> dict[type[Model], ModelFrame]:
    checked = {}
    for model, spec in specs.items():
        stored = table_had_rows(spec, settings.using, settings.key_history)
        problems, mask = frame_conflicts(spec, settings.using, settings.key_history, stored=stored)
        outcome.problems += problems
        if spec.ref is not None and spec.ref in spec.frame.columns and problems:
            refs.leave_out(model, spec.frame.filter(mask).get_column(spec.ref))
        # Conflicting rows are always left out: the rest still loads, for the counts of a dry run
        # and for "skip invalid rows"; without that choice the stage rolls back afterwards.
        checked[model] = replace(spec, frame=spec.frame.filter(~mask)) if problems else spec
        if spec.key and not stored:
            key_attnames(model, spec.key)  # a key no unique constraint covers is still refused
            # The table was empty when the import began, and keys of this call's rows that an
            # earlier batch stored were just left out as conflicts: no row can be an update, so
            # the upsert's per-chunk lookup of stored keys (most of a large load) is skipped.
            checked[model] = replace(checked[model], key=())
    return checked


def _unresolved_problems(exc: UnresolvedKeysError) -> list[Problem]:
    unresolved = exc.unresolved
    target = unresolved.model._meta.get_field(unresolved.field).related_model
    name = target._meta.verbose_name if target is not None and not isinstance(target, str) else ""
    problems = []
    for value in unresolved.values:
        message = _("No %(model)s has %(field)s %(value)r.") % {
            "model": name,
            "field": unresolved.lookup,
            "value": value,
        }
        rows: list[int | None] = [*unresolved.rows.get(value, [])] or [None]
        problems += [
            Problem(
                ProblemKind.INVALID_VALUE,
                Severity.ERROR,
                message,
                row,
                unresolved.field,
                str(value),
            )
            for row in rows
        ]
    return problems
