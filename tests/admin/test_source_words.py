"""How the preview's summary says the file was read (``winiadmin.admin.source_words``)."""

import pytest
from django.template import Context, Template

from winiadmin.admin.source_words import source_in_words


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (
            {
                "format": "csv",
                "encoding": "UTF-8",
                "delimiter": "','",
                "header row": "1 (detected)",
            },
            "CSV, UTF-8, separated by commas, column names found in row 1",
        ),
        (
            {"format": "tsv", "encoding": "Windows-1252 (no UTF-8 found)", "delimiter": "'\\t'"},
            "TSV, Windows-1252 (no UTF-8 found), separated by tabs",
        ),
        (
            {"format": "excel", "sheet": "Products", "header row": "3 (chosen)"},
            "Excel workbook, sheet “Products”, column names in row 3, as chosen",
        ),
        ({"format": "csv", "delimiter": "'#'"}, "CSV, separated by “#”"),
        ({"format": "parquet"}, "Parquet"),
        ({"format": "fixed", "columns": "7"}, "fixed, columns 7"),  # what a later version adds
        ({"header row": "2"}, "column names in row 2"),
    ],
)
def test_source_in_words(source: dict[str, str], words: str) -> None:
    assert source_in_words(source) == words


def test_the_filter_escapes_and_ignores_what_is_not_a_source() -> None:
    template = Template("{% load winiadmin_format %}[{{ s|winiadmin_source }}]")
    assert template.render(Context({"s": {"sheet": "<b>x</b>"}})) == (
        "[sheet “&lt;b&gt;x&lt;/b&gt;”]"
    )
    assert template.render(Context({"s": None})) == "[]"


def test_the_phrase_keeps_its_order_whatever_the_stored_order() -> None:
    """PostgreSQL's jsonb gives the keys back in an order of its own."""
    stored = {"sheet": "Products", "format": "excel", "header row": "3 (detected)"}
    assert source_in_words(stored) == (
        "Excel workbook, sheet “Products”, column names found in row 3"
    )
