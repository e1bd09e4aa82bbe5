"""A job's problems and its cleaned rows (the dry run's preview), page by page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import JsonResponse

from winiadmin.api.access import usable_job
from winiadmin.api.endpoint import endpoint, page_number
from winiadmin.api.errors import invalid
from winiadmin.api.serializers import cell_json, page_json
from winiadmin.conf import get_config
from winiadmin.import_report import problem_json
from winiadmin.jobs.frames import ROW, count_rows, read_page

if TYPE_CHECKING:
    from django.http import HttpRequest

    from winiadmin.permissions import User

#: Most rows a client may ask for per page.
MAX_PAGE_SIZE = 1000


def _page_size(request: HttpRequest) -> int:
    raw = request.GET.get("page_size", "")
    if not raw:
        return get_config().PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        msg = f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}."
        raise invalid(msg, {"field": "page_size"})
    return int(raw)


def problems(request: HttpRequest, user: User, job_id: str) -> JsonResponse:
    """The problems kept by the last run, optionally of one ``kind`` and ``column``; ``total``
    counts the filtered list, ``problem_count`` every problem found (beyond ``MAX_PROBLEMS``)."""
    job, _importer = usable_job(user, job_id)
    number, size = page_number(request), _page_size(request)
    kind, column = request.GET.get("kind", ""), request.GET.get("column", "")
    report = job.import_report
    found = [
        p
        for p in report.problems
        if (not kind or p.kind == kind) and (not column or (p.column or "") == column)
    ]
    start = (number - 1) * size
    return JsonResponse(
        {
            **page_json(number, size, len(found)),
            "problem_count": report.problem_count,
            "problems": [problem_json(p) for p in found[start : start + size]],
        }
    )


def rows(request: HttpRequest, user: User, job_id: str) -> JsonResponse:
    """The cleaned rows as the dry run left them, each with its file row (header = row 1)."""
    job, _importer = usable_job(user, job_id)
    number, size = page_number(request), _page_size(request)
    stored = job.preview_file
    total = count_rows(stored) if stored else 0
    frame = read_page(stored, (number - 1) * size, size) if total else None
    columns = [c for c in frame.columns if c != ROW] if frame is not None else []
    return JsonResponse(
        {
            **page_json(number, size, total),
            "columns": columns,
            "rows": [
                {"row": int(record[ROW]), "values": {c: cell_json(record[c]) for c in columns}}
                for record in (frame.iter_rows(named=True) if frame is not None else ())
            ],
        }
    )


problems_endpoint = endpoint({"GET": problems})
rows_endpoint = endpoint({"GET": rows})
