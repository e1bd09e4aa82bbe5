"""The import wizard: upload → dry run → preview → confirm → result.

Every view is wrapped by its site's door (on the admin ``admin_site.admin_view``: login, staff,
CSRF on POST; outside it ``winiadmin.wizard``'s) and checks the importer's permissions through
the site; contexts start from the site's ``each_context``. HTMX swaps the
paginated tables; without HTMX every link and form still works as a full page.
"""

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from winiadmin.admin.background import BackgroundViews
from winiadmin.admin.conventions import ConventionViews, conventions_context
from winiadmin.admin.create_choices import CreateChoiceViews, create_choice_context
from winiadmin.admin.downloads import DownloadViews
from winiadmin.admin.edits import EditViews, edits_context
from winiadmin.admin.forms import ColumnMappingForm, ConfirmForm, ReadAgainForm, UploadForm
from winiadmin.admin.grid import profile_columns, rows_context
from winiadmin.admin.job_views import Route, user_of
from winiadmin.admin.paging import PageInfo
from winiadmin.admin.problems import filter_problems, problem_groups
from winiadmin.admin.progress import progress_context
from winiadmin.admin.responses import model_or_none, redirect
from winiadmin.admin.unmatched import unmatched_context
from winiadmin.admin.value_mappings import ValueMappingViews, mapping_context
from winiadmin.cleaning.mapping import ColumnMapping
from winiadmin.conf import get_config
from winiadmin.import_report import ImportReport
from winiadmin.importers import Importer
from winiadmin.jobs.background import start_execution, start_validation
from winiadmin.jobs.edits import can_edit
from winiadmin.jobs.mapping import (
    applied_from_memory,
    apply_mapping,
    can_change_mapping,
    mapping_report,
    needs_mapping,
    remembered_mapping,
    renamed_columns,
    saved_mapping,
)
from winiadmin.jobs.rejected import (
    rejected_row_numbers,
)
from winiadmin.jobs.runner import JobStateError, create_job
from winiadmin.jobs.stale import reap_stale_jobs
from winiadmin.jobs.undo import nothing_to_undo
from winiadmin.models import ImportJob
from winiadmin.readers.cells import is_bad_bytes_message
from winiadmin.results import ModelCount
from winiadmin.storage import UploadStorageError

PREVIEW_STATUSES = {
    ImportJob.Status.UPLOADED,
    ImportJob.Status.VALIDATING,
    ImportJob.Status.VALIDATED,
    ImportJob.Status.INVALID,
}


@dataclass(frozen=True, slots=True)
class ModelLink:
    """A model of the result, with its changelist's URL (``""``: not on this admin site)."""

    counts: ModelCount
    url: str


class ImportWizard(
    BackgroundViews,
    DownloadViews,
    EditViews,
    ValueMappingViews,
    CreateChoiceViews,
    ConventionViews,
):
    """The wizard's pages: choose an importer, upload, columns, preview, confirm, result."""

    def routes(self) -> list[Route]:
        return [
            ("importers/", self.importers_view, "importers"),
            ("start/<str:importer>/", self.start_view, "start"),
            ("<uuid:job_id>/job/", self.job_view, "job"),
            ("<uuid:job_id>/rows/", self.rows_view, "rows"),
            ("<uuid:job_id>/problems/", self.problems_view, "problems"),
            ("<uuid:job_id>/confirm/", self.confirm_view, "confirm"),
            ("<uuid:job_id>/read-again/", self.read_again_view, "read_again"),
            ("<uuid:job_id>/columns/", self.columns_view, "columns"),
            *super().routes(),
        ]

    # -- pages -------------------------------------------------------------------------------

    def importers_view(self, request: HttpRequest) -> HttpResponse:
        user = user_of(request)
        model = model_or_none(request.GET.get("model", ""))
        usable = self.site.offered(user)
        if not usable:
            raise PermissionDenied(_("There is nothing you may import."))
        if model is not None:
            usable = [i for i in usable if model in i.models]
        context = self._context(request, _("Import data"), model, importers=usable)
        return self._render(request, "importers", context, model)

    def start_view(self, request: HttpRequest, importer: str) -> HttpResponse:
        importer_cls = self._importer(request, importer)
        model = model_or_none(request.GET.get("model", "")) or importer_cls.models[0]
        posted = request.method == "POST"  # not ``request.POST or None``: {} is a submission too
        form = UploadForm(importer_cls, *((request.POST, request.FILES) if posted else ()))
        if posted and form.is_valid():
            try:
                job = create_job(
                    importer=importer_cls,
                    upload=form.cleaned_data["file"],
                    user=user_of(request),
                    options=form.option_texts(),
                    read_options=form.read_options(),
                    skip_invalid=form.cleaned_data["skip_invalid"],
                    target_model=model._meta.label,
                    fixed_values=self.site.fixed_values(request, importer_cls),
                    user_scoped=self.site.user_scoped,
                    conventions=form.conventions(),
                )
            except UploadStorageError as exc:  # the form again, with the reason
                form.add_error("file", str(exc))
                return self._upload_page(request, importer_cls, model, form)
            try:
                start_validation(job)  # here, or queued for a worker (BACKGROUND_THRESHOLD)
            except JobStateError as exc:  # changed since the form checked it: the job failed
                messages.warning(request, str(exc))
            return self.redirect_to_job(request, job)
        return self._upload_page(request, importer_cls, model, form)

    def _upload_page(
        self,
        request: HttpRequest,
        importer_cls: type[Importer],
        model: type[Model],
        form: UploadForm,
    ) -> HttpResponse:
        title = _("Import: %(importer)s") % {"importer": importer_cls.get_verbose_name()}
        context = self._context(request, title, model, importer=importer_cls, form=form)
        return self._render(request, "upload", context, model)

    def job_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        reap_stale_jobs(job)  # a job whose worker died says so instead of "running" forever
        if needs_mapping(job):  # the headers need a look before the preview means anything
            return self._map_columns(request, job)
        return self.preview_response(request, job, {})

    def preview_response(
        self, request: HttpRequest, job: ImportJob, extra: dict[str, Any]
    ) -> HttpResponse:
        """The job's page: its progress, its preview (``extra``: what an edit found), or its
        result."""
        importer_cls = self._importer(request, job.importer)
        model = model_or_none(job.target_model)
        if job.is_active:
            return self._progress_page(request, job, importer_cls, model)
        step = "preview" if job.status in PREVIEW_STATUSES else "result"
        report = job.import_report
        rows = rows_context(job, "1")
        context = self._context(
            request,
            _("Import of %(name)s") % {"name": job.original_name},
            model,
            importer=importer_cls,
            report=report,
            groups=problem_groups(report.problems),
            confirm_form=ConfirmForm(initial={"skip_invalid": job.skip_invalid}),
            changelists=self._changelists(report),
            rejected_count=len(rejected_row_numbers(report)),
            read_again_form=read_again_form(job),
            can_change_columns=can_change_mapping(job),
            nothing_to_undo=nothing_to_undo(job),
            remembered=applied_from_memory(job, user_of(request)),
            renamed_columns=renamed_columns(job),
            **(
                rows
                | problems_context(job, "1")
                | unmatched_context(report, planned=step == "preview")
            ),
            profile_columns=profile_columns(report, rows["columns"]),
            **edits_context(job),
            **mapping_context(self.site, request, job, report),
            **conventions_context(self.site, request, job),
            **create_choice_context(request, job, report),
            **extra,
        )
        return self._render(request, step, context, model)

    def _map_columns(self, request: HttpRequest, job: ImportJob) -> HttpResponse:
        """Apply the user's remembered mapping when it decides every column; else ask."""
        user = user_of(request)
        saved = remembered_mapping(job, user)
        if saved is None:
            return redirect(request, self.url("columns", job.pk))
        try:
            apply_mapping(job, ColumnMapping.from_json(saved.mapping), user, remember=False)
        except JobStateError as exc:
            messages.warning(request, str(exc))
        return self.redirect_to_job(request, job)

    def _progress_page(
        self,
        request: HttpRequest,
        job: ImportJob,
        importer_cls: type[Importer],
        model: type[Model] | None,
    ) -> HttpResponse:
        title = _("Import of %(name)s") % {"name": job.original_name}
        context = self._context(
            request, title, model, importer=importer_cls, **progress_context(job)
        )
        return self._render(request, "progress", context, model)

    def columns_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        """The column mapping step: a select per file column; saving it runs the check again."""
        job, importer_cls = self._job(request, job_id)
        found = mapping_report(job)
        if found is None or not can_change_mapping(job):
            messages.warning(request, _("The columns of this import cannot be changed now."))
            return self.redirect_to_job(request, job)
        user = user_of(request)
        saved = saved_mapping(job, user)
        initial = job.column_mapping or (saved.mapping if saved is not None else None)
        posted = request.method == "POST"
        form = ColumnMappingForm(found, initial, *((request.POST,) if posted else ()))
        if posted and form.is_valid():
            try:
                apply_mapping(job, form.mapping(), user)
            except JobStateError as exc:
                messages.warning(request, str(exc))
            return self.redirect_to_job(request, job)
        model = model_or_none(job.target_model)
        title = _("Columns of %(name)s") % {"name": job.original_name}
        context = self._context(
            request,
            title,
            model,
            importer=importer_cls,
            job=job,
            form=form,
            saved=saved,
            report=job.import_report,
            read_again_form=read_again_form(job),
        )
        return self._render(request, "columns", context, model)

    # -- fragments (HTMX) and downloads --------------------------------------------------------

    def rows_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        only_problems = request.GET.get("problems") == "1"
        row = request.GET.get("row", "")
        shown = int(row) if row.isdigit() else None
        context = rows_context(job, request.GET.get("page"), only_problems, shown)
        return TemplateResponse(request, "admin/winiadmin/_rows.html", context)

    def problems_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        context = problems_context(
            job, request.GET.get("page"), request.GET.get("kind", ""), request.GET.get("column", "")
        )
        return TemplateResponse(request, "admin/winiadmin/_problems.html", context)

    def read_again_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._read_again)(request, job_id)

    def _read_again(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        """Another sheet or header row: the same upload read again, and a new dry run."""
        job, _importer = self._job(request, job_id)
        sheets = job.import_report.sheets
        form = ReadAgainForm(list(sheets), request.POST, **read_again_fields(job))
        if not form.is_valid():
            messages.warning(
                request, " ".join(str(e) for errs in form.errors.values() for e in errs)
            )
            return self.redirect_to_job(request, job)
        job.read_options = form.read_options(job.read_options)
        try:
            start_validation(job)  # here, or queued for a worker (BACKGROUND_THRESHOLD)
        except JobStateError as exc:
            messages.warning(request, str(exc))
        if sheets and not job.import_report.sheets:
            # A read that failed (a wrong header row) learnt no sheet names; the file has them.
            job.report = replace(job.import_report, sheets=sheets).to_json()
            job.save(update_fields=["report", "updated_at"])
        return self.redirect_to_job(request, job)

    @staticmethod
    def _confirm_choices(request: HttpRequest) -> dict[str, bool]:
        """``skip_invalid`` and ``create_missing`` as ticked on the confirm form."""
        form = ConfirmForm(request.POST)
        valid = form.is_valid()
        return {name: valid and bool(form.cleaned_data[name]) for name in form.fields}

    def confirm_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        return require_POST(self._confirm)(request, job_id)

    def _changelists(self, report: ImportReport) -> list[ModelLink]:
        """The result's models, each linked to its rows' list on this site (if it has one)."""
        return [
            ModelLink(entry, self.site.changelist_url(model))
            for entry in report.models
            if (model := model_or_none(entry.label)) is not None
        ]

    def _confirm(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        try:
            start_execution(job, user=user_of(request), **self._confirm_choices(request))
        except JobStateError as exc:
            messages.warning(request, str(exc))
        return self.redirect_to_job(request, job)


def read_again_fields(job: ImportJob) -> dict[str, bool]:
    """Which choices apply to the job's file: ``text`` (an encoding: the file was not plainly read
    as UTF-8, has bytes that are not UTF-8 text, or its encoding was chosen) and ``header`` (a
    header row in question: see :func:`header_row_in_question`)."""
    report = job.import_report
    label = report.source.encoding
    bad_bytes = any(is_bad_bytes_message(p.message) for p in report.problems)
    doubtful = bool(label) and (label != "UTF-8" or bad_bytes)
    text = bool(job.read_options.get("encoding")) or doubtful
    header = header_row_in_question(report, job.read_options.get("header_row"))
    return {"text": text, "header": header}


def read_again_form(job: ImportJob) -> ReadAgainForm | None:
    """The sheet, header row and encoding pickers, while the job is a preview, where they apply:
    see :func:`read_again_fields`."""
    report = job.import_report
    chosen = job.read_options.get("header_row")
    fields = read_again_fields(job)
    if job.status not in PREVIEW_STATUSES or not any(fields.values()):
        return None  # a plain table read from row 1, Parquet, or a job already run
    sheets = list(report.sheets)
    sheet = report.source.sheet or job.read_options.get("sheet")
    if isinstance(sheet, int) and 0 <= sheet < len(sheets):  # chosen by number on upload
        sheet = sheets[sheet]
    initial = {"sheet": sheet, "header_row": chosen, "encoding": job.read_options.get("encoding")}
    return ReadAgainForm(sheets, initial=initial, **fields)


def header_row_in_question(report: ImportReport, chosen: object) -> bool:
    """Workbooks (a sheet to pick), a header row chosen by hand or guessed below row 1 (title
    rows skipped), or a file whose columns were not found (the wrong row may have been read).
    Not for a plain table read from its first row, nor for formats without a header row."""
    detected = report.header_row
    if chosen is not None or report.sheets:
        return True
    if detected is None:
        return False  # JSON, Parquet, or a file that could not be read at all
    return detected > 1 or bool(report.file_errors)


def problems_context(
    job: ImportJob, raw_page: str | None, kind: str = "", column: str = ""
) -> dict[str, Any]:
    """One page of the job's problems, optionally only one kind and column."""
    problems = filter_problems(job.import_report.problems, kind, column)
    page = PageInfo.from_request(raw_page, get_config().PAGE_SIZE, len(problems))
    return {
        "job": job,
        "problems_page": page,
        "problems": problems[page.offset : page.offset + page.size],
        "kind": kind,
        "kind_label": problems[0].label if kind and problems else "",
        "column": column,
        "problems_query": "&" + urlencode({"kind": kind, "column": column}),
        "can_edit": can_edit(job),
    }
