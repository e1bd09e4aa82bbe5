"""Uploads and cached previews live in a private storage from ``STORAGES``, never a temp folder.

Names are made here from the job's id; the user's file name is only ever shown, never used as
a path.
"""

import errno
from pathlib import PurePath

from django.core.files.storage import Storage, storages
from django.utils.translation import gettext as _

from winiadmin.conf import get_config
from winiadmin.exceptions import WiniadminError


class UploadStorageError(WiniadminError):
    """The upload could not be written to the storage (disk full, permissions…)."""


_SAFE_SUFFIXES = {
    ".csv", ".tsv", ".tab", ".txt", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods",
    ".json", ".ndjson", ".jsonl", ".parquet",
}  # fmt: skip
#: The extensions the readers know (what the upload form's ``accept`` lists).
READABLE_SUFFIXES = tuple(sorted(_SAFE_SUFFIXES))


def upload_storage() -> Storage:
    """The storage alias ``WINIADMIN["STORAGE_ALIAS"]`` (``default`` when it is not configured)."""
    alias = get_config().STORAGE_ALIAS
    return storages[alias] if alias in storages.backends else storages["default"]


def upload_name(job_id: object, original_name: str) -> str:
    """``winiadmin/<job id>/upload<.ext>``: only a known extension survives from the user's name."""
    suffix = PurePath(original_name).suffix.lower()
    return f"{job_folder(job_id)}/upload{suffix if suffix in _SAFE_SUFFIXES else ''}"


def preview_name(job_id: object, attempt: object = None) -> str:
    """One per attempt: a stale attempt that wakes up never replaces its retry's preview."""
    suffix = f"-{attempt}" if attempt else ""
    return f"{job_folder(job_id)}/cleaned{suffix}.parquet"


def raw_name(job_id: object) -> str:
    """The table as read from the upload (before any edit), kept by the last check: an edited
    row is checked again from it without reading the whole upload."""
    return f"{job_folder(job_id)}/raw.parquet"


def export_name(job_id: object, fmt: str) -> str:
    """``winiadmin/exports/<job id>/export.<fmt>``: a background export's file."""
    return f"winiadmin/exports/{job_id}/export.{fmt}"


def job_folder(job_id: object) -> str:
    return f"winiadmin/{job_id}"


def discard_job_files(storage: Storage, job_id: object) -> None:
    """Delete whatever was written for a job (a partial upload, say) and its folder."""
    folder = job_folder(job_id)
    try:
        _dirs, files = storage.listdir(folder)
    except (OSError, NotImplementedError):  # nothing was written, or no folders at all
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    try:
        storage.delete(folder)
    except OSError:  # a storage without folders, or one that keeps them
        return


def storage_error_message(exc: OSError, *, preview: bool = False) -> str:
    """Why the upload (or, ``preview``, its cleaned preview) could not be stored."""
    if exc.errno in {errno.ENOSPC, errno.EDQUOT}:
        reason = _("the server has no space left for uploads")
    else:
        reason = exc.strerror or type(exc).__name__
    if preview:
        text = _(
            "The preview could not be stored: %(reason)s. Nothing was imported; try again "
            "later, or tell an administrator."
        )
    else:
        text = _(
            "The file could not be stored: %(reason)s. Nothing was imported; try again later, "
            "or tell an administrator."
        )
    return text % {"reason": reason}
