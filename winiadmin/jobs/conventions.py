"""A job's number and date conventions: those accepted in the wizard from a proposal, kept on
the job and remembered per importer and column for the user's next files
(:class:`~winiadmin.models.SavedConventions`), like the column mapping."""

from __future__ import annotations

from typing import TYPE_CHECKING

from winiadmin.cleaning.conventions import FileConventions
from winiadmin.models import ImportJob, SavedConventions
from winiadmin.permissions import user_id

if TYPE_CHECKING:
    from winiadmin.import_report import StoredReading
    from winiadmin.permissions import User

#: Where a proposal may be accepted: before the real run.
ACCEPT_STATUSES = {
    ImportJob.Status.UPLOADED,
    ImportJob.Status.VALIDATED,
    ImportJob.Status.INVALID,
}


def job_conventions(job: ImportJob) -> FileConventions | None:
    """The conventions the job's runs are given (``None``: the importer's own)."""
    return None if job.conventions is None else FileConventions.from_json(job.conventions)


#: ``SavedConventions.column`` of the conventions chosen for the whole file on upload.
WHOLE_FILE = ""


def remembered_conventions(importer: str, user: User | None) -> FileConventions | None:
    """The conventions ``user`` chose for ``importer``'s files (on upload) and columns
    (accepted proposals); ``None``: none."""
    owner = user_id(user)
    if owner is None:
        return None
    saved = {
        s.column: FileConventions.from_json(s.conventions)
        for s in SavedConventions.objects.filter(importer=importer, user_id=owner)
    }
    if not saved:
        return None
    whole = saved.pop(WHOLE_FILE, FileConventions())
    return FileConventions(columns=saved).over(whole)


def upload_conventions(
    importer: str, user: User | None, chosen: FileConventions | None
) -> dict[str, object] | None:
    """A new job's conventions, as it stores them: those chosen on upload (remembered for the
    next one) over those remembered."""
    remembered = remembered_conventions(importer, user)
    owner = user_id(user)
    if chosen is not None and owner is not None:
        SavedConventions.objects.update_or_create(
            importer=importer,
            column=WHOLE_FILE,
            user_id=owner,
            defaults={"conventions": chosen.to_json()},
        )
    conventions = remembered if chosen is None else chosen.over(remembered)
    return None if conventions is None else conventions.to_json()


def applied_memory(job: ImportJob) -> FileConventions | None:
    """The conventions remembered from the job's user's earlier files of its importer, if the
    job is read in them (all of them: applied on upload, or accepted again); else ``None``."""
    current = job_conventions(job)
    memory = remembered_conventions(job.importer, job.user)
    if current is None or memory is None or memory.over(current) != current:
        return None
    return memory


def without_conventions(job: ImportJob) -> bool:
    """The job read in the importer's own conventions again (those remembered or chosen are
    left out of this upload; the memory is kept). ``False``: it had none."""
    if job.conventions is None:
        return False
    job.conventions = None
    job.save(update_fields=["conventions", "updated_at"])
    return True


def proposed_reading(job: ImportJob, column: str, index: int) -> StoredReading | None:
    """The ``index``-th reading proposed for ``column`` by the job's last check."""
    for proposal in job.import_report.proposals:
        if proposal.column == column and 0 <= index < len(proposal.readings):
            return proposal.readings[index]
    return None


def accept_reading(
    job: ImportJob, column: str, reading: StoredReading, user: User | None
) -> FileConventions:
    """Keep ``reading`` as ``column``'s conventions on the job and for the user's next files of
    the importer; the caller checks the file again."""
    chosen = FileConventions.from_json(reading.conventions)
    current = job_conventions(job) or FileConventions()
    accepted = FileConventions(columns={column: chosen}).over(current)
    job.conventions = accepted.to_json()
    job.save(update_fields=["conventions", "updated_at"])
    owner = user_id(user)
    if owner is not None:
        SavedConventions.objects.update_or_create(
            importer=job.importer,
            column=column,
            user_id=owner,
            defaults={"conventions": chosen.to_json()},
        )
    return accepted
