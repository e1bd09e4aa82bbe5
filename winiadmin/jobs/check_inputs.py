"""What a check's reading, column matching and cleaning depend on, as one fingerprint.

A check (dry run) stores its cleaned rows (``job.preview_file``). When it found no problem, it
also stores :func:`check_fingerprint` of its inputs (``job.checked_inputs``); the confirm's real
run starts from those cleaned rows, skipping reading and cleaning, only if the fingerprint of the
inputs *then* is the same. Transform and load always run again (the database may have changed),
with the same conflict checks.

Every input is one line of :data:`CHECK_INPUTS`: a name and how to take it from the job and its
importer class. Adding an input (value mappings, number and date conventions…) is adding a line;
a changed importer announces it with its class attribute ``check_version``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import TYPE_CHECKING

import winiadmin
from winiadmin.jobs.edits import edits_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from winiadmin.importers import Importer
    from winiadmin.models import ImportJob

type Input = Callable[[ImportJob, type[Importer]], object]

#: The inputs, by name. The file (its SHA-256 and size), how it is read, which header feeds which
#: column, the edits in order, how the file writes numbers and dates, the values the user cannot
#: choose, the importer (name, class, ``check_version``) and its options, and this version of
#: winiadmin (its readers and cleaning). Value mappings and values chosen to be created are not
#: inputs: they act in the transform, which the confirm runs again.
CHECK_INPUTS: tuple[tuple[str, Input], ...] = (
    ("file", lambda job, _cls: [job.sha256, job.size]),
    ("read_options", lambda job, _cls: job.read_options),
    ("column_mapping", lambda job, _cls: job.column_mapping),
    ("edits", lambda job, _cls: [dataclasses.astuple(edit) for edit in edits_of(job)]),
    ("conventions", lambda job, _cls: job.conventions),
    ("fixed_values", lambda job, _cls: job.fixed_values),
    ("importer", lambda _job, cls: [cls.get_name(), cls.__module__, cls.__qualname__]),
    ("importer_version", lambda _job, cls: cls.check_version),
    ("options", lambda job, _cls: job.options),
    ("winiadmin", lambda _job, _cls: winiadmin.__version__),
)


def check_fingerprint(job: ImportJob, importer: type[Importer]) -> str:
    """SHA-256 over every input of :data:`CHECK_INPUTS`, as JSON with sorted keys."""
    inputs = {name: take(job, importer) for name, take in CHECK_INPUTS}
    text = json.dumps(inputs, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
