"""The wizard's downloads: the problems file, the rejected rows, an importer's empty template.

Every file goes through :mod:`winiadmin.spreadsheets` (one formula guard, one XLSX writer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from winiadmin.admin.job_views import JobViews, Route
from winiadmin.admin.problems import problems_csv
from winiadmin.exceptions import WiniadminError
from winiadmin.importers.template_file import FORMATS as TEMPLATE_FORMATS
from winiadmin.importers.template_file import template_csv, template_file_name, template_xlsx
from winiadmin.jobs.rejected import FORMATS as REJECTED_FORMATS
from winiadmin.jobs.rejected import rejected_csv, rejected_file_name, rejected_xlsx
from winiadmin.spreadsheets import CONTENT_TYPES

if TYPE_CHECKING:
    from uuid import UUID

    from django.http import HttpRequest


class DownloadViews(JobViews):
    """The problems as CSV, the rejected rows, an importer's empty template."""

    def routes(self) -> list[Route]:
        return [
            *super().routes(),
            ("<uuid:job_id>/problems.csv", self.problems_csv_view, "problems_csv"),
            ("<uuid:job_id>/rejected.<str:fmt>", self.rejected_view, "rejected"),
            ("template/<str:importer>.<str:fmt>", self.template_view, "template"),
        ]

    def problems_csv_view(self, request: HttpRequest, job_id: UUID) -> HttpResponse:
        job, _importer = self._job(request, job_id)
        return attachment(problems_csv(job), "csv", f"problems-{job.pk}.csv")

    def rejected_view(self, request: HttpRequest, job_id: UUID, fmt: str) -> HttpResponse:
        """The rows with errors as they were typed, plus why: to fix and import again."""
        job, _importer = self._job(request, job_id)
        if fmt not in REJECTED_FORMATS:
            raise Http404(_("No rejected rows file in that format."))
        content = rejected_csv(job) if fmt == "csv" else rejected_xlsx(job)
        return attachment(content, fmt, rejected_file_name(job, fmt))

    def template_view(self, request: HttpRequest, importer: str, fmt: str) -> HttpResponse:
        """The importer's empty file (headers, an example row) to fill in and upload."""
        importer_cls = self._importer(request, importer)
        if fmt not in TEMPLATE_FORMATS:
            raise Http404(_("No template in that format."))
        try:
            content = template_csv(importer_cls) if fmt == "csv" else template_xlsx(importer_cls)
        except WiniadminError as exc:  # no cleaning class: nothing to describe
            raise Http404(str(exc)) from exc
        return attachment(content, fmt, template_file_name(importer_cls, fmt))


def attachment(content: str | bytes, fmt: str, filename: str) -> HttpResponse:
    """A download of a CSV or XLSX file under ``filename``."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
