"""One wrapper for every API view: authentication, method dispatch, errors as JSON.

A view of the API is a set of handlers, one per HTTP method, each given the request, the
authenticated user and the URL's arguments, returning a ``JsonResponse``. Whatever goes wrong
becomes a JSON error with a stable code (``errors.py``) — a missing object, a refusal, a job
in the wrong state and an unexpected exception alike, never Django's HTML pages.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.csrf import csrf_exempt

from winiadmin.api.auth import authenticate
from winiadmin.api.errors import ApiError, error_response, invalid
from winiadmin.jobs.runner import JobStateError
from winiadmin.storage import UploadStorageError

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger("winiadmin")


#: A handler of one HTTP method: ``(request, user, **url arguments) -> JsonResponse``.
type Handler = Callable[..., JsonResponse]


def endpoint(handlers: Mapping[str, Handler]) -> Callable[..., HttpResponse]:
    """The Django view answering ``handlers``' methods (CSRF is checked by ``authenticate`` for
    session requests only, so the view itself is exempt)."""
    allowed = ", ".join(sorted(handlers))

    @csrf_exempt
    def view(request: HttpRequest, **url: str) -> HttpResponse:
        try:
            user = authenticate(request)
            handler = handlers.get(request.method or "")
            if handler is None:
                response = error_response(
                    405,
                    "method_not_allowed",
                    gettext("Allowed: %(methods)s.") % {"methods": allowed},
                    {"allowed": sorted(handlers)},
                )
                response["Allow"] = allowed
                return response
            return handler(request, user, **url)
        except Exception as exc:
            return _failure(request, exc)

    return view


#: What the jobs and Django raise, as the API answers it (the first match wins): status, code,
#: and the message when the exception's own is not for clients (or is empty).
_KNOWN: tuple[tuple[type[Exception] | tuple[type[Exception], ...], int, str, str, bool], ...] = (
    (JobStateError, 409, "job_state", "", True),
    (UploadStorageError, 507, "storage_error", "", True),
    (Http404, 404, "not_found", gettext_noop("Not found."), True),
    (PermissionDenied, 403, "permission_denied", gettext_noop("Permission denied."), True),
    (
        RequestDataTooBig,
        413,
        "invalid_request",
        gettext_noop("The request body is too large."),
        False,
    ),
    (
        (MultiPartParserError, SuspiciousOperation),
        400,
        "invalid_request",
        gettext_noop("The request body cannot be read."),
        False,
    ),
)


def _failure(request: HttpRequest, exc: Exception) -> JsonResponse:
    """The JSON answer to what a handler raised; never Django's HTML page nor a traceback."""
    if isinstance(exc, ApiError):
        return exc.response()
    for kinds, status, code, default, own_message in _KNOWN:
        if isinstance(exc, kinds):
            message = (own_message and str(exc)) or (gettext(default) if default else "")
            return error_response(status, code, message)
    logger.error("winiadmin API: %s %s failed", request.method, request.path, exc_info=exc)
    return error_response(500, "server_error", gettext("Unexpected error; it was logged."))


@csrf_exempt
def unknown_url(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any URL under the API that matches no endpoint: a JSON 404, not Django's page."""
    return error_response(
        404, "not_found", gettext("No API endpoint at %(path)s.") % {"path": request.path}
    )


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object (an empty body is ``{}``)."""
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid(gettext("The body is not JSON: %(error)s") % {"error": exc}) from exc
    if not isinstance(data, dict):
        raise invalid(gettext("The body must be a JSON object."))
    return data


def flag(data: Mapping[str, object], name: str) -> bool:
    """A boolean field of a body (JSON ``true``/``false``; a form's ``true``/``1``/``on``)."""
    value = data.get(name, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {
        "true",
        "1",
        "on",
        "yes",
        "false",
        "0",
        "off",
        "no",
        "",
    }:
        return value.lower() in {"true", "1", "on", "yes"}
    raise invalid(f"{name} must be true or false.", {"field": name})


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise invalid("page must be a whole number from 1.", {"field": "page"})
    return int(raw)
