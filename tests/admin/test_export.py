"""``ExportMixin``: the Export button, the "Export selected" action, the permission, and the
round trip through the wizard (export → edit → upload → the preview shows exactly the edit)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl
import pytest
from django.urls import reverse
from shop.models import Category, Product, Store

from tests.admin.helpers import html, job_url, uploaded_job
from winiadmin.models import ImportJob

if TYPE_CHECKING:
    from pathlib import Path

    from django.test import Client

    from tests.admin.conftest import MakeUser

pytestmark = pytest.mark.django_db

EXPORT_URL = "admin:shop_product_export"
CATALOGUE_HEADER = ["sku", "name", "price", "quantity", "category", "store", "available_from"]


@pytest.fixture
def products() -> None:
    books = Category.objects.create(name="Books")
    kitchen = Category.objects.create(name="Kitchen")
    berlin = Store.objects.create(name="Berlin Mitte")
    Product.objects.create(
        sku="SKU-1", name="=HYPERLINK(\"http://x\")", price=Decimal("66.67"), category=books,
        store=berlin,
    )  # fmt: skip
    Product.objects.create(sku="SKU-2", name="Kettle", price=Decimal("12.50"), category=kitchen)
    Product.objects.create(sku="SKU-3", name="Atlas", price=Decimal("30.00"), category=books)


def _rows(response: object) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(content)))


def test_the_button_carries_the_changelist_filters(su_client: Client, products: None) -> None:
    books = Category.objects.get(name="Books")
    changelist = su_client.get(
        reverse("admin:shop_product_changelist"), {"category__id__exact": str(books.pk), "o": "-2"}
    )
    page = html(changelist)
    assert "winiadmin-export-link" in page
    url = reverse(EXPORT_URL) + f"?category__id__exact={books.pk}&amp;o=-2"
    assert f'href="{url}"' in page

    form = html(
        su_client.get(reverse(EXPORT_URL), {"category__id__exact": str(books.pk), "o": "-2"})
    )
    assert "2 rows, as the list shows them" in form
    assert all(f'value="{h}"' in form for h in CATALOGUE_HEADER)

    response = su_client.post(
        reverse(EXPORT_URL) + f"?category__id__exact={books.pk}&o=-2",
        {"format": "csv", "columns": CATALOGUE_HEADER},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="product-')
    header, *rows = _rows(response)
    assert header == CATALOGUE_HEADER
    # Ordered by name, descending, as the list was (o=-2), only the books, the formula disarmed.
    assert [r[:3] for r in rows] == [
        ["SKU-3", "Atlas", "30.00"],
        ["SKU-1", '\'=HYPERLINK("http://x")', "66.67"],
    ]
    assert rows[1][4:6] == ["Books", "Berlin Mitte"]


def test_search_and_chosen_columns(su_client: Client, products: None) -> None:
    response = su_client.post(
        reverse(EXPORT_URL) + "?q=kettle", {"format": "csv", "columns": ["sku", "price"]}
    )
    assert _rows(response) == [["sku", "price"], ["SKU-2", "12.50"]]


def test_an_unknown_column_or_format_is_refused_on_the_form(
    su_client: Client, products: None
) -> None:
    response = su_client.post(reverse(EXPORT_URL), {"format": "exe", "columns": ["nope"]})
    page = html(response)
    assert response.status_code == 200
    assert "Select a valid choice" in page
    assert "3 rows" in page


def test_the_action_exports_the_selected_rows(su_client: Client, products: None) -> None:
    picked = list(Product.objects.filter(sku__in=["SKU-1", "SKU-2"]).values_list("pk", flat=True))
    page = html(
        su_client.post(
            reverse("admin:shop_product_changelist"),
            {"action": "export_selected", "_selected_action": picked},
        )
    )
    assert "2 selected rows will be exported" in page
    response = su_client.post(
        reverse(EXPORT_URL),
        {"format": "json", "columns": ["sku", "name"], "ids": [str(pk) for pk in picked]},
    )
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    frame = pl.read_json(content)
    assert frame.to_dicts() == [
        {"sku": "SKU-1", "name": '=HYPERLINK("http://x")'},
        {"sku": "SKU-2", "name": "Kettle"},
    ]


def test_the_action_on_every_row_of_the_list_keeps_its_filters(
    su_client: Client, products: None
) -> None:
    books = Category.objects.get(name="Books")
    page = html(
        su_client.post(
            reverse("admin:shop_product_changelist") + f"?category__id__exact={books.pk}",
            {"action": "export_selected", "select_across": "1", "_selected_action": ["1"]},
        )
    )
    assert "2 rows, as the list shows them" in page
    assert 'name="ids"' not in page
    url = reverse(EXPORT_URL) + f"?category__id__exact={books.pk}"
    assert f'action="{url}"' in page
    response = su_client.post(url, {"format": "csv", "columns": ["sku"]})
    assert _rows(response) == [["sku"], ["SKU-1"], ["SKU-3"]]


def test_the_view_permission_is_required(
    client: Client, make_user: MakeUser, products: None
) -> None:
    client.force_login(make_user("blind", "shop.add_product"))
    changelist = client.get(reverse("admin:shop_product_changelist"))
    assert changelist.status_code == 403
    response = client.get(reverse(EXPORT_URL))
    assert response.status_code == 403
    assert "You may not export products" in html(response)
    response = client.post(reverse(EXPORT_URL), {"format": "csv", "columns": ["sku"]})
    assert response.status_code == 403

    client.force_login(make_user("viewer", "shop.view_product"))
    page = html(client.get(reverse("admin:shop_product_changelist")))
    assert "winiadmin-export-link" in page
    assert "winiadmin-import-link" not in page
    assert "export_selected" in page
    response = client.post(reverse(EXPORT_URL), {"format": "csv", "columns": ["sku"]})
    assert _rows(response) == [["sku"], ["SKU-1"], ["SKU-3"], ["SKU-2"]]  # by name


def test_the_template_is_overridable_per_model(
    su_client: Client, products: None, settings: object, tmp_path: Path
) -> None:
    override = tmp_path / "admin" / "shop" / "product" / "winiadmin" / "export.html"
    override.parent.mkdir(parents=True)
    override.write_text(
        '{% extends "admin/winiadmin/export.html" %}'
        "{% block wizard %}<p>Products leave here</p>{{ block.super }}{% endblock %}"
    )
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]  # type: ignore[attr-defined]
    settings.TEMPLATES = templates  # type: ignore[attr-defined]
    page = html(su_client.get(reverse(EXPORT_URL)))
    assert "Products leave here" in page and "3 rows" in page
    assert "Products leave here" not in html(su_client.get(reverse("admin:shop_store_export")))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_through_the_wizard(su_client: Client, products: None, fmt: str) -> None:
    response = su_client.post(reverse(EXPORT_URL), {"format": fmt, "columns": CATALOGUE_HEADER})
    exported = b"".join(response.streaming_content)  # type: ignore[attr-defined]

    job = uploaded_job(su_client, content=exported, name=f"products.{fmt}")
    assert job.status == ImportJob.Status.VALIDATED, job.report
    page = html(su_client.get(job_url(job)))
    assert 'id="winiadmin-changes"' not in page
    rows = job.import_report.rows
    assert (rows.unchanged, rows.updated, rows.imported) == (3, 0, 0)

    frame = _read(exported, fmt).with_columns(
        pl.when(pl.col("sku") == "SKU-2").then(pl.lit("13.75")).otherwise(pl.col("price"))
        .alias("price")
    )  # fmt: skip
    edited = _write(frame, fmt)
    job = uploaded_job(su_client, content=edited, name=f"edited.{fmt}")
    page = html(su_client.get(job_url(job)))
    changes = page[page.index('id="winiadmin-changes"') :]
    assert "<del>12.50</del> → <ins>13.75</ins>" in changes
    assert changes.count("<del>") == 1
    su_client.post(job_url(job, "confirm"))
    assert Product.objects.get(sku="SKU-2").price == Decimal("13.75")
    assert Product.objects.get(sku="SKU-1").name == '=HYPERLINK("http://x")'


def _read(content: bytes, fmt: str) -> pl.DataFrame:
    if fmt == "csv":
        return pl.read_csv(content, infer_schema=False)
    return pl.read_excel(content, infer_schema_length=0)


def _write(frame: pl.DataFrame, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "csv":
        frame.write_csv(out)
    else:
        frame.write_excel(out)
    return out.getvalue()


def test_a_cell_too_long_for_xlsx_is_named_on_the_form(su_client: Client, products: None) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the name is a varchar(200) on PostgreSQL")
    Product.objects.filter(sku="SKU-2").update(name="x" * 40_000)
    response = su_client.post(reverse(EXPORT_URL), {"format": "xlsx", "columns": CATALOGUE_HEADER})
    page = html(response)
    assert response.status_code == 200
    assert "Row 4, column B (name): 40000 characters, more than the 32,767" in page
    csv_file = su_client.post(reverse(EXPORT_URL), {"format": "csv", "columns": ["name"]})
    assert ["x" * 40_000] in _rows(csv_file)  # CSV holds it
