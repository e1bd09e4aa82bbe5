"""``manage.py winiadmin_cleanup``: delete the uploads of abandoned and finished import jobs."""

from argparse import ArgumentParser
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from winiadmin.commands.base import ABCBaseCommand, whole_number
from winiadmin.commands.builtin import BuiltinCommand
from winiadmin.conf import get_config
from winiadmin.jobs.cleanup import cleanup_abandoned_uploads
from winiadmin.jobs.exports import cleanup_expired_exports
from winiadmin.jobs.stale import reap_stale_jobs
from winiadmin.models import ImportJob

_hours = whole_number(0)


_O = ABCBaseCommand.Options


class Command(BuiltinCommand):
    builtin_options = (_O.DRY_RUN,)
    help = (
        "Delete the uploaded files (and cached previews) of import jobs unchanged for --hours: "
        "jobs that never ran are cancelled, succeeded jobs keep their report. Running jobs are "
        "left alone, unless their worker stopped responding (STALE_AFTER_SECONDS): those are "
        "marked failed first. Export files whose download link expired (EXPORT_LINK_HOURS) "
        "are deleted too."
    )

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--hours",
            type=_hours,
            default=None,
            help="Age in hours since the job last changed (default: "
            'WINIADMIN["UPLOAD_MAX_AGE_HOURS"]).',
        )

    def handle_command(self) -> None:
        hours = self.get_option("hours")
        if hours is None:
            hours = get_config().UPLOAD_MAX_AGE_HOURS
        dry_run = bool(self.get_option(self.Options.DRY_RUN))
        if not dry_run:
            reaped = reap_stale_jobs()
            if reaped and get_config().MAX_ATTEMPTS > 1:
                self.stdout.write(
                    ngettext(
                        "%(n)d running job whose worker stopped responding was queued again or "
                        "marked failed (MAX_ATTEMPTS).",
                        "%(n)d running jobs whose workers stopped responding were queued again or "
                        "marked failed (MAX_ATTEMPTS).",
                        reaped,
                    )
                    % {"n": reaped}
                )
            elif reaped:
                self.stdout.write(
                    ngettext(
                        "%(n)d running job whose worker stopped responding was marked failed.",
                        "%(n)d running jobs whose workers stopped responding were marked failed.",
                        reaped,
                    )
                    % {"n": reaped}
                )
        jobs = cleanup_abandoned_uploads(older_than=timedelta(hours=hours), dry_run=dry_run)
        for job in jobs:
            self.stdout.write(self._line(job, dry_run=dry_run))
        n = len(jobs)
        if dry_run:
            total = ngettext(
                "DRY RUN: %(n)d job older than %(h)d hours would lose its upload.",
                "DRY RUN: %(n)d jobs older than %(h)d hours would lose their uploads.",
                n,
            )
        else:
            total = ngettext(
                "%(n)d job older than %(h)d hours lost its upload.",
                "%(n)d jobs older than %(h)d hours lost their uploads.",
                n,
            )
        self.stdout.write(self.style.SUCCESS(total % {"n": n, "h": hours}))
        expired = len(cleanup_expired_exports(dry_run=dry_run))
        if expired:
            if dry_run:
                line = ngettext(
                    "%(n)d export file whose download link expired would be deleted.",
                    "%(n)d export files whose download link expired would be deleted.",
                    expired,
                )
            else:
                line = ngettext(
                    "%(n)d export file whose download link expired was deleted.",
                    "%(n)d export files whose download link expired were deleted.",
                    expired,
                )
            self.stdout.write(line % {"n": expired})

    @staticmethod
    def _line(job: ImportJob, *, dry_run: bool) -> str:
        if job.status == ImportJob.Status.SUCCEEDED:
            outcome = _("report kept")
        elif dry_run and job.status != ImportJob.Status.CANCELLED:
            outcome = _("%(status)s → cancelled") % {"status": job.status}
        else:
            outcome = _("cancelled")
        user = job.user.get_username() if job.user is not None else "-"
        uploaded = timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M")
        words = {
            "job": job.pk,
            "name": job.original_name,
            "user": user,
            "uploaded": uploaded,
            "outcome": outcome,
        }
        if dry_run:
            line = _(
                "would delete %(job)s  %(name)r  by %(user)s, uploaded %(uploaded)s: %(outcome)s"
            )
        else:
            line = _("deleted %(job)s  %(name)r  by %(user)s, uploaded %(uploaded)s: %(outcome)s")
        return line % words
