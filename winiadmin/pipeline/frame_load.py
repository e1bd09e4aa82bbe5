"""The load stage for frame-native importers: the same run transaction and problem report."""

from collections.abc import Mapping
from dataclasses import replace

from django.db.models import Model
from django.utils.translation import gettext as _

from winiadmin.db.frame_refs import FrameRefs
from winiadmin.db.frames import ModelFrame, UnresolvedKeysError, load_frames
from winiadmin.db.upsert import key_attnames
from winiadmin.pipeline.frame_conflicts import frame_conflicts, table_had_rows
from winiadmin.pipeline.frame_declarations import settle_frame_declarations
from winiadmin.pipeline.links import link_cells, write_stage_links
from winiadmin.pipeline.load import LoadOutcome, LoadSettings, progress_counter
from winiadmin.pipeline.spec import FramesByModel
from winiadmin.problems import Problem, ProblemKind, Severity
from winiadmin.validation.frame import FrameChecker


def frame_load_stage(frames: FramesByModel, settings: LoadSettings) -> LoadOutcome:
    specs = {m: f if isinstance(f, ModelFrame) else ModelFrame(m, f) for m, f in frames.items()}
    specs = settle_frame_declarations(specs, settings.upsert_keys, settings.resolver)
    total = sum(spec.frame.height for spec in specs.values())
    outcome = LoadOutcome()
    # Identifiers of this call's frames (a streamed file: this batch's; see frame_refs).
    refs = FrameRefs()
    cells = link_cells(settings.many_to_many)
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
        # The through rows once every model is stored (the run's transaction is open).
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
    return outcome


def _check_conflicts(
    specs: dict[type[Model], ModelFrame],
    settings: LoadSettings,
    outcome: LoadOutcome,
    refs: FrameRefs,
) -> dict[type[Model], ModelFrame]:
    checked = {}
    for model, given in specs.items():
        spec = (
            _without_refused(given, outcome, refs, settings.column_labels)
            if settings.validate_rules
            else given
        )
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


def _without_refused(
    spec: ModelFrame, outcome: LoadOutcome, refs: FrameRefs, labels: Mapping[str, str]
) -> ModelFrame:
    """The frame without the rows breaking the model's rules (reported, like conflicts)."""
    checked = FrameChecker(spec.model, labels).check(spec.frame)
    if not checked.problems:
        return spec
    outcome.problems += checked.problems
    if spec.ref is not None and spec.ref in spec.frame.columns:
        refs.leave_out(spec.model, spec.frame.filter(checked.refused).get_column(spec.ref))
    return replace(spec, frame=spec.frame.filter(~checked.refused))


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
