"""Jobs: list the user's, create one from an upload (its dry run starts), read one."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.http import JsonResponse

from winiadmin.api.access import importer_for, job_list, usable_job
from winiadmin.api.endpoint import endpoint, flag, json_body, page_number
from winiadmin.api.errors import invalid
from winiadmin.api.inputs import (
    READ_OPTIONS,
    checked_upload,
    fetched,
    importer_conventions,
    option_texts,
    read_options,
)
from winiadmin.api.serializers import job_json, page_json
from winiadmin.conf import get_config
from winiadmin.jobs.background import start_validation
from winiadmin.jobs.runner import JobStateError, create_job
from winiadmin.jobs.stale import reap_stale_jobs

if TYPE_CHECKING:
    from django.http import HttpRequest

    from winiadmin.permissions import User


def list_jobs(request: HttpRequest, user: User) -> JsonResponse:
    number = page_number(request)
    size = get_config().PAGE_SIZE
    jobs = job_list(user)
    total = jobs.count()
    shown = jobs[(number - 1) * size : number * size]
    return JsonResponse({**page_json(number, size, total), "jobs": [job_json(j) for j in shown]})


def create(request: HttpRequest, user: User) -> JsonResponse:
    """A multipart upload (``importer``, ``file``; optional ``options`` and ``conventions`` as
    JSON objects, ``skip_invalid`` and the read options as fields of their own), or a JSON body
    naming a ``url`` or a ``storage`` and ``path`` instead of the file (docs/sources.md)."""
    if request.content_type == "application/json":
        body = json_body(request)
        importer = importer_for(user, str(body.get("importer", "")))
        given, read, skip = body.get("options"), body.get("read_options") or {}, body
        conventions = importer_conventions(importer, body.get("conventions"))
        if not isinstance(read, dict):
            raise invalid("read_options must be a JSON object.", {"field": "read_options"})
        upload = checked_upload(fetched(body))
    else:
        importer = importer_for(user, request.POST.get("importer", ""))
        upload = checked_upload(request.FILES.get("file"))
        try:
            given = json.loads(request.POST.get("options") or "{}")
        except ValueError as exc:
            raise invalid("options must be a JSON object.", {"field": "options"}) from exc
        read = {k: request.POST[k] for k in READ_OPTIONS if k in request.POST}
        try:
            conventions = importer_conventions(
                importer, json.loads(request.POST.get("conventions") or "null")
            )
        except ValueError as exc:
            raise invalid("conventions must be a JSON object.", {"field": "conventions"}) from exc
        skip = request.POST
    try:
        job = create_job(
            importer=importer,
            upload=upload,
            user=user,
            options=option_texts(importer, given),
            read_options=read_options(read),
            skip_invalid=flag(skip, "skip_invalid"),
            target_model=importer.models[0]._meta.label if importer.models else "",
            conventions=conventions,
        )
    finally:
        upload.close()  # a downloaded file is a temporary file: deleted now
    try:
        start_validation(job)  # here, or queued for a worker (BACKGROUND_THRESHOLD)
    except JobStateError:  # changed since it was checked (an option's object deleted): failed
        job.refresh_from_db()
    response = JsonResponse(job_json(job), status=201)
    response["Location"] = job_json(job)["url"]
    return response


def show(request: HttpRequest, user: User, job_id: str) -> JsonResponse:
    job, _importer = usable_job(user, job_id)
    reap_stale_jobs(job)  # a job whose worker died says so instead of "running" forever
    return JsonResponse(job_json(job))


jobs = endpoint({"GET": list_jobs, "POST": create})
job = endpoint({"GET": show})
