"""The API reference page (docs/api-reference.md), rendered from the OpenAPI description the API
serves: every endpoint with its parameters, body and answers, every schema with its fields.

``python -m winiadmin.api.reference docs/api-reference.md`` (with ``DJANGO_SETTINGS_MODULE``
set) writes it; ``--check`` fails when the page differs. ``tests/api/test_reference.py`` checks
that the checked-in page is the one the served description renders.
"""

from __future__ import annotations

import sys
from typing import Any

Json = dict[str, Any]

METHODS = ("get", "post", "put", "patch", "delete")
ROOT = "/api/imports"

HEADER = """\
<!-- Generated from the API's OpenAPI description by `python -m winiadmin.api.reference
docs/api-reference.md`: edit winiadmin/api/openapi.py, not this page. -->

# API reference

"""


def render_reference(document: Json) -> str:
    """The Markdown page of ``document`` (an OpenAPI 3.1 description)."""
    info = document["info"]
    servers = ", ".join(f"`{s['url']}`" for s in document.get("servers", []))
    lines = [
        HEADER.rstrip("\n"),
        "",
        f"{info['title']}, version {info['version']} (OpenAPI {document['openapi']}). "
        "How to use it, authentication and examples: [api.md](api.md).",
        "",
        info.get("description", ""),
        "",
        f"Paths are relative to where the API is mounted ({servers} in the demo project).",
        "",
        "## Errors",
        "",
        "Every error answers an [Error](#error) body with one of the codes above.",
        "",
        *_errors(document),
        "",
        "## Endpoints",
        "",
    ]
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                lines += _operation(method, path, item[method], shared)
    lines += ["## Schemas", ""]
    for name, schema in document["components"]["schemas"].items():
        lines += [f"### {name}", "", *_fields_table(schema), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _operation(method: str, path: str, operation: Json, shared: list[Json]) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", "", operation["summary"] + ".", ""]
    parameters = [*shared, *operation.get("parameters", [])]
    if parameters:
        lines += ["| parameter | in | type | required |", "|---|---|---|---|"]
        lines += [
            f"| `{p['name']}` | {p['in']} | {_type(p['schema'])} | "
            f"{'yes' if p.get('required') else 'no'} |"
            for p in parameters
        ]
        lines.append("")
    body = operation.get("requestBody")
    if body is not None:
        for media, content in body["content"].items():
            lines += [f"Body, `{media}`:", "", *_fields_table(content["schema"]), ""]
    lines += ["| answer | meaning | body |", "|---|---|---|"]
    errors = []
    for status, answer in operation["responses"].items():
        schemas = [c["schema"] for c in answer.get("content", {}).values()]
        if schemas and all(_is_error(s) for s in schemas):
            errors.append(status)
            continue
        shown = ", ".join(_type(s) for s in schemas) or "—"
        lines.append(f"| {status} | {answer['description']} | {shown} |")
    if errors:
        lines.append(f"| {', '.join(errors)} | [errors](#errors) | [Error](#error) |")
    return [*lines, ""]


def _is_error(schema: Json) -> bool:
    return str(schema.get("$ref", "")).endswith("/Error")


def _errors(document: Json) -> list[str]:
    """The error answers, once: status and meaning (the same on every endpoint)."""
    seen: dict[str, str] = {}
    for item in document["paths"].values():
        for method in METHODS:
            for status, answer in item.get(method, {}).get("responses", {}).items():
                schemas = [c["schema"] for c in answer.get("content", {}).values()]
                if schemas and all(_is_error(s) for s in schemas):
                    seen.setdefault(status, answer["description"])
    rows = [f"| {status} | {meaning} |" for status, meaning in sorted(seen.items())]
    return ["| status | meaning |", "|---|---|", *rows]


def _fields_table(schema: Json) -> list[str]:
    rows = list(_fields(schema, ""))
    if not rows:
        return [f"A {_type(schema)}."]
    return ["| field | type | required |", "|---|---|---|", *rows]


def _fields(schema: Json, prefix: str) -> list[str]:
    """One row per property, nested objects' properties dotted (``rows.read``)."""
    rows = []
    required = set(schema.get("required", []))
    for name, sub in schema.get("properties", {}).items():
        described = f" — {sub['description']}" if "description" in sub else ""
        yes = "yes" if name in required else "no"
        rows.append(f"| `{prefix}{name}` | {_type(sub)}{described} | {yes} |")
        if "properties" in sub:
            rows += _fields(sub, f"{prefix}{name}.")
        items = sub.get("items", {})
        if "properties" in items:
            rows += _fields(items, f"{prefix}{name}[].")
    return rows


def _type(schema: Json) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    kinds = schema.get("type", "any")
    text = " or ".join(kinds) if isinstance(kinds, list) else str(kinds)
    if "contentMediaType" in schema:
        text = f"file (`{schema['contentMediaType']}`)"
    if text == "array":
        text = f"array of {_type(schema.get('items', {}))}"
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        text = f"object of {_type(extra)}"
    if "enum" in schema:
        text += ": " + ", ".join(f"`{v}`" for v in schema["enum"])
    return text


def main(argv: list[str]) -> int:
    """``[--check] PATH``: write the page to PATH, or (``--check``) fail if it differs."""
    import django  # noqa: PLC0415 - only the script needs a configured Django

    django.setup()
    from django.urls import reverse  # noqa: PLC0415 - after setup

    from winiadmin.api.openapi import openapi_document  # noqa: PLC0415 - after setup

    check = "--check" in argv
    target = next(a for a in argv if a != "--check")
    base = reverse("winiadmin_api:openapi").removesuffix("openapi.json")
    page = render_reference(openapi_document(base))
    with open(target, encoding="utf-8") as current:
        same = current.read() == page
    if check:
        return 0 if same else 1
    if not same:
        with open(target, "w", encoding="utf-8") as out:
            out.write(page)
    return 0


if __name__ == "__main__":  # pragma: no cover - run by hand
    sys.exit(main(sys.argv[1:]))
