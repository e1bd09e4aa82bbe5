"""docs/api.md lists every operation of the OpenAPI document and every error code."""

from pathlib import Path

from tests.api.conftest import document
from winiadmin.api.errors import CODES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()


def test_every_operation_is_in_the_reference_table() -> None:
    for path, item in document()["paths"].items():
        for method in item.keys() - {"parameters"}:
            assert f"`{method.upper()} {path}`" in DOC, f"{method.upper()} {path}"


def test_every_error_code_is_documented() -> None:
    for code in CODES:
        assert f"| `{code}` |" in DOC, code
