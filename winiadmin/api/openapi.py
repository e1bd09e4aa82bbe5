"""The API's OpenAPI 3.1 description, served as ``openapi.json``; the tests check every answer
the API gives against it, so it cannot drift from the code (tests/api/test_openapi.py)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from django.http import JsonResponse
from django.urls import reverse

from winiadmin.api.errors import CODES

if TYPE_CHECKING:
    from django.http import HttpRequest

Json = dict[str, Any]

INT = {"type": "integer"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
NULL_STR = {"type": ["string", "null"]}
NULL_INT = {"type": ["integer", "null"]}


def _object(properties: Json, *, required: list[str] | None = None, extra: bool = False) -> Json:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": extra,
    }


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(item: Json) -> Json:
    return {"type": "array", "items": item}


ROW_TERMS = ("read", "imported", "updated", "unchanged", "skipped", "rejected")
PAGE = {"page": INT, "page_size": INT, "total": INT, "pages": INT}

#: How a file writes numbers and dates: ``FileConventions.to_json`` (docs/conventions.md).
CONVENTIONS: Json = {
    "type": "object",
    "description": "How the file writes numbers and dates (docs/conventions.md)",
    "properties": {
        "decimal_separator": {"type": "string", "enum": [".", ","]},
        "thousands_separator": STR,
        "date_formats": _list(STR),
        "datetime_formats": _list(STR),
        "currency_symbols": _list(STR),
        "percent": {"type": "string", "enum": ["number", "fraction"]},
        "columns": {"type": "object", "additionalProperties": {"type": "object"}},
    },
    "additionalProperties": False,
}

SCHEMAS: Json = {
    "Error": _object({
        "error": _object({
            "code": {"type": "string", "enum": sorted(CODES)},
            "message": STR,
            "details": {"type": "object"},
        })
    }),
    "Importer": _object({
        "name": STR,
        "verbose_name": STR,
        "models": _list(STR),
        "columns": _list(_object({"name": STR, "kind": STR, "required": BOOL})),
        "options": _list(
            _object({"name": STR, "label": STR, "help": STR, "required": BOOL, "type": STR})
        ),
        "upserts": _list(STR),
    }),
    "Importers": _object({"importers": _list(_ref("Importer"))}),
    "Report": _object({
        "status": STR,
        "error": STR,
        "rows": _object(dict.fromkeys(ROW_TERMS, INT)),
        "models": _list(
            _object({
                "label": STR, "verbose_name": STR, "created": INT, "updated": INT, "unchanged": INT
            })
        ),
        "problem_count": INT,
        "error_count": INT,
        "warning_count": INT,
        "file_errors": INT,
        "counts_by_kind": {"type": "object", "additionalProperties": INT},
        "columns": _list(_object({"name": STR, "dtype": STR})),
        "source": {"type": "object", "additionalProperties": STR},
        "sheets": _list(STR),
        "header_row": NULL_INT,
        "proposals": _list(_ref("Proposal")),
    }),
    "Conventions": CONVENTIONS,
    "Proposal": _object({
        "column": STR,
        "header": STR,
        "message": STR,
        "cells": INT,
        "readings": _list(
            _object({
                "conventions": _ref("Conventions"),
                "description": STR,
                "examples": _list({"type": "array", "items": STR}),
            })
        ),
    }),
    "Job": _object({
        "id": {"type": "string", "format": "uuid"},
        "url": STR,
        "importer": STR,
        "file_name": STR,
        "size": INT,
        "status": {
            "type": "string",
            "enum": [
                "uploaded", "queued", "validating", "validated", "invalid", "running",
                "succeeded", "failed", "cancelled",
            ],
        },
        "active": BOOL,
        "finished": BOOL,
        "error": STR,
        "options": {"type": "object", "additionalProperties": STR},
        "read_options": {"type": "object"},
        "skip_invalid": BOOL,
        "create_missing": BOOL,
        "create_values": {"type": "object", "additionalProperties": _list(STR)},
        "column_mapping": {
            "type": ["object", "null"], "additionalProperties": NULL_STR
        },
        "conventions": {**CONVENTIONS, "type": ["object", "null"]},
        "can_accept_conventions": BOOL,
        "needs_mapping": BOOL,
        "can_change_mapping": BOOL,
        "can_confirm": BOOL,
        "can_confirm_skipping_invalid": BOOL,
        "can_undo": BOOL,
        "progress": _object({
            "stage": STR,
            "rows_done": INT,
            "rows_total": NULL_INT,
            "cancel_requested": BOOL,
            "queued_step": STR,
        }),
        "created_at": STR,
        "validated_at": NULL_STR,
        "started_at": NULL_STR,
        "finished_at": NULL_STR,
        "undone_at": NULL_STR,
        "report": _ref("Report"),
    }),
    "Jobs": _object({**PAGE, "jobs": _list(_ref("Job"))}),
    "Problem": _object({
        "kind": STR,
        "label": STR,
        "severity": {"type": "string", "enum": ["error", "warning"]},
        "message": STR,
        "row": NULL_INT,
        "sheet": NULL_STR,
        "column": NULL_STR,
        "value": NULL_STR,
    }),
    "Problems": _object({**PAGE, "problem_count": INT, "problems": _list(_ref("Problem"))}),
    "Rows": _object({
        **PAGE,
        "columns": _list(STR),
        "rows": _list(_object({"row": INT, "values": {"type": "object"}})),
    }),
    "Mapping": _object({
        "columns": _list(
            _object({
                "header": STR,
                "target": NULL_STR,
                "reason": STR,
                "score": {"type": ["number", "null"]},
                "samples": _list(STR),
            })
        ),
        "expected": _list(STR),
        "unmatched": _list(STR),
        "needs_review": BOOL,
        "fingerprint": STR,
        "chosen": {"type": ["object", "null"]},
        "saved": {"type": ["object", "null"]},
    }),
    "Cancel": _object({
        "outcome": {
            "type": "string", "enum": ["cancelled", "cancelling", "too late", "not running"]
        },
        "cancelled": BOOL,
        "job": _ref("Job"),
    }),
    "UndoPlan": _object({
        "allowed": BOOL,
        "models": _list(_object({"label": STR, "verbose_name": STR, "rows": INT})),
        "deletes": {"type": "object", "additionalProperties": INT},
        "blockers": _list(_object({"message": STR, "examples": _list(STR)})),
    }),
    "Undone": _object({
        "deleted": {"type": "object", "additionalProperties": INT},
        "job": _ref("Job"),
    }),
}  # fmt: skip

ERRORS = {
    str(status): {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}
    for status, text in {
        400: "Invalid request or file",
        401: "Not authenticated",
        403: "Permission denied or CSRF failed",
        404: "Not found",
        405: "Method not allowed",
        409: "The job's state does not allow this (or the undo is refused)",
        413: "The file is too large",
        500: "Unexpected error",
        507: "The upload could not be stored",
    }.items()
}


def _answer(status: int, schema: str, description: str) -> Json:
    content = {"application/json": {"schema": _ref(schema)}}
    return {str(status): {"description": description, "content": content}}


def _operation(summary: str, answers: Json, *, body: Json | None = None) -> Json:
    operation: Json = {"summary": summary, "responses": {**answers, **ERRORS}}
    if body is not None:
        operation["requestBody"] = body
    return operation


def _json_body(schema: Json) -> Json:
    return {"required": False, "content": {"application/json": {"schema": schema}}}


JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1}},
]
UPLOAD: Json = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["importer", "file"],
                "properties": {
                    "importer": STR,
                    "file": {"type": "string", "contentMediaType": "application/octet-stream"},
                    "options": {"type": "string", "description": "A JSON object of options"},
                    "conventions": {
                        "type": "string",
                        "description": "A JSON object: how the file writes numbers and dates",
                    },
                    "skip_invalid": BOOL,
                    "encoding": STR,
                    "delimiter": STR,
                    "sheet": STR,
                    "header_row": INT,
                },
            }
        }
    },
}


SOURCE: Json = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["importer"],
                "properties": {
                    "importer": STR,
                    "url": {"type": "string", "description": "https (docs/sources.md)"},
                    "storage": {"type": "string", "description": "a SOURCE_STORAGES alias"},
                    "path": STR,
                    "options": {"type": "object"},
                    "read_options": {"type": "object"},
                    "conventions": _ref("Conventions"),
                    "skip_invalid": BOOL,
                },
            }
        }
    }
}


def _paths() -> Json:
    job_paths: Json = {
        "/jobs/{job_id}/": {
            "get": _operation("A job: status, progress, figures", _answer(200, "Job", "The job"))
        },
        "/jobs/{job_id}/problems/": {
            "get": {
                **_operation("The problems, page by page", _answer(200, "Problems", "A page")),
                "parameters": [
                    *PAGING,
                    {"name": "kind", "in": "query", "schema": STR},
                    {"name": "column", "in": "query", "schema": STR},
                ],
            }
        },
        "/jobs/{job_id}/rows/": {
            "get": {
                **_operation("The cleaned rows, page by page", _answer(200, "Rows", "A page")),
                "parameters": PAGING,
            }
        },
        "/jobs/{job_id}/mapping/": {
            "get": _operation("How the headers were matched", _answer(200, "Mapping", "Matches")),
            "put": _operation(
                "Choose the column mapping (then a new dry run)",
                _answer(200, "Job", "The job"),
                body=_json_body(_object({"mapping": {"type": "object"}})),
            ),
        },
        "/jobs/{job_id}/options/": {
            "post": _operation(
                "Change the options or read options (then a new dry run)",
                _answer(200, "Job", "The job"),
                body=_json_body(
                    _object(
                        {"options": {"type": "object"}, "read_options": {"type": "object"}},
                        required=[],
                    )
                ),
            )
        },
        "/jobs/{job_id}/conventions/": {
            "post": _operation(
                "Accept a proposed reading of a column (then a new dry run)",
                _answer(200, "Job", "The job"),
                body=_json_body(_object({"column": STR, "reading": INT}, required=["column"])),
            )
        },
        "/jobs/{job_id}/confirm/": {
            "post": _operation(
                "The real run",
                {**_answer(200, "Job", "Ran"), **_answer(202, "Job", "Queued for a worker")},
                body=_json_body(
                    _object({"skip_invalid": BOOL, "create_missing": BOOL}, required=[])
                ),
            )
        },
        "/jobs/{job_id}/cancel/": {
            "post": _operation(
                "Cancel a queued or running job", _answer(200, "Cancel", "What it did")
            )
        },
        "/jobs/{job_id}/retry/": {
            "post": _operation("Retry a failed job", _answer(200, "Job", "The job"))
        },
        "/jobs/{job_id}/undo/": {
            "get": _operation("What an undo would delete", _answer(200, "UndoPlan", "The plan")),
            "post": _operation("Undo the import", _answer(200, "Undone", "Deleted")),
        },
    }
    for item in job_paths.values():
        item["parameters"] = [JOB_ID]
    return {
        "/importers/": {
            "get": _operation("Importers the user may use", _answer(200, "Importers", "The list"))
        },
        "/importers/{name}/": {
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": STR}],
            "get": _operation("One importer", _answer(200, "Importer", "The importer")),
        },
        "/jobs/": {
            "get": {
                **_operation("The user's jobs, newest first", _answer(200, "Jobs", "A page")),
                "parameters": PAGING[:1],
            },
            "post": _operation(
                "Upload a file: a new job, its dry run started",
                _answer(201, "Job", "The job"),
                body={
                    "required": True,
                    "content": {**UPLOAD["content"], **SOURCE["content"]},
                },
            ),
        },
        **job_paths,
    }


@cache
def _document_without_server() -> Json:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "winiadmin import API",
            "version": "1",
            "description": "Import jobs over JSON; every error is "
            '`{"error": {"code", "message", "details"}}` with one of the codes '
            + ", ".join(f"`{c}` ({t})" for c, t in CODES.items()),
        },
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
                "token": {"type": "http", "scheme": "bearer"},
            },
        },
        "security": [{"session": []}, {"token": []}],
    }


def openapi_document(base: str) -> Json:
    """The document, its server being the API's root URL (where it is mounted)."""
    return {**_document_without_server(), "servers": [{"url": base.rstrip("/")}]}


def openapi_view(request: HttpRequest) -> JsonResponse:
    """Public: the description holds nothing secret, and clients need it before they log in."""
    base = reverse("winiadmin_api:openapi").removesuffix("openapi.json")
    return JsonResponse(openapi_document(base))
