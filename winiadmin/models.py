"""``ImportJob``: one upload and what happened to it, from the dry run to the real run."""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from winiadmin.conf import get_config
from winiadmin.import_report import ImportReport
from winiadmin.storage import upload_name, upload_storage


def _upload_to(job: "ImportJob", filename: str) -> str:
    return upload_name(job.pk, filename)


class ImportJob(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        #: Waiting for a task worker (see ``queued_step`` for what it will do).
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Validating")
        VALIDATED = "validated", _("Validated")
        INVALID = "invalid", _("Invalid")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    importer = models.CharField(_("importer"), max_length=200)
    #: The model whose changelist the wizard started from ("app_label.ModelName"), if any.
    target_model = models.CharField(_("started from"), max_length=200, blank=True)
    file = models.FileField(
        _("uploaded file"), storage=upload_storage, upload_to=_upload_to, max_length=500, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    #: Importer option values as typed by the user (text), parsed again for each run.
    options = models.JSONField(_("options"), default=dict, blank=True)
    read_options = models.JSONField(_("read options"), default=dict, blank=True)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    #: Field name → value set on every row the import creates, which the file cannot choose
    #: (``UserWizardSite.get_fixed_values``, resolved when the job was created: a worker has no
    #: request). An upsert touches only stored rows holding them.
    fixed_values = models.JSONField(_("fixed values"), default=dict, blank=True)
    #: Started on a user-facing wizard site (``winiadmin.wizard``): the importer's value mappings,
    #: shared by its admin users, are neither offered nor applied to it.
    user_scoped = models.BooleanField(_("started outside the admin"), default=False)
    #: The uploader's language (``LANGUAGE_CODE`` form): a task worker writes the job's
    #: problems and messages in it. Empty: the worker's default language.
    language = models.CharField(_("language"), max_length=15, blank=True, default="")
    #: Create the related rows that natural keys match nothing in (lookups allowing it).
    create_missing = models.BooleanField(_("create missing related rows"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="winiadmin_jobs",
        verbose_name=_("user"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    validated_at = models.DateTimeField(_("validated"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: Objects per model the dry run would create: {"shop.Product": 40, …}.
    dry_run_counts = models.JSONField(_("would create"), default=dict, blank=True)
    #: Objects per model the real run created.
    created_counts = models.JSONField(_("created"), default=dict, blank=True)
    #: The last run's report as stored: rows, timings, source, problems. Read it as
    #: ``import_report`` (typed); written from ``ImportReport.to_json()`` (winiadmin.jobs.report).
    report = models.JSONField(_("report"), default=dict, blank=True)
    #: Primary keys of the created objects per model label (for an undo).
    created_pks = models.JSONField(_("created keys"), default=dict, blank=True)
    #: Storage name of the cleaned frame (Parquet) the preview pages from.
    preview_file = models.CharField(max_length=500, blank=True)
    #: What the last check's reading and cleaning depended on (``winiadmin.jobs.check_inputs``),
    #: set only when its cleaned rows (``preview_file``) may be reused by the real run.
    checked_inputs = models.CharField(max_length=64, blank=True, default="")
    error = models.TextField(_("error"), blank=True)
    #: The column mapping chosen in the wizard (file header → column, ``None``: ignored);
    #: ``None`` while the headers are matched automatically.
    column_mapping = models.JSONField(_("column mapping"), null=True, blank=True)
    #: How the file writes numbers and dates (``FileConventions.to_json()``), as accepted in
    #: the wizard or remembered (``SavedConventions``); ``None``: the importer's own.
    conventions = models.JSONField(_("number and date conventions"), null=True, blank=True)
    #: When the job's edits (``ImportEdit``) last changed; later than ``validated_at``: the last
    #: check did not see them, so the job may not be confirmed until it is checked again.
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    # -- background runs and progress (winiadmin.jobs.background, winiadmin.jobs.monitor) --------
    class Step(models.TextChoices):
        VALIDATE = "validate", _("Dry run")
        EXECUTE = "execute", _("Import")

    #: What a queued job will do once a worker claims it.
    queued_step = models.CharField(
        _("queued step"), max_length=10, choices=Step.choices, blank=True
    )
    #: Id of the ``django.tasks`` task result, when the job ran in the background.
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    #: Who runs it: "<host>:<pid>" of the worker or web process.
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    #: Pipeline stage being worked on (read, clean, transform, load) and its row counts.
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    stage_started_at = models.DateTimeField(_("stage started"), null=True, blank=True)
    rows_done = models.BigIntegerField(_("rows done"), default=0)
    rows_total = models.BigIntegerField(_("rows in stage"), null=True, blank=True)
    #: Written by the running process every PROGRESS_INTERVAL; an old one means it died.
    heartbeat = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    #: Worker runs of the queued step so far: the claim counts one; a person's (re)queue resets
    #: it. ``WINIADMIN["MAX_ATTEMPTS"]`` caps the runs queued again after a worker died.
    attempts_made = models.PositiveIntegerField(_("attempts made"), default=0)
    #: A new token for every claim of the job (winiadmin.jobs.fence): a run may write the job, and
    #: commit its rows, only while the job still carries the token it was claimed with.
    attempt = models.UUIDField(_("attempt"), null=True, blank=True, editable=False)
    #: PostgreSQL: the backend pid of the running attempt's connection, so that a cancel can stop
    #: the statement it runs (``pg_cancel_backend``).
    db_pid = models.IntegerField(_("database backend pid"), null=True, blank=True, editable=False)
    #: Whether the user was told (admin message) that this background job ended.
    notified = models.BooleanField(_("user notified"), default=True)
    #: Per model label, the created rows' count and digest right after the run (see
    #: winiadmin.jobs.fingerprint): an undo refuses when the rows no longer match.
    created_fingerprints = models.JSONField(
        _("created rows' fingerprints"), default=dict, blank=True
    )
    #: The value mappings the last check applied (``RunOptions.value_mappings``): what the
    #: confirm applies too, whatever was saved or deleted since.
    value_mappings = models.JSONField(_("value mappings"), default=dict, blank=True)
    #: Values that match nothing chosen in the preview to be created, per lookup
    #: (``RunOptions.create_values``: ``{"shop.Product.category": ["Garden"]}``); an edit of the
    #: job like a mapping (the check and the confirm create exactly these), never remembered for
    #: another upload.
    create_values = models.JSONField(_("values to create"), default=dict, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]
        permissions = [("view_all_importjobs", _("Can view every user's import jobs"))]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    #: ``import_report`` read last, and the stored JSON it was read from (see there).
    _import_report_of: tuple[object, ImportReport] | None = None

    @property
    def import_report(self) -> ImportReport:
        """The last run's report, typed (``report`` is the JSON it is stored as).

        Read again whenever ``report`` is given another value (a new dict, ``refresh_from_db``);
        a change made inside the stored dict in place is not seen: assign a new dict (written
        with ``ImportReport.to_json``)."""
        stored = self.report
        read = self._import_report_of
        if read is not None and read[0] is stored:
            return read[1]
        report = ImportReport.from_json(stored)
        self._import_report_of = (stored, report)
        return report

    @property
    def only_row_errors(self) -> bool:
        """Invalid, but only because of rows that "skip invalid rows" would leave out (not a
        workbook of several sheets, nor many-to-many values matching nothing: ``unskippable``)."""
        report = self.import_report
        return (
            self.status == self.Status.INVALID and not report.file_errors and not report.unskippable
        )

    @property
    def edits_pending(self) -> bool:
        """Edited since the last check: what a confirm would run is not what was checked."""
        if self.edited_at is None:
            return False
        return self.validated_at is None or self.edited_at > self.validated_at

    def can_confirm(self, *, skip_invalid: bool, create_missing: bool = False) -> bool:
        """Whether the real run may start with this choice about invalid rows."""
        if self.edits_pending:
            return False
        if self.status == self.Status.VALIDATED:
            return True
        return (skip_invalid and self.only_row_errors) or (
            create_missing and self.only_missing_keys
        )

    @property
    def only_missing_keys(self) -> bool:
        """Invalid only because of unknown natural keys that may all be created."""
        report = self.import_report
        unknown = report.counts_by_kind.get("unknown_key", 0)
        return (
            self.status == self.Status.INVALID
            and bool(unknown)
            and unknown == report.error_count
            and all(u.can_create for u in report.unmatched if not u.created)
        )

    @property
    def is_active(self) -> bool:
        """Queued or being worked on: the job page shows its progress. That includes a real run
        that has committed (the fence marks it succeeded in the import's transaction) while its
        worker still writes the outcome — report, counts, keys — right after."""
        return self.status in ACTIVE_STATUSES or self.is_saving_outcome

    @property
    def is_saving_outcome(self) -> bool:
        """Committed, the report still the dry run's: the worker is writing the outcome (for
        ``STALE_AFTER_SECONDS`` at most: a worker that died there leaves the rows, not the
        report)."""
        if self.status != self.Status.SUCCEEDED or self.finished_at is None:
            return False
        if self.import_report.succeeded:
            return False
        limit = timedelta(seconds=get_config().STALE_AFTER_SECONDS)
        return timezone.now() - self.finished_at < limit

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED}


ACTIVE_STATUSES = {
    ImportJob.Status.QUEUED,
    ImportJob.Status.VALIDATING,
    ImportJob.Status.RUNNING,
}


class SavedColumnMapping(models.Model):
    """A user's column mapping for one importer, offered again for files with the same headers."""

    importer = models.CharField(_("importer"), max_length=200)
    #: ``headers_fingerprint`` of the file's headers (order, case and accents do not matter).
    fingerprint = models.CharField(_("headers fingerprint"), max_length=64)
    #: The file's headers as they were spelt, for people reading the table.
    headers = models.JSONField(_("headers"), default=list)
    #: File header → expected column (``None``: ignored).
    mapping = models.JSONField(_("mapping"), default=dict)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="winiadmin_column_mappings",
        verbose_name=_("user"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("saved column mapping")
        verbose_name_plural = _("saved column mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["importer", "fingerprint", "user"],
                name="winiadmin_savedcolumnmapping_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.importer}: {', '.join(self.headers)}"


class ValueMapping(models.Model):
    """A natural-key value that matches nothing, mapped to an existing row by a user: applied to
    this importer's later uploads (every user's) wherever the value still matches nothing."""

    importer = models.CharField(_("importer"), max_length=200)
    #: The lookup: ``shop.Product.category`` (``winiadmin.db.lookups.lookup_key``).
    lookup = models.CharField(_("lookup"), max_length=300)
    #: The file's column the values come from, for people reading the table.
    column = models.CharField(_("column"), max_length=500, blank=True)
    #: The value as cleaned, as text.
    value = models.CharField(_("value"), max_length=1000)
    #: The chosen row: its model's label, primary key (text) and natural key when chosen.
    target_model = models.CharField(_("target model"), max_length=200)
    target_pk = models.CharField(_("target primary key"), max_length=200)
    target_label = models.CharField(_("target"), max_length=1000, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("chosen by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("saved value mapping")
        verbose_name_plural = _("saved value mappings")
        ordering = ["importer", "lookup", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["importer", "lookup", "value"], name="winiadmin_valuemapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.importer}: {self.value} → {self.target_label or self.target_pk}"


class SavedConventions(models.Model):
    """How a user's files write one column of one importer (a decimal comma, day-first dates),
    accepted in the wizard and applied again to that column of the next file."""

    importer = models.CharField(_("importer"), max_length=200)
    #: The importer's column name.
    column = models.CharField(_("column"), max_length=200)
    #: ``FileConventions.to_json()`` of the column.
    conventions = models.JSONField(_("conventions"), default=dict)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="winiadmin_conventions",
        verbose_name=_("user"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("saved number and date conventions")
        verbose_name_plural = _("saved number and date conventions")
        constraints = [
            models.UniqueConstraint(
                fields=["importer", "column", "user"], name="winiadmin_savedconventions_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.importer}.{self.column}"


class ImportEdit(models.Model):
    """One change a user made to a job's data in the preview, applied over the upload (which is
    never modified) whenever the job is checked or run, in the order they were made."""

    class Kind(models.TextChoices):
        CELL = "cell", _("Cell edited")
        EXCLUDE = "exclude", _("Row excluded")
        REPLACE = "replace", _("Replaced in column")

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="edits", verbose_name=_("import job")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    #: The file row (header = row 1); ``None`` for a replace in a whole column.
    row = models.BigIntegerField(_("row"), null=True, blank=True)
    #: The file's column (its header as read); blank for an excluded row.
    column = models.CharField(_("column"), max_length=500, blank=True)
    #: A cell: its value before this edit. A replace: the text matched (``None``: empty cells).
    old = models.TextField(_("old value"), null=True, blank=True)  # noqa: DJ001 - None: empty cell, not ""
    #: The value written (``None``: the cell made empty).
    new = models.TextField(_("new value"), null=True, blank=True)  # noqa: DJ001 - None: empty cell, not ""
    #: A replace: every cell equal to ``old`` (``True``) or every occurrence of ``old`` inside a
    #: cell (``False``).
    whole = models.BooleanField(_("whole value"), default=True)
    #: A replace: the cells it changed when it was made.
    cells = models.BigIntegerField(_("cells changed"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("made"), auto_now_add=True)

    class Meta:
        verbose_name = _("import edit")
        verbose_name_plural = _("import edits")
        ordering = ["job", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: row {self.row}, {self.column}"


class ExportJob(models.Model):
    """An export run by a task worker (``winiadmin.jobs.exports``): its progress, its file in the
    private storage, and when the download link expires."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        #: The file was deleted once its link expired (``winiadmin_cleanup``).
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="winiadmin_exports",
        verbose_name=_("user"),
    )
    #: The exported model ("app_label.ModelName") and the importer whose columns the file has.
    model = models.CharField(_("model"), max_length=200)
    importer = models.CharField(_("importer"), max_length=200)
    format = models.CharField(_("format"), max_length=10)
    #: The chosen columns' headers, in order.
    columns = models.JSONField(_("columns"), default=list)
    #: The rows: the pickled ``Query`` of the changelist's queryset (its filters, search and
    #: ordering, as Django documents pickling a query), written by the server only.
    query = models.BinaryField(_("query"), editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.BigIntegerField(_("rows done"), default=0)
    rows_total = models.BigIntegerField(_("rows"), null=True, blank=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    #: Storage name of the written file (empty until it is written, and once it expired).
    file = models.CharField(_("file"), max_length=500, blank=True)
    #: The name the download is offered under.
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: The download link works until then (``WINIADMIN["EXPORT_LINK_HOURS"]`` after the end).
    expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.model} → {self.format} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    def link_works(self, now: datetime | None = None) -> bool:
        """Succeeded, its file kept, and the link not expired."""
        now = now or timezone.now()
        return (
            self.status == self.Status.SUCCEEDED
            and bool(self.file)
            and (self.expires_at is None or now < self.expires_at)
        )


class ApiToken(models.Model):
    """A bearer token of the JSON API (``winiadmin.api``), acting as its user.

    Only the SHA-256 of the key is stored: the key is shown once, when it is issued
    (``winiadmin.tokens.issue_token``). A key is 256 random bits, so a fast hash is enough
    (nothing to guess by brute force) and lets a request find its token by an indexed lookup.
    """

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="winiadmin_api_tokens",
        verbose_name=_("user"),
    )
    #: SHA-256 (hex) of the key.
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    #: The key's first characters, to tell tokens apart in lists (not enough to use it).
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    #: ``None``: never expires (delete the token to revoke it).
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class WebhookDelivery(models.Model):
    """One event told to one webhook (``WINIADMIN["WEBHOOKS"]``): what was sent, how it went.

    Created when the event happens (in the same transaction as the undo; right after a run's
    outcome is written), sent by a task worker (``winiadmin.webhooks.send``), retried with
    exponential backoff up to ``WEBHOOK_MAX_ATTEMPTS``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job = models.ForeignKey(
        ImportJob,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_deliveries",
        verbose_name=_("import job"),
    )
    event = models.CharField(_("event"), max_length=20)
    url = models.URLField(_("URL"), max_length=500)
    #: The JSON body, as sent (signed when sent: the timestamp is part of the signature).
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    #: The receiver's HTTP status at the last attempt (``None``: no answer).
    response_status = models.IntegerField(_("response status"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} → {self.url} ({self.get_status_display()})"
