"""The wizard end to end through the test client: upload → dry run → preview → confirm → result."""

import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse
from shop.models import Category, Customer, Order, OrderLine, Product, Store

from tests.admin.conftest import MakeJob
from tests.admin.helpers import html, job_url, start_url, upload_file, uploaded_job
from tests.test_import_report import OLDEST
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_happy_path_from_the_changelist_button_to_the_result(
    su_client: Client, samples: Path
) -> None:
    changelist = su_client.get(reverse("admin:shop_product_changelist"))
    import_url = reverse("admin:shop_product_import")
    assert f'href="{import_url}"' in html(changelist)

    # Product has one importer: the button leads straight to its upload page.
    response = su_client.get(import_url)
    assert response.status_code == 302
    assert response["Location"] == start_url("shop.catalogue", "shop.Product")
    page = su_client.get(response["Location"])
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in html(page)
    assert "Catalogue (products, categories, stores)" in html(page)

    # Upload: a dry run, then the preview. Nothing is in the database yet.
    response = upload_file(su_client, samples / "catalogue.csv")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == job_url(job)
    assert job.status == ImportJob.Status.VALIDATED
    assert job.dry_run_counts == {"shop.Category": 6, "shop.Store": 4, "shop.Product": 40}
    preview = html(su_client.get(job_url(job)))
    assert "Confirm and import" in preview
    assert "Read 40 rows from <strong>catalogue.csv</strong>" in preview
    assert '<td class="winiadmin-count">40</td>' in preview
    assert "shop.Category" in preview and "shop.Store" in preview
    assert Product.objects.count() == Category.objects.count() == Store.objects.count() == 0

    # Confirm: the real run.
    response = su_client.post(job_url(job, "confirm"))
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert Product.objects.count() == 40
    assert Category.objects.count() == 6 and Store.objects.count() == 4
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.created_counts == {"shop.Category": 6, "shop.Store": 4, "shop.Product": 40}
    assert sorted(job.created_pks["shop.Product"]) == sorted(
        str(pk) for pk in Product.objects.values_list("pk", flat=True)
    )

    result = html(su_client.get(job_url(job)))
    assert "Imported" in result and "Confirm and import" not in result
    assert f'<a href="{reverse("admin:shop_product_changelist")}">Products</a>' in result
    assert f'<a href="{reverse("admin:shop_category_changelist")}">Categories</a>' in result
    assert '<td class="winiadmin-count">40</td>' in result

    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(ImportJob), object_id=str(job.pk)
    )
    assert entry.user.username == "root"
    assert "Imported catalogue.csv" in entry.get_change_message()
    assert "40 products" in entry.get_change_message()


def test_htmx_upload_and_confirm_answer_with_hx_redirect(su_client: Client, samples: Path) -> None:
    response = su_client.post(
        start_url(),
        {"file": (samples / "catalogue.csv").open("rb")},
        **HTMX,  # type: ignore[arg-type]
    )
    job = ImportJob.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == job_url(job)

    response = su_client.post(job_url(job, "confirm"), **HTMX)  # type: ignore[arg-type]
    assert response["HX-Redirect"] == job_url(job)
    assert Product.objects.count() == 40


def test_htmx_upload_with_a_form_error_shows_the_form_again(su_client: Client) -> None:
    response = su_client.post(start_url(), {}, **HTMX)  # type: ignore[arg-type]
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert 'id="winiadmin-upload"' in html(response)
    assert "This field is required." in html(response)
    assert not ImportJob.objects.exists()


def test_mistakes_are_listed_and_block_the_import(su_client: Client, samples: Path) -> None:
    job = uploaded_job(su_client, samples / "catalogue_with_mistakes.csv")
    assert job.status == ImportJob.Status.INVALID
    page = html(su_client.get(job_url(job)))
    assert "Confirm and import the valid rows" in page
    assert "5 problems must be fixed first" in page
    # Row, column and value of each problem.
    assert re.search(
        r'<td><a class="winiadmin-to-row"[^>]*>3</a></td>\s*<td>price</td>\s*'
        r"<td><code>12,50 EUR</code></td>",
        page,
    )
    assert re.search(
        r'<td><a class="winiadmin-to-row"[^>]*>10</a></td>\s*<td>quantity</td>\s*'
        r"<td><code>lots</code></td>",
        page,
    )
    assert "<code>31/02/2026</code>" in page and "Not a date (expected YYYY-MM-DD)." in page
    assert "Missing value" in page and "Unexpected column" in page

    # Without "skip invalid rows" nothing runs, and the page says why.
    response = su_client.post(job_url(job, "confirm"), follow=True)
    assert Product.objects.count() == 0
    assert "This import cannot run" in html(response)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID

    response = su_client.post(job_url(job, "confirm"), {"skip_invalid": "on"}, follow=True)
    assert set(Product.objects.values_list("sku", flat=True)) == {
        "SKU-0001", "SKU-0003", "SKU-0005", "SKU-0008", "SKU-0010", "SKU-0012",
    }  # fmt: skip
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.skip_invalid is True
    assert job.created_counts["shop.Product"] == 6
    assert "5 invalid rows were skipped." in html(response)


def test_file_errors_cannot_be_skipped(su_client: Client) -> None:
    job = uploaded_job(su_client, content=b"sku,name\nA-1,Thing\n", name="short.csv")
    assert job.status == ImportJob.Status.INVALID
    page = html(su_client.get(job_url(job)))
    assert "This file cannot be imported" in page
    assert "Column &#x27;price&#x27; is missing. The file has: sku, name." in page
    assert "Confirm and import" not in page

    su_client.post(job_url(job, "confirm"), {"skip_invalid": "on"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert Product.objects.count() == 0


def test_a_second_confirm_creates_nothing_more(su_client: Client, make_job: MakeJob) -> None:
    job = make_job(content=b"sku,name,price,quantity,category,store,available_from\nA-1,A,1,1,,,\n")
    su_client.post(job_url(job, "confirm"))
    assert Product.objects.count() == 1

    # A refresh, a double click, a second tab: the job is claimed once.
    response = su_client.post(job_url(job, "confirm"), follow=True)
    assert Product.objects.count() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.created_counts == {"shop.Category": 0, "shop.Store": 0, "shop.Product": 1}
    assert "This import has already succeeded, so it cannot be started." in html(response)
    assert LogEntry.objects.count() == 1


def test_confirm_only_accepts_post(su_client: Client, make_job: MakeJob, samples: Path) -> None:
    job = make_job(samples / "catalogue.csv")
    assert su_client.get(job_url(job, "confirm")).status_code == 405
    assert Product.objects.count() == 0


def test_database_changed_since_the_dry_run(su_client: Client, samples: Path) -> None:
    """shop.catalogue upserts by SKU: a product made meanwhile is updated by the confirm."""
    job = uploaded_job(su_client, samples / "catalogue.csv")
    assert job.status == ImportJob.Status.VALIDATED
    made = Product.objects.create(sku="SKU-0007", name="Made meanwhile", price=1)

    su_client.post(job_url(job, "confirm"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert Product.objects.count() == 40
    made.refresh_from_db()
    assert (made.name, made.price) == ("Happy Chess Set", Decimal("89.10"))
    [product] = [m for m in job.report["models"] if m["label"] == "shop.Product"]
    assert (product["count"], product["updated"]) == (39, 1)


def test_an_option_object_deleted_before_the_confirm(su_client: Client) -> None:
    Category.objects.create(name="Books")
    csv = b"sku,name,price,quantity,category,store,available_from\nA-1,No category,1,1,,,\n"
    job = uploaded_job(su_client, content=csv, option_default_category="Books")
    Category.objects.all().delete()

    response = su_client.post(job_url(job, "confirm"), follow=True)
    assert response.status_code == 200
    page = html(response)
    assert "Not imported" in page
    assert "default_category: no category with name &#x27;Books&#x27;." in page
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not Product.objects.exists()


def test_an_option_object_deleted_during_the_upload(su_client: Client) -> None:
    """Deleted between the form's check and the dry run (another admin, same second)."""
    Category.objects.create(name="Books")

    def delete_categories(instance: ImportJob, created: bool, **_: object) -> None:
        if created:
            Category.objects.all().delete()

    csv = b"sku,name,price,quantity,category,store,available_from\nA-1,No category,1,1,,,\n"
    post_save.connect(delete_categories, sender=ImportJob, weak=False)
    try:
        response = upload_file(su_client, content=csv, option_default_category="Books")
    finally:
        post_save.disconnect(delete_categories, sender=ImportJob)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert job.status == ImportJob.Status.FAILED
    page = html(su_client.get(job_url(job)))
    # Once as the admin's message (capitalised), once as the job's error.
    assert "Default_category: no category with name &#x27;Books&#x27;." in page
    assert "default_category: no category with name &#x27;Books&#x27;." in page
    assert "Not imported" in page  # a message, and the job's error on its page


def test_upload_size_limit(su_client: Client, samples: Path, settings: object) -> None:
    settings.WINIADMIN = {"MAX_UPLOAD_SIZE": 100}  # type: ignore[attr-defined]
    response = upload_file(su_client, samples / "catalogue.csv")
    assert response.status_code == 200
    assert "; the largest accepted is 100\xa0bytes." in html(response)
    assert not ImportJob.objects.exists()


def test_importer_options_reach_the_import(su_client: Client) -> None:
    books = Category.objects.create(name="Books")
    page = html(su_client.get(start_url()))
    assert 'name="option_default_category"' in page
    assert '<option value="Books">Books</option>' in page  # to_field is the name

    csv = b"sku,name,price,quantity,category,store,available_from\nA-1,No category,1,1,,,\n"
    job = uploaded_job(su_client, content=csv, option_default_category="Books")
    assert job.options == {"default_category": "Books"}
    su_client.post(job_url(job, "confirm"))
    assert Product.objects.get(sku="A-1").category == books


def test_a_boolean_option_left_unchecked_reaches_the_import(su_client: Client) -> None:
    Product.objects.create(sku="SKU-1", name="Thing", price=2)
    Customer.objects.create(email="known@example.com", name="Known")
    csv = (
        b"order_id,customer_email,customer_name,sku,quantity,unit_price\n"
        b"O-1,known@example.com,Known,SKU-1,1,2.00\n"
        b"O-2,new@example.com,New,SKU-1,2,2.00\n"
    )
    # The checkbox starts checked (the option's default); unchecking it sends nothing.
    job = uploaded_job(su_client, content=csv, importer="shop.orders", model="shop.Order")
    assert job.options == {"create_customers": "false"}
    assert job.status == ImportJob.Status.INVALID
    assert [(p["row"], p["value"]) for p in job.report["problems"]] == [(3, "new@example.com")]

    job = uploaded_job(
        su_client, content=csv, importer="shop.orders", model="shop.Order",
        option_create_customers="on",
    )  # fmt: skip
    su_client.post(job_url(job, "confirm"))
    assert set(Customer.objects.values_list("email", flat=True)) == {
        "known@example.com", "new@example.com",
    }  # fmt: skip
    assert Order.objects.count() == 2


def test_orders_with_lines_by_reference_through_the_wizard(su_client: Client) -> None:
    """shop.order_lines: lines point at the orders of the same upload (frame references)."""
    Product.objects.create(sku="SKU-1", name="One", price=1)
    csv = (
        b"order_id,customer_email,customer_name,sku,quantity,unit_price\n"
        b"O-1,ada@example.com,Ada,SKU-1,1,2.00\n"
        b"O-1,ada@example.com,Ada,SKU-1,3,2.00\n"
        b"O-2,ada@example.com,Ada,SKU-1,2,2.00\n"
    )
    job = uploaded_job(su_client, content=csv, importer="shop.order_lines", model="shop.Order")
    assert job.status == ImportJob.Status.VALIDATED, job.report["problems"]
    assert OrderLine.objects.count() == 0  # the dry run rolled back
    su_client.post(job_url(job, "confirm"))
    assert sorted(OrderLine.objects.values_list("order__order_id", "quantity")) == [
        ("O-1", 1), ("O-1", 3), ("O-2", 2),
    ]  # fmt: skip


def test_an_unknown_option_value_is_a_form_error(su_client: Client) -> None:
    csv = b"sku,name,price,quantity,category,store,available_from\nA-1,X,1,1,,,\n"
    response = upload_file(su_client, content=csv, option_default_category="Nope")
    assert response.status_code == 200
    assert "Select a valid choice." in html(response)
    assert not ImportJob.objects.exists()


def test_read_options_reach_the_reader(su_client: Client) -> None:
    csv = "sku|name|price|quantity|category|store|available_from\nA-1|Crème|1|1|Bücher||\n"
    job = uploaded_job(
        su_client, content=csv.encode("cp1252"), encoding="cp1252", delimiter="|", name="x.txt"
    )
    assert job.read_options == {"encoding": "cp1252", "delimiter": "|"}
    assert job.status == ImportJob.Status.VALIDATED
    su_client.post(job_url(job, "confirm"))
    assert Product.objects.get().name == "Crème"
    assert Category.objects.get().name == "Bücher"


def test_importer_chooser_lists_the_usable_importers(su_client: Client) -> None:
    page = html(su_client.get(reverse("admin:winiadmin_importjob_importers")))
    assert start_url("shop.catalogue", "") in page and start_url("shop.orders", "") in page

    page = html(su_client.get(reverse("admin:winiadmin_importjob_importers") + "?model=shop.Order"))
    assert start_url("shop.orders", "") in page and "shop.catalogue" not in page


def test_unknown_importer_and_job_are_404(su_client: Client) -> None:
    assert su_client.get(start_url("shop.nothing")).status_code == 404
    missing = reverse("admin:winiadmin_importjob_job", args=[uuid.UUID(int=0)])
    assert su_client.get(missing).status_code == 404


def test_job_change_url_leads_to_the_wizard_page(su_client: Client, make_job: MakeJob) -> None:
    job = make_job(content=b"sku,name,price,quantity,category,store,available_from\nA,B,1,1,,,\n")
    response = su_client.get(reverse("admin:winiadmin_importjob_change", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"] == job_url(job)


@pytest.mark.parametrize("status", ["validated", "invalid", "succeeded", "failed"])
def test_a_report_an_earlier_version_stored_still_shows(
    su_client: Client, make_job: MakeJob, status: str
) -> None:
    """Jobs in users' databases keep the report their version wrote: it reads with defaults."""
    job = make_job(content=b"sku,name\nA,B\n", validate=False)
    ImportJob.objects.filter(pk=job.pk).update(report=OLDEST, status=status)
    page = html(su_client.get(job_url(job)))
    assert "Traceback" not in page
    if status in {"validated", "invalid"}:
        assert "Read 2 rows from <strong>data.csv</strong>" in page
        assert "Products <span" in page  # the model it would create, counts without upsert
        assert "Rows of the file" not in page  # not accounted then: the table is left out
    else:
        assert ("The import finished in 0.01 s." in page) == (status == "succeeded")


def test_template_override_per_model(
    su_client: Client, make_job: MakeJob, settings: object, tmp_path: Path
) -> None:
    override = tmp_path / "admin" / "shop" / "product" / "winiadmin" / "preview.html"
    override.parent.mkdir(parents=True)
    override.write_text(
        '{% extends "admin/winiadmin/preview.html" %}'
        "{% block wizard %}<p>Product preview override for {{ job.original_name }}</p>"
        "{{ block.super }}{% endblock %}"
    )
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]  # type: ignore[attr-defined]
    settings.TEMPLATES = templates  # type: ignore[attr-defined]
    csv = b"sku,name,price,quantity,category,store,available_from\nA,B,1,1,,,\n"

    product_job = make_job(content=csv, name="p.csv", target_model="shop.Product")
    page = html(su_client.get(job_url(product_job)))
    assert "Product preview override for p.csv" in page
    assert "Confirm and import" in page  # block.super: the default page is still there

    # Started from another model's changelist (or from the job list): the default template.
    for target in ("shop.Category", ""):
        other = make_job(content=csv, name="c.csv", target_model=target)
        page = html(su_client.get(job_url(other)))
        assert "override" not in page and "Confirm and import" in page
