"""Uploads and cached previews live in a private storage from ``STORAGES``, never a temp folder.

Names are made here from the job's id; the user's file name is only ever shown, never used as
a path.
"""

from pathlib import PurePath

from django.core.files.storage import Storage, storages

from winiadmin.conf import get_config

_SAFE_SUFFIXES = {
    ".csv", ".tsv", ".tab", ".txt", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods",
    ".json", ".ndjson", ".jsonl", ".parquet",
}  # fmt: skip


def upload_storage() -> Storage:
    """The storage alias ``WINIADMIN["STORAGE_ALIAS"]`` (``default`` when it is not configured)."""
    alias = get_config().STORAGE_ALIAS
    return storages[alias] if alias in storages.backends else storages["default"]


def upload_name(job_id: object, original_name: str) -> str:
    """``winiadmin/<job id>/upload<.ext>``: only a known extension survives from the user's name."""
    suffix = PurePath(original_name).suffix.lower()
    return f"winiadmin/{job_id}/upload{suffix if suffix in _SAFE_SUFFIXES else ''}"


def preview_name(job_id: object) -> str:
    return f"winiadmin/{job_id}/cleaned.parquet"
