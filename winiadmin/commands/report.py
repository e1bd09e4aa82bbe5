"""The summary a command prints after an import: source, problems, counts per model, timings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.management import CommandError
from django.core.management.base import OutputWrapper
from django.core.management.color import Style
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from winiadmin.exceptions import describe_exception
from winiadmin.problems import ProblemKind
from winiadmin.results import ImportResult, ImportStatus

if TYPE_CHECKING:
    from django.core.management.base import OutputWrapper
    from django.core.management.color import Style

    from winiadmin.cleaning.conventions import FileConventions
    from winiadmin.cleaning.detection import ConventionProposal
    from winiadmin.problems import Problem

#: Problems listed in full before "… and N more".
SHOWN_PROBLEMS = 20


def write_report(
    result: ImportResult, stdout: OutputWrapper, stderr: OutputWrapper, style: Style
) -> None:
    source = ", ".join(f"{k} {v}" for k, v in result.source_info.items())
    read = _counted("Read %(count)s row", "Read %(count)s rows", result.rows_read)
    stdout.write(read + (f" ({source})" if source else "") + ".")
    if result.unmatched:
        _write_unmatched(result, stdout, stderr, style)
    if result.problems:
        _write_problems(result, stderr, style)
    for proposal in result.proposals:
        _write_proposal(proposal, stderr, style)
    if result.created:
        stdout.write(_table(result))
    if result.changes:
        stdout.write(_changes(result))
    if result.rows.read:
        stdout.write(row_accounting_line(result))
    timings = " · ".join(f"{stage.value} {secs:.2f} s" for stage, secs in result.timings.items())
    if timings:
        total = f"{result.total_seconds:.2f}"
        stdout.write(
            _("Time: %(timings)s (total %(total)s s).") % {"timings": timings, "total": total}
        )
    if result.ok:  # a failure's reason is the CommandError the caller raises
        stdout.write(_verdict(result, style))


def _write_unmatched(
    result: ImportResult, stdout: OutputWrapper, stderr: OutputWrapper, style: Style
) -> None:
    """Values of lookups that matched nothing, with counts and rows; created ones on stdout."""
    for unmatched in result.unmatched:
        line = unmatched.describe()
        if unmatched.created:
            stdout.write(line)
            continue
        hint = _(" (--create_missing creates them)") if unmatched.can_create else ""
        stderr.write(style.ERROR(line + hint))


def command_flags(conventions: FileConventions) -> str:
    """The ``winiadmin_import`` options that declare ``conventions``."""
    flags: list[str] = []
    if conventions.decimal_separator is not None:
        flags.append(f"--decimal-separator '{conventions.decimal_separator}'")
    if conventions.thousands_separator is not None:
        flags.append(f"--thousands-separator '{conventions.thousands_separator or 'none'}'")
    flags += [f"--date-format '{f}'" for f in conventions.date_formats or ()]
    flags += [f"--datetime-format '{f}'" for f in conventions.datetime_formats or ()]
    flags += [f"--currency '{s}'" for s in conventions.currency_symbols or ()]
    if conventions.percent is not None:
        flags.append(f"--percent {conventions.percent}")
    return " ".join(flags)


def _write_proposal(proposal: ConventionProposal, stderr: OutputWrapper, style: Style) -> None:
    """A convention the refused cells of a column seem to follow, and how to declare it."""
    stderr.write(style.WARNING(proposal.message))
    for reading in proposal.readings:
        examples = ", ".join(f"{typed} → {read}" for typed, read in reading.examples)
        stderr.write(
            "  "
            + _("%(what)s (%(examples)s): run again with %(flags)s")
            % {
                "what": reading.description,
                "examples": examples,
                "flags": command_flags(reading.conventions),
            }
        )


def failure(result: ImportResult) -> CommandError:
    """The ``CommandError`` of a run that did not succeed: one line, Django's convention.

    When the importer's own code raised, it names the importer and the exception, chained to
    it, so that ``--traceback`` shows where (Django re-raises the ``CommandError`` then).
    """
    crash = result.exception
    if crash is not None:
        msg = _("Importer %(importer)r failed: %(error)s (run with --traceback for details)") % {
            "importer": crash.importer,
            "error": describe_exception(crash.error),
        }
        error = CommandError(msg)
        error.__cause__ = crash.error
        return error
    return CommandError(result.error or _("The import failed; nothing was written."))


def _write_problems(result: ImportResult, stderr: OutputWrapper, style: Style) -> None:
    report = result.problems
    # The importer's failure is the CommandError's one line; the other problems are listed.
    crashed = sum(1 for p in report if p.kind is ProblemKind.IMPORTER_FAILED)
    if crashed == len(report):
        return
    errors = _counted("%(count)s error", "%(count)s errors", report.error_count)
    warnings = _counted("%(count)s warning", "%(count)s warnings", report.warning_count)
    stderr.write(
        style.WARNING(
            _("Problems: %(errors)s, %(warnings)s.") % {"errors": errors, "warnings": warnings}
        )
    )
    shown: list[Problem] = sorted(
        [
            p
            for p in [*report.errors(), *report.warnings()]
            if p.kind is not ProblemKind.IMPORTER_FAILED
        ],
        key=lambda p: (not p.is_error, p.sheet or "", p.row or 0),
    )[:SHOWN_PROBLEMS]
    for problem in shown:
        paint = style.ERROR if problem.is_error else style.WARNING
        severity = _("error") if problem.is_error else _("warning")
        stderr.write(paint(f"  {severity}: {problem}"))
    if len(report) - crashed > len(shown):
        more = f"{len(report) - crashed - len(shown):,}"
        stderr.write("  " + _("… and %(n)s more.") % {"n": more})


def _table(result: ImportResult) -> str:
    would = result.status is not ImportStatus.SUCCEEDED
    verb = _("Would create") if would else _("Created")
    width = max(len(c.label) for c in result.created)
    # Upserting importers also say how many stored rows were (or would be) updated.
    upsert = any(c.updated or c.unchanged for c in result.created)
    updated = _("Would update") if would else _("Updated")
    extra = f"  {updated:>12}  {_('Unchanged'):>12}" if upsert else ""
    width = max(width, len(_("Model")), len(_("total")))
    lines = [f"{_('Model'):<{width}}  {verb:>12}{extra}"]
    for c in result.created:
        more = f"  {c.updated:>12,}  {c.unchanged:>12,}" if upsert else ""
        removed = "  " + _("(%(n)s removed)") % {"n": f"{c.removed:,}"} if c.removed else ""
        lines.append(f"{c.label:<{width}}  {c.count:>12,}{more}{removed}")
    total = f"  {result.total_updated:>12,}  {result.total_unchanged:>12,}" if upsert else ""
    lines.append(f"{_('total'):<{width}}  {result.total_created:>12,}{total}")
    return "\n".join(lines)


def _changes(result: ImportResult) -> str:
    """The updated rows' changed values, old → new (the first few per model, as kept)."""
    lines = [_("Changes (old → new):")]
    for label, changes in result.changes.items():
        for change in changes:
            row = _("row %(row)s, ") % {"row": change.row} if change.row is not None else ""
            key = ", ".join(str(part) for part in change.key)
            cells = "; ".join(
                f"{name} {old} → {new}" for name, (old, new) in change.changes.items()
            )
            lines.append(f"  {row}{label} {key}: {cells}")
    return "\n".join(lines)


def row_accounting_line(result: ImportResult) -> str:
    """``Rows: 7 read = 3 imported + 0 updated + 0 unchanged + 1 skipped + 3 rejected …``."""
    rows = result.rows
    dropped = (
        _(" (%(n)s of them dropped by the cleaning rules: repeated or empty rows)")
        % {"n": f"{rows.dropped:,}"}
        if rows.dropped
        else ""
    )
    counts = {
        "read": f"{rows.read:,}",
        "imported": f"{rows.imported:,}",
        "updated": f"{rows.updated:,}",
        "unchanged": f"{rows.unchanged:,}",
        "skipped": f"{rows.skipped:,}",
        "dropped": dropped,
        "rejected": f"{rows.rejected:,}",
    }
    if result.committed:
        line = _(
            "Rows: %(read)s read = %(imported)s imported + %(updated)s updated + %(unchanged)s "
            "unchanged + %(skipped)s skipped%(dropped)s + %(rejected)s rejected."
        )
    else:
        line = _(
            "Rows (nothing written; what the import would do): %(read)s read = %(imported)s "
            "imported + %(updated)s updated + %(unchanged)s unchanged + %(skipped)s "
            "skipped%(dropped)s + %(rejected)s rejected."
        )
    return line % counts


def _verdict(result: ImportResult, style: Style) -> str:
    skipped = (
        " "
        + _counted(
            "%(count)s invalid row skipped.", "%(count)s invalid rows skipped.", result.rows_skipped
        )
        if result.rows_skipped
        else ""
    )
    if result.status is ImportStatus.DRY_RUN:
        return style.WARNING(_("DRY RUN: nothing was written.") + skipped)
    updated = (
        " " + _("Updated %(count)s.") % {"count": f"{result.total_updated:,}"}
        if result.total_updated
        else ""
    )
    created = _counted(
        "Imported %(count)s object.", "Imported %(count)s objects.", result.total_created
    )
    return style.SUCCESS(f"{created}{updated}{skipped}")


def _counted(singular: str, plural: str, count: int) -> str:
    """``ngettext`` with the count grouped in thousands, as the rest of the report prints it."""
    return ngettext(singular, plural, count) % {"count": f"{count:,}"}
