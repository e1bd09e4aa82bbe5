"""A background export's pages: its progress (with a cancel), and its download while the link
works. The mixin (:mod:`winiadmin.admin.export`) finds the job and checks who asks; these
render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from winiadmin.admin.templates import template_candidates
from winiadmin.spreadsheets import CONTENT_TYPES
from winiadmin.storage import upload_storage

if TYPE_CHECKING:
    from django.db.models import Model

    from winiadmin.models import ExportJob


def progress_page(
    request: HttpRequest, context: dict[str, Any], model: type[Model], job: ExportJob
) -> HttpResponse:
    """The job's state; while it runs the page reloads itself every second."""
    done, total = job.rows_done, job.rows_total
    percent = round(100 * done / total) if total else (100 if job.link_works() else 0)
    context = {
        **context,
        "title": _("Export of %(name)s") % {"name": model._meta.verbose_name_plural},
        "job": job,
        "percent": percent,
        "link_works": job.link_works(),
    }
    return TemplateResponse(request, template_candidates("export_job", model), context)


def download(job: ExportJob) -> FileResponse:
    """The file from the private storage, under the name the job was given."""
    handle = upload_storage().open(job.file, "rb")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=job.file_name,
        content_type=CONTENT_TYPES[job.format],
    )
