"""Cancel or commit: each attempt of a job ends one way, decided once, without the database.

A cancel is recorded as a small file beside the job's upload in the private upload storage, not
only in the job's row: on SQLite the worker holds the database's only write lock through its load,
so the web process could not write the row without waiting (the lock timeout, 20 s in the demo)
and the Cancel button would hang. Every process shares the upload storage, so the worker sees the
file at its next progress tick and, at the latest, just before it commits.

The file is the attempt's *outcome*: ``cancel`` or ``commit``, created only if it does not exist.
The web process creates it with ``cancel`` when the user cancels; the worker with ``commit`` just
before its transaction commits (inside it, under the fence of ``winiadmin.jobs.fence``). Whoever
comes first wins and the other reads the winner, so a cancel the page acknowledges is one the
commit saw, and a cancel that comes too late is told so.

On a local file system the file is written under a temporary name and hard-linked to its final
name (``link`` fails when the name exists: create-if-absent, atomic). A storage without local paths
(S3…) is only checked then written; on PostgreSQL the job's row lock decides anyway (see
docs/background.md).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from typing import TYPE_CHECKING, Literal

from django.core.files.base import ContentFile

from winiadmin.storage import job_folder, upload_storage

if TYPE_CHECKING:
    from django.core.files.storage import Storage

Outcome = Literal["cancel", "commit"]
SUFFIX = ".outcome"


def outcome_name(job_id: object, attempt: object) -> str:
    return f"{job_folder(job_id)}/attempt-{attempt}{SUFFIX}"


def decide(job_id: object, attempt: object, outcome: Outcome) -> Outcome:
    """Record ``outcome`` for the attempt unless one is recorded; returns the one that holds."""
    storage = upload_storage()
    name = outcome_name(job_id, attempt)
    try:
        path = storage.path(name)
    except NotImplementedError:
        return _decide_remote(storage, name, outcome)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{uuid.uuid4().hex}.tmp"
    with open(temporary, "w", encoding="ascii") as handle:
        handle.write(outcome)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    return decided(job_id, attempt) or outcome


def decided(job_id: object, attempt: object) -> Outcome | None:
    """The attempt's outcome, if one was recorded."""
    if attempt is None:
        return None
    storage = upload_storage()
    name = outcome_name(job_id, attempt)
    try:
        with storage.open(name, "rb") as handle:
            text = handle.read(16).decode("ascii", "replace").strip()
    except (FileNotFoundError, OSError):
        return None
    return _outcome(text)


def cancel_requested(job_id: object, attempt: object) -> bool:
    return decided(job_id, attempt) == "cancel"


def _decide_remote(storage: Storage, name: str, outcome: Outcome) -> Outcome:
    if not storage.exists(name):
        saved = storage.save(name, ContentFile(outcome.encode()))
        if saved != name:  # someone else's came first: keep theirs
            with contextlib.suppress(OSError):
                storage.delete(saved)
    with storage.open(name, "rb") as handle:
        text = handle.read(16).decode("ascii", "replace").strip()
    return _outcome(text) or outcome


def _outcome(text: str) -> Outcome | None:
    if text == "cancel":
        return "cancel"
    if text == "commit":
        return "commit"
    return None  # not written yet (a storage without local paths) or damaged
