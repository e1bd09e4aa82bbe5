"""What happens once a job's run has ended, whoever ends it (its worker, or the sweep that finds
the worker dead): its live progress file goes, and the integrations are told."""

from winiadmin.jobs.live_progress import discard as discard_live_progress
from winiadmin.models import ImportJob
from winiadmin.signals import import_finished


def finished(job: ImportJob) -> None:
    """The run ended: its live progress file goes; tell the integrations
    (``winiadmin.signals.import_finished``)."""
    discard_live_progress(job.pk)
    import_finished.send(sender=ImportJob, job=job, status=job.status)
