"""The wizard's column mapping step through the test client: shown when the headers need a look,
applied on POST (a new dry run), remembered for the next file with the same headers."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from shop.models import Product

from tests.admin.conftest import MakeJob, MakeUser
from tests.admin.helpers import CATALOGUE_PERMS, html, job_url, uploaded_job
from winiadmin.models import ImportJob, SavedColumnMapping

pytestmark = pytest.mark.django_db

ODD = "catalogue_odd_headers.csv"
#: The columns of catalogue_odd_headers.csv, in order, as the form numbers them.
HEADERS = ["SKU", "Product Name", "Prix", "Qty", "Catégorie", "Shop", "Availble From", "Notes"]
FIXED = {
    "column_0": "sku",
    "column_1": "name",
    "column_2": "price",
    "column_3": "quantity",
    "column_4": "category",
    "column_5": "store",
    "column_6": "available_from",
    "column_7": "",
}


def selected(page: str, index: int) -> str:
    """The value preselected in the select of file column ``index`` ("" = ignore)."""
    select = page.split(f'name="column_{index}"', 1)[1].split("</select>", 1)[0]
    if "selected>" not in select:
        return ""
    return select.split("selected>", 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]


def test_odd_headers_lead_to_the_mapping_step_with_suggestions(
    su_client: Client, samples: Path
) -> None:
    job = uploaded_job(su_client, samples / ODD)
    assert job.status == ImportJob.Status.INVALID  # "store" is missing until mapped
    response = su_client.get(job_url(job))
    assert response.status_code == 302
    assert response["Location"] == job_url(job, "columns")

    page = html(su_client.get(job_url(job, "columns")))
    assert "Match the columns of the file" in page
    assert "Your choice is remembered for the next file with the same columns." in page
    assert "Not right? Read the file again:" in page  # the header row picker, for a wrong row
    for header in ("Product Name", "Catégorie", "Availble From"):
        assert f">{header}</label>" in page
    assert "Golden Puzzle, Red Shovel, Blue Lamp" in page  # sample values
    assert [selected(page, i) for i in range(len(HEADERS))] == [
        "sku", "name", "price", "quantity", "category", "", "available_from", "",
    ]  # fmt: skip
    assert "a declared alias" in page
    assert "close spelling, 96% alike" in page
    assert "same name apart from case, accents or spacing" in page
    assert "The importer expects: sku, name, price, quantity, category, store, available_from" in (
        page
    )


def test_posting_the_mapping_checks_again_and_the_import_runs(
    su_client: Client, superuser: User, samples: Path
) -> None:
    job = uploaded_job(su_client, samples / ODD)
    response = su_client.post(job_url(job, "columns"), FIXED)
    assert response.status_code == 302 and response["Location"] == job_url(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED
    assert job.column_mapping == dict(zip(HEADERS, [*list(FIXED.values())[:-1], None], strict=True))
    assert job.dry_run_counts["shop.Product"] == 10
    saved = SavedColumnMapping.objects.get()
    assert (saved.importer, saved.user, saved.headers) == ("shop.catalogue", superuser, HEADERS)

    preview = html(su_client.get(job_url(job)))
    assert "Confirm and import" in preview
    assert "Columns matched as you chose." in preview
    assert "Change column mapping" in preview
    assert "“Shop” → store" in preview

    su_client.post(job_url(job, "confirm"))
    assert Product.objects.count() == 10
    assert Product.objects.get(sku="SKU-0003").store.name == "Hamburg Hafen"  # type: ignore[union-attr]
    # Finished: the columns can no longer be changed.
    response = su_client.get(job_url(job, "columns"), follow=True)
    assert "The columns of this import cannot be changed now." in html(response)


def test_the_choice_is_remembered_for_the_next_file_with_the_same_headers(
    su_client: Client, samples: Path
) -> None:
    first = uploaded_job(su_client, samples / ODD)
    su_client.post(job_url(first, "columns"), {**FIXED, "column_7": "", "column_3": "quantity"})
    # Same headers in another order and case: the saved mapping preselects the step.
    content = (
        "notes,shop,sku,product name,prix,qty,catégorie,availble from\nx,Online,Z-1,Z,1,2,B,\n"
    )
    second = uploaded_job(su_client, content=content.encode(), name="again.csv")
    saved = SavedColumnMapping.objects.get()
    # It decides every column: applied without asking, checked again, and the preview says so.
    assert su_client.get(job_url(second))["Location"] == job_url(second)
    second.refresh_from_db()
    assert second.column_mapping == saved.mapping
    assert second.status == ImportJob.Status.VALIDATED, second.report
    preview = html(su_client.get(job_url(second)))
    assert "Columns matched with the mapping you chose on" in preview
    assert "Column \u201cshop\u201d \u2192 store" in preview
    assert "Column \u201cnotes\u201d is ignored" in preview
    assert f'href="{job_url(second, "columns")}"' in preview  # to change it
    assert SavedColumnMapping.objects.get().updated_at == saved.updated_at  # not saved again
    # The step still opens, preselected.
    page = html(su_client.get(job_url(second, "columns")))
    assert "Preselected with the mapping you chose on" in page
    assert selected(page, 1) == "store"  # "shop", chosen by hand last time
    assert selected(page, 0) == ""  # "notes", ignored last time
    assert SavedColumnMapping.objects.count() == 1


def test_a_remembered_mapping_that_no_longer_fits_is_only_preselected(
    su_client: Client, samples: Path
) -> None:
    first = uploaded_job(su_client, samples / ODD)
    su_client.post(job_url(first, "columns"), {**FIXED, "column_7": "", "column_3": "quantity"})
    saved = SavedColumnMapping.objects.get()
    saved.mapping = {**saved.mapping, "Shop": "warehouse"}  # a column the importer dropped
    saved.save()
    second = uploaded_job(su_client, samples / ODD)
    assert su_client.get(job_url(second))["Location"] == job_url(second, "columns")
    second.refresh_from_db()
    assert second.column_mapping is None


def test_a_mapping_feeding_a_column_twice_or_leaving_one_out_is_refused(
    su_client: Client, samples: Path
) -> None:
    job = uploaded_job(su_client, samples / ODD)
    twice = su_client.post(job_url(job, "columns"), {**FIXED, "column_7": "store"})
    assert twice.status_code == 200
    assert "store is chosen for more than one file column: Shop, Notes." in html(twice)
    left_out = su_client.post(job_url(job, "columns"), {**FIXED, "column_0": ""})
    assert "Choose a file column for: sku." in html(left_out)
    job.refresh_from_db()
    assert job.column_mapping is None and job.status == ImportJob.Status.INVALID
    assert not SavedColumnMapping.objects.exists()


def test_exact_or_merely_differently_cased_headers_skip_the_step(
    su_client: Client, samples: Path
) -> None:
    job = uploaded_job(su_client, samples / "catalogue.csv")
    response = su_client.get(job_url(job))
    assert response.status_code == 200
    assert "Change column mapping" in html(response)  # offered, not imposed
    upper = (samples / "catalogue.csv").read_text().replace("sku,name", "SKU,Name", 1)
    job = uploaded_job(su_client, content=upper.encode(), name="upper.csv")
    page = html(su_client.get(job_url(job)))
    assert "Columns matched by name." in page and "“SKU” → sku" in page


def test_other_users_cannot_see_or_change_the_mapping(
    client: Client, make_user: MakeUser, make_job: MakeJob, samples: Path
) -> None:
    alice = make_user("alice", *CATALOGUE_PERMS)
    bob = make_user("bob", *CATALOGUE_PERMS)
    job = make_job(samples / ODD, user=alice)
    client.force_login(bob)
    assert client.get(job_url(job, "columns")).status_code == 403
    assert client.post(job_url(job, "columns"), FIXED).status_code == 403
    job.refresh_from_db()
    assert job.column_mapping is None


def test_the_mapping_post_needs_the_csrf_token(
    superuser: User, make_job: MakeJob, samples: Path
) -> None:
    job = make_job(samples / ODD)
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    assert client.post(job_url(job, "columns"), FIXED).status_code == 403
    client.get(job_url(job, "columns"))
    token = client.cookies["csrftoken"].value
    response = client.post(job_url(job, "columns"), {**FIXED, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED


def test_an_unreadable_file_has_no_mapping_step(su_client: Client) -> None:
    job = uploaded_job(su_client, content=b"PAR1\x00\x01\x02garbage", name="broken.parquet")
    assert su_client.get(job_url(job)).status_code == 200
    response = su_client.get(job_url(job, "columns"), follow=True)
    assert "The columns of this import cannot be changed now." in html(response)
