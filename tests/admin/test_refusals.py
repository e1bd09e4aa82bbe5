"""A permission refusal inside the wizard is an admin page (403) with the reason and a way back,
also for HTMX requests; the upload form says which files it takes and refuses others at once."""

from django.test import Client
from django.urls import reverse

from tests.admin.conftest import MakeJob, MakeUser
from tests.admin.helpers import CATALOGUE_PERMS, html, job_url, start_url, upload_file
from winiadmin.models import ImportJob

CSV = b"sku,name,price\nA-1,Thing,1.50\n"


def test_a_refusal_is_an_admin_page_with_the_reason_and_a_way_back(
    client: Client, make_user: MakeUser
) -> None:
    client.force_login(make_user("viewer", "shop.view_product"))
    response = client.get(start_url())
    assert response.status_code == 403
    page = html(response)
    assert '<div id="user-tools">' in page or 'id="user-tools"' in page  # the admin's own page
    assert "You may not import with this importer." in page
    assert f'href="{reverse("admin:shop_product_changelist")}"' in page  # they may view it
    assert "Back to products" in page

    # The Import button's URL of a changelist they may not import into says why, too.
    refused = client.get(reverse("admin:shop_product_import"))
    assert refused.status_code == 403
    assert "You may not import products: no importer of them is open to you." in html(refused)


def test_without_a_changelist_to_go_back_to_the_way_back_is_the_admin_index(
    client: Client, make_user: MakeUser
) -> None:
    client.force_login(make_user("nobody"))
    response = client.get(reverse("admin:winiadmin_importjob_importers"))
    assert response.status_code == 403
    page = html(response)
    assert "There is nothing you may import." in page
    assert f'href="{reverse("admin:index")}"' in page and "Back to the admin" in page


def test_an_htmx_refusal_replaces_the_wizard_in_place(
    client: Client, make_user: MakeUser, make_job: MakeJob
) -> None:
    job = make_job(content=CSV)  # the superuser's
    client.force_login(make_user("other", *CATALOGUE_PERMS))
    response = client.get(job_url(job, "progress"), headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response["X-Winiadmin-Refusal"] == "1"
    assert response["HX-Retarget"] == "#winiadmin"
    assert "This import belongs to another user." in html(response)


def test_the_file_input_lists_the_accepted_types(su_client: Client) -> None:
    page = html(su_client.get(start_url()))
    assert 'accept=".csv,.json,.jsonl,.ndjson,.ods,.parquet,.tab,.tsv,.txt,.xls,.xlsb,' in page
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in page


def test_a_file_that_is_not_a_table_is_refused_at_upload_with_one_message(
    su_client: Client,
) -> None:
    response = upload_file(su_client, content=b"%PDF-1.7\n%binary", name="report.pdf")
    assert response.status_code == 200  # the form again
    page = html(response)
    assert page.count('class="errorlist') == 1
    assert "it looks like a PDF document" in page
    assert not ImportJob.objects.exists()  # no job, no worker round trip

    # A table under an unusual name is still a table: content decides, as the readers do.
    assert upload_file(su_client, content=CSV, name="export.dat").status_code == 302
