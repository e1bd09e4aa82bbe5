"""Helpers the job tests share."""

from django.db.models import Model

from winiadmin.jobs.fingerprint import fingerprint_created
from winiadmin.models import ImportJob


def recorded_job(created: dict[type[Model], list[Model]]) -> ImportJob:
    """A succeeded job that created these rows, recorded as a real run records them."""
    pks = {m._meta.label: [str(obj.pk) for obj in objs] for m, objs in created.items()}
    return ImportJob.objects.create(
        importer="shop.catalogue",
        original_name="made.csv",
        status=ImportJob.Status.SUCCEEDED,
        created_counts={label: len(keys) for label, keys in pks.items()},
        created_pks=pks,
        created_fingerprints=fingerprint_created(pks),
    )
