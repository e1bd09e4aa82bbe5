"""Who is calling: a bearer token (``Authorization: Bearer wia_…``), or the session with CSRF.

A request carrying an ``Authorization`` header is judged by its token alone (no CSRF: a token
is not sent by browsers on their own, a cookie is). Otherwise the session's user, and for
unsafe methods Django's own CSRF check, as a form post to the admin would get it; a session's
safe request sets the ``csrftoken`` cookie, so a front end has the token for its next POST.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.translation import gettext

from winiadmin.api.errors import ApiError
from winiadmin.tokens import token_for_key

if TYPE_CHECKING:
    from django.http import HttpRequest

    from winiadmin.permissions import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def authenticate(request: HttpRequest) -> User:
    """The calling user, active and authenticated; else an ``ApiError`` (401 or 403)."""
    header = request.headers.get("Authorization", "")
    if header:
        return _token_user(request, header)
    user: User = request.user
    if not (user.is_authenticated and user.is_active):
        raise ApiError(401, "not_authenticated", gettext("Log in, or send a bearer token."))
    if request.method not in SAFE_METHODS:
        _check_csrf(request)
    else:
        get_token(request)  # the csrftoken cookie, for a front end's next POST
    return user


def _token_user(request: HttpRequest, header: str) -> User:
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "invalid_token", gettext("Send 'Authorization: Bearer <token>'."))
    token = token_for_key(key.strip())
    if token is None or not token.user.is_active:
        msg = gettext("This token is unknown, expired or its user inactive.")
        raise ApiError(401, "invalid_token", msg)
    request.user = token.user  # what the jobs record as who ran or undid an import
    return token.user


def _check_csrf(request: HttpRequest) -> None:
    """Django's CSRF check of the session request (the API's views are exempt from the
    middleware's, which would refuse token requests too)."""
    check = CsrfViewMiddleware(lambda _request: HttpResponse())
    check.process_request(request)
    if check.process_view(request, _no_view, (), {}) is not None:
        raise ApiError(403, "csrf_failed", "CSRF check failed: send the X-CSRFToken header.")


def _no_view(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    return HttpResponse()
