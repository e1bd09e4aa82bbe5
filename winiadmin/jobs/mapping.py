"""A job's column mapping: whether the wizard should ask for one, the one saved for files with
the same headers, and applying a choice (remembered, then a new dry run)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from winiadmin.cleaning.mapping import normalised
from winiadmin.jobs.background import start_validation
from winiadmin.models import ImportJob, SavedColumnMapping
from winiadmin.permissions import user_id

if TYPE_CHECKING:
    from winiadmin.cleaning.mapping import ColumnMapping
    from winiadmin.import_report import ColumnMatches, MappedColumn
    from winiadmin.permissions import User

#: Where the column mapping step may be shown: before the real run.
MAPPING_STATUSES = {
    ImportJob.Status.UPLOADED,
    ImportJob.Status.VALIDATED,
    ImportJob.Status.INVALID,
}


def mapping_report(job: ImportJob) -> ColumnMatches | None:
    """The last dry run's header matches (``None``: the file was never read that far)."""
    return job.import_report.column_mapping


def renamed_columns(job: ImportJob) -> list[MappedColumn]:
    """The file columns not taken by their exact name: fed to another column, or ignored."""
    found = mapping_report(job)
    columns = found.columns if found is not None else ()
    return [c for c in columns if c.reason not in {"exact", "unmatched"}]


def can_change_mapping(job: ImportJob) -> bool:
    return job.status in MAPPING_STATUSES and mapping_report(job) is not None


def needs_mapping(job: ImportJob) -> bool:
    """Nobody chose a mapping yet, and the automatic one left a column out or guessed one."""
    found = mapping_report(job)
    return (
        job.column_mapping is None
        and job.status in MAPPING_STATUSES
        and found is not None
        and found.needs_review
    )


def saved_mapping(job: ImportJob, user: User | None) -> SavedColumnMapping | None:
    """The mapping ``user`` chose last for this importer and files with these headers."""
    found = mapping_report(job)
    owner = user_id(user)
    if found is None or owner is None:
        return None
    return SavedColumnMapping.objects.filter(
        importer=job.importer, fingerprint=found.fingerprint, user_id=owner
    ).first()


def remembered_mapping(job: ImportJob, user: User | None) -> SavedColumnMapping | None:
    """The saved mapping, when it decides every column of this file (each header fed to a column
    the importer still expects, or ignored): applied without asking again."""
    saved = saved_mapping(job, user)
    found = mapping_report(job)
    if saved is None or found is None:
        return None
    chosen = {normalised(str(header)): target for header, target in saved.mapping.items()}
    expected = set(found.expected)
    for column in found.columns:
        key = normalised(column.header)
        if key not in chosen or (chosen[key] and chosen[key] not in expected):
            return None
    return saved


def applied_from_memory(job: ImportJob, user: User | None) -> SavedColumnMapping | None:
    """The saved mapping this job was given without asking (see :func:`remembered_mapping`):
    the job's mapping is the saved one, and nobody chose it again since the job was created."""
    saved = saved_mapping(job, user)
    if saved is None or job.column_mapping is None or job.column_mapping != saved.mapping:
        return None
    return saved if saved.updated_at < job.created_at else None


def apply_mapping(
    job: ImportJob, mapping: ColumnMapping, user: User | None, *, remember: bool = True
) -> None:
    """Keep ``mapping`` on the job and (``remember``) for the next file with the same headers;
    dry-run again."""
    found = mapping_report(job)
    assert found is not None
    job.column_mapping = mapping.as_json()
    job.save(update_fields=["column_mapping", "updated_at"])
    owner = user_id(user)
    if owner is not None and remember:
        SavedColumnMapping.objects.update_or_create(
            importer=job.importer,
            fingerprint=found.fingerprint,
            user_id=owner,
            defaults={
                "headers": [c.header for c in found.columns],
                "mapping": mapping.as_json(),
            },
        )
    start_validation(job)  # here, or queued for a worker (BACKGROUND_THRESHOLD)
