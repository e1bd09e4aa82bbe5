"""The one place that reads ``settings.WINIADMIN``.

Every other module asks :func:`get_config` and gets a typed, validated, cached object. The cache is
dropped when a test changes the setting (``setting_changed``).
"""

from dataclasses import dataclass, fields
from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

SETTING_NAME = "WINIADMIN"

#: What a webhook may be told of: a real run that succeeded, a job that failed or was
#: cancelled (either run), an import undone.
WEBHOOK_EVENTS = ("finished", "failed", "cancelled", "undone")


@dataclass(frozen=True, slots=True)
class Webhook:
    """One entry of ``WINIADMIN["WEBHOOKS"]`` (docs/webhooks.md); checked by ``winiadmin.E03x``."""

    #: Where the POST goes (https, or http on a private network).
    url: str
    #: The HMAC-SHA256 key the receiver verifies the signature with.
    secret: str
    #: Which of ``WEBHOOK_EVENTS``; all by default.
    events: tuple[str, ...] = WEBHOOK_EVENTS
    #: Only jobs of these importers (names); empty: every importer.
    importers: tuple[str, ...] = ()

    def wants(self, event: str, importer: str) -> bool:
        return event in self.events and (not self.importers or importer in self.importers)


@dataclass(frozen=True, slots=True)
class WiniadminConfig:
    """Defaults of every ``WINIADMIN`` key; a project overrides any of them in its settings."""

    #: Rows per INSERT statement (``bulk_create`` batch) unless a caller passes ``batch_size``.
    BATCH_SIZE: int = 1000
    #: Rows per chunk for frame-native importers (COPY / executemany) unless given.
    FRAME_BATCH_SIZE: int = 50_000
    #: CSV/TSV files at least this large (bytes) are read and loaded in batches by frame-native
    #: importers, so that memory stays flat (docs/loading.md); ``None`` reads every file whole.
    STREAM_THRESHOLD_BYTES: int | None = 32 * 1024 * 1024
    #: Rows per batch when a file is streamed.
    STREAM_BATCH_ROWS: int = 100_000
    #: Rows of the cleaned frame kept in a result for previews.
    PREVIEW_ROWS: int = 20
    #: How many bytes the readers look at to detect the encoding, delimiter and format.
    SNIFF_BYTES: int = 64 * 1024
    #: Name of the ``STORAGES`` alias that keeps uploads (private: never served).
    STORAGE_ALIAS: str = "winiadmin"
    #: Largest file accepted, in bytes: uploads, and every file the readers are given.
    MAX_UPLOAD_SIZE: int = 100 * 1024 * 1024
    #: Most rows a file may have under its header (blank lines included).
    MAX_ROWS: int = 5_000_000
    #: Most cells (rows x columns) a table may have: what reading costs in memory and time.
    MAX_CELLS: int = 50_000_000
    #: Most columns a table may have; a guard against absurd headers (Excel's own maximum), the
    #: cost of a wide table is bounded by ``MAX_CELLS``.
    MAX_COLUMNS: int = 16_384
    #: Longest cell accepted, in characters.
    MAX_CELL_LENGTH: int = 1_000_000
    #: Most bytes a workbook (.xlsx, .ods: a zip) may unpack to, all its members together.
    MAX_DECOMPRESSED_SIZE: int = 500 * 1024 * 1024
    #: Highest compression ratio of a workbook member over 10 MB unpacked (zip bombs: ~1000).
    MAX_COMPRESSION_RATIO: int = 200
    #: Most problems stored in a report; the counts stay exact beyond it.
    MAX_PROBLEMS: int = 100_000
    #: Upsert: updated rows per model whose changes (old → new) a report keeps.
    MAX_DIFFS: int = 200
    #: Rows per page of the wizard's preview tables (cleaned rows, problems).
    PAGE_SIZE: int = 50
    #: Uploads of jobs that never ran are deleted by ``winiadmin_cleanup`` after this many hours.
    UPLOAD_MAX_AGE_HOURS: int = 24
    #: Uploads of at least this many bytes are checked and imported by a task worker
    #: (``django.tasks``) instead of inside the request; 0 = every upload, None = never.
    BACKGROUND_THRESHOLD: int | None = None
    #: The ``settings.TASKS`` alias background imports are enqueued on.
    TASK_BACKEND: str = "default"
    #: A running job whose heartbeat is older than this is taken for dead (its worker was killed).
    STALE_AFTER_SECONDS: int = 60
    #: Seconds between two progress/heartbeat writes (and cancel checks) of a running job.
    PROGRESS_INTERVAL: float = 0.5
    #: Seconds between two looks for jobs whose worker died, by every running job's monitor and
    #: by the watch task a worker queues beside each job it runs (docs/background.md).
    SWEEP_INTERVAL: float = 2.0
    #: Runs a background step gets in all when its worker dies: 1 (the default) marks the job
    #: failed and offers Retry; 3 queues it again twice without a person, then fails it.
    MAX_ATTEMPTS: int = 1
    #: Exports of at least this many rows run on a task worker (docs/export.md); 0 = every
    #: export, None = none (the file is written inside the request).
    EXPORT_BACKGROUND_ROWS: int | None = None
    #: Hours a background export's download link works; ``winiadmin_cleanup`` deletes the file
    #: after.
    EXPORT_LINK_HOURS: int = 24
    #: Imports from a URL (docs/sources.md): plain http allowed too (HTTPS only by default).
    SOURCE_ALLOW_HTTP: bool = False
    #: Networks (CIDR, e.g. "10.1.0.0/16") a URL may point into although they are private,
    #: loopback or link-local; every such address is refused otherwise.
    SOURCE_ALLOWED_NETWORKS: tuple[str, ...] = ()
    #: Seconds a download may take in all (and each read may wait).
    SOURCE_TIMEOUT: float = 30.0
    #: Redirects followed, each checked like the first URL.
    SOURCE_MAX_REDIRECTS: int = 5
    #: ``STORAGES`` aliases a file may be imported from by path (none by default).
    SOURCE_STORAGES: tuple[str, ...] = ()
    #: Webhooks told when a job ends or is undone: a list of dicts with ``url``, ``secret`` and
    #: optionally ``events`` and ``importers`` (docs/webhooks.md), read as ``Webhook``s.
    WEBHOOKS: tuple[Webhook, ...] = ()
    #: Attempts per webhook delivery before it is marked failed.
    WEBHOOK_MAX_ATTEMPTS: int = 5
    #: Seconds before the first retry of a delivery; each next retry waits twice as long.
    WEBHOOK_RETRY_SECONDS: float = 10.0
    #: Seconds a receiver has to answer one POST.
    WEBHOOK_TIMEOUT: float = 10.0


@cache
def get_config() -> WiniadminConfig:
    raw: Any = getattr(settings, SETTING_NAME, {}) or {}
    if not isinstance(raw, dict):
        msg = f"settings.{SETTING_NAME} must be a dict, not {type(raw).__name__}"
        raise TypeError(msg)
    known = {f.name for f in fields(WiniadminConfig)}
    unknown = sorted(set(raw) - known)
    if unknown:
        msg = f"Unknown settings.{SETTING_NAME} keys: {', '.join(unknown)}"
        raise ValueError(msg)
    if "WEBHOOKS" in raw:
        raw = {**raw, "WEBHOOKS": _webhooks(raw["WEBHOOKS"])}
    for key in ("SOURCE_ALLOWED_NETWORKS", "SOURCE_STORAGES"):
        if key in raw:
            raw = {**raw, key: tuple(str(v) for v in raw[key])}
    return WiniadminConfig(**raw)


def _webhooks(entries: object) -> tuple[Webhook, ...]:
    """``WEBHOOKS`` as typed entries; a shape no check could read is refused here (E001)."""
    if not isinstance(entries, list | tuple):
        msg = f"settings.{SETTING_NAME}['WEBHOOKS'] must be a list of dicts"
        raise TypeError(msg)
    known = {f.name for f in fields(Webhook)}
    webhooks = []
    for index, entry in enumerate(entries):
        where = f"settings.{SETTING_NAME}['WEBHOOKS'][{index}]"
        if not isinstance(entry, dict) or not {"url", "secret"} <= set(entry):
            msg = f"{where} must be a dict with 'url' and 'secret'"
            raise ValueError(msg)
        unknown = sorted(set(entry) - known)
        if unknown:
            msg = f"Unknown {where} keys: {', '.join(unknown)}"
            raise ValueError(msg)
        webhooks.append(
            Webhook(
                url=str(entry["url"]),
                secret=str(entry["secret"]),
                events=tuple(str(e) for e in entry.get("events", WEBHOOK_EVENTS)),
                importers=tuple(str(i) for i in entry.get("importers", ())),
            )
        )
    return tuple(webhooks)


@receiver(setting_changed)
def _reset_config(*, setting: str, **_: object) -> None:
    if setting == SETTING_NAME:
        get_config.cache_clear()
