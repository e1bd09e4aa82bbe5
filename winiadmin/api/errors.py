"""Errors of the API: a stable code, a sentence, an HTTP status — always JSON, never HTML.

Clients branch on ``code`` (listed in :data:`CODES` and in the OpenAPI document); ``message`` is
for people and may change wording.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

#: Every code the API answers with, and what it means (the OpenAPI document lists them).
CODES: dict[str, str] = {
    "not_authenticated": "No session and no valid bearer token.",
    "invalid_token": "The bearer token is unknown or expired.",
    "csrf_failed": "A session request that changes something lacked a valid CSRF token.",
    "permission_denied": "The user may not do this (the wizard's permissions).",
    "not_found": "No such URL, job or importer.",
    "method_not_allowed": "The URL exists but not for this HTTP method.",
    "invalid_request": "The request's body or parameters are wrong (see details).",
    "invalid_file": "The upload is missing, too large, or not a table.",
    "invalid_source": "The URL or storage path was refused or could not be read (see message).",
    "job_state": "The job is not in a state that allows this step.",
    "undo_refused": "The undo was refused (see details: what stops it).",
    "storage_error": "The upload could not be stored (disk full, permissions).",
    "server_error": "An unexpected error; it was logged.",
}


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message", "details"}}`` with ``status``."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        assert code in CODES, code  # a new code is documented first
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}

    def response(self) -> JsonResponse:
        return error_response(self.status, self.code, self.message, self.details)


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> JsonResponse:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return JsonResponse(body, status=status)


def not_found(message: str = "Not found.") -> ApiError:
    return ApiError(404, "not_found", message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "permission_denied", message)


def invalid(message: str, details: dict[str, Any] | None = None) -> ApiError:
    return ApiError(400, "invalid_request", message, details)
