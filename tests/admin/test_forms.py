"""The upload form: its fields per importer, the limits it enforces, what it hands to the job."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from shop.importers import CatalogueImporter, OrdersImporter
from shop.models import Category

from winiadmin.admin.forms import ConfirmForm, UploadForm

CSV = b"sku,name,price,quantity,category,store,available_from\nA-1,Thing,1,1,,,\n"


def bound(importer: Any = CatalogueImporter, content: bytes = CSV, **data: Any) -> UploadForm:
    files = {"file": SimpleUploadedFile("data.csv", content)}
    return UploadForm(importer, data, files)


def test_fields_follow_the_importers_options() -> None:
    catalogue = UploadForm(CatalogueImporter)
    assert list(catalogue.fields) == [
        "file", "skip_invalid", "encoding", "delimiter", "sheet", "header_row",
        "decimal_separator", "thousands_separator", "date_format",
        "option_default_category",
    ]  # fmt: skip
    assert catalogue.fields["option_default_category"].required is False
    assert catalogue.fields["option_default_category"].label == "Default category"

    orders = UploadForm(OrdersImporter)
    assert "option_create_customers" in orders.fields
    assert "option_default_category" not in orders.fields
    assert orders.fields["option_create_customers"].initial is True
    assert str(orders["option_create_customers"]).endswith(" checked>")


@pytest.mark.django_db
def test_option_texts_are_what_the_command_line_takes() -> None:
    Category.objects.create(name="Books")
    form = bound(option_default_category="Books")
    assert form.is_valid(), form.errors
    assert form.option_texts() == {"default_category": "Books"}

    form = bound()
    assert form.is_valid(), form.errors
    assert form.option_texts() == {}  # empty options are left to the importer's default

    form = bound(option_default_category="Nope")
    assert not form.is_valid()
    assert "option_default_category" in form.errors


def test_an_unchecked_boolean_option_is_false_not_missing() -> None:
    form = bound(OrdersImporter)
    assert form.is_valid(), form.errors
    assert form.option_texts() == {"create_customers": "false"}
    form = bound(OrdersImporter, option_create_customers="on")
    assert form.is_valid(), form.errors
    assert form.option_texts() == {"create_customers": "true"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, {"encoding": None, "delimiter": None, "sheet": None}),
        ({"encoding": "cp1252", "delimiter": ";"}, {"encoding": "cp1252", "delimiter": ";"}),
        ({"delimiter": "\t"}, {"delimiter": "\t"}),
        ({"sheet": "1"}, {"sheet": 0}),  # people count sheets from 1
        ({"sheet": "3"}, {"sheet": 2}),
        ({"sheet": "0"}, {"sheet": 0}),
        ({"sheet": " Prices 2026 "}, {"sheet": "Prices 2026"}),
        ({"sheet": "   "}, {"sheet": None}),
    ],
)
def test_read_options(data: dict[str, str], expected: dict[str, object]) -> None:
    form = bound(CatalogueImporter, CSV, **data)
    assert form.is_valid(), form.errors
    assert form.read_options().items() >= expected.items()


def test_unknown_encodings_and_delimiters_are_refused() -> None:
    form = bound(encoding="ebcdic", delimiter="#")
    assert not form.is_valid()
    assert set(form.errors) == {"encoding", "delimiter"}


def test_the_size_limit(settings: Any) -> None:
    settings.WINIADMIN = {"MAX_UPLOAD_SIZE": len(CSV)}
    assert bound().is_valid()
    form = bound(content=CSV + b"B")
    assert not form.is_valid()
    assert form.errors["file"] == [f"The file is {len(CSV) + 1}\xa0bytes; the largest accepted is "
                                   f"{len(CSV)}\xa0bytes."]  # fmt: skip
    assert form.errors.as_data()["file"][0].code == "too_large"


def test_a_file_is_required_and_must_not_be_empty() -> None:
    assert "file" in UploadForm(CatalogueImporter, {}, {}).errors
    assert "file" in bound(content=b"").errors


@pytest.mark.parametrize(("data", "skip"), [({}, False), ({"skip_invalid": "on"}, True)])
def test_confirm_form(data: dict[str, str], skip: bool) -> None:
    form = ConfirmForm(data)
    assert form.is_valid()
    assert form.cleaned_data["skip_invalid"] is skip
