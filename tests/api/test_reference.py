"""docs/api-reference.md is the page the served OpenAPI description renders: regenerate it with
``python -m winiadmin.api.reference docs/api-reference.md`` when the description changes."""

from pathlib import Path

from django.test import Client
from django.urls import reverse

from winiadmin.api.reference import render_reference

PAGE = Path(__file__).resolve().parents[2] / "docs" / "api-reference.md"


def test_the_checked_in_reference_is_current(client: Client) -> None:
    served = client.get(reverse("winiadmin_api:openapi")).json()

    assert PAGE.read_text(encoding="utf-8") == render_reference(served), (
        "docs/api-reference.md is stale: run "
        "`DJANGO_SETTINGS_MODULE=demo_project.settings PYTHONPATH=.:example "
        "python -m winiadmin.api.reference docs/api-reference.md`"
    )


def test_every_endpoint_and_schema_is_on_the_page(client: Client) -> None:
    served = client.get(reverse("winiadmin_api:openapi")).json()
    page = render_reference(served)

    for path, item in served["paths"].items():
        for method in ("get", "post", "put"):
            if method in item:
                assert f"### `{method.upper()} {path}`" in page
    for name in served["components"]["schemas"]:
        assert f"### {name}\n" in page
