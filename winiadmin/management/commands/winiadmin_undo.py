"""``manage.py winiadmin_undo JOB_ID``: delete the rows an import job created (after its plan)."""

from argparse import ArgumentParser

from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from winiadmin.commands.base import ABCBaseCommand
from winiadmin.commands.builtin import BuiltinCommand
from winiadmin.jobs.undo import UndoPlan, UndoRefused, plan_undo, undo_job
from winiadmin.models import ImportJob

_O = ABCBaseCommand.Options


class Command(BuiltinCommand):
    builtin_options = (_O.DRY_RUN,)
    help = (
        "Undo a finished import job: print what would be deleted (cascades included), then "
        "delete exactly the rows it created, children before parents, in one transaction. "
        "Refused when those rows were changed or deleted since, or other rows point at them."
    )

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("job_id", help="The import job's id (a UUID, see the import history).")

    def handle_command(self) -> None:
        job = _job(self.get_option("job_id"))
        plan = plan_undo(job)
        self._print_plan(plan)
        if not plan.allowed:
            raise CommandError(_refusal(plan))
        if self.get_option(self.Options.DRY_RUN):
            self.stdout.write(self.style.WARNING(_("DRY RUN: nothing was deleted.")))
            return
        try:
            result = undo_job(job)
        except UndoRefused as exc:  # changed since the plan was printed
            raise CommandError(_refusal(exc.plan)) from exc
        done = _counted(
            "Undone: deleted %(count)s row.", "Undone: deleted %(count)s rows.", result.total
        )
        self.stdout.write(self.style.SUCCESS(done))

    def _print_plan(self, plan: UndoPlan) -> None:
        heading = _("Import %(job)s of %(name)s:")
        self.stdout.write(heading % {"job": plan.job.pk, "name": plan.job.original_name})
        cascades = plan.cascades
        for undo in plan.models:
            sample = (
                _(" (e.g. %(sample)s)") % {"sample": ", ".join(undo.sample)} if undo.sample else ""
            )
            rows = _counted("%(count)s row to delete", "%(count)s rows to delete", len(undo.keys))
            self.stdout.write(f"  {undo.label}: {rows}{sample}")
        for label, n in cascades.items():
            rows = _counted(
                "%(count)s row deleted with them", "%(count)s rows deleted with them", n
            )
            self.stdout.write(f"  {label}: {rows}")
        for label, n in plan.updated.items():
            rows = _counted(
                "%(count)s row it updated stays as it is now",
                "%(count)s rows it updated stay as they are now",
                n,
            )
            self.stdout.write(self.style.WARNING(f"  {label}: {rows}"))


def _job(job_id: str) -> ImportJob:
    try:
        return ImportJob.objects.get(pk=job_id)
    except (ImportJob.DoesNotExist, ValidationError) as exc:
        msg = _("No import job has the id %(id)r.") % {"id": job_id}
        raise CommandError(msg) from exc


def _refusal(plan: UndoPlan) -> str:
    reasons = [
        blocker.message
        + (
            " " + _("For example: %(examples)s.") % {"examples": ", ".join(blocker.examples)}
            if blocker.examples
            else ""
        )
        for blocker in plan.blockers
    ]
    return _("This import cannot be undone:") + "\n- " + "\n- ".join(reasons)


def _counted(singular: str, plural: str, count: int) -> str:
    return ngettext(singular, plural, count) % {"count": f"{count:,}"}
