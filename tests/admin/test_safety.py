"""Hostile files and requests: markup in cells and headers, path tricks in names, forged POSTs."""

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl
import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from shop.models import Category, Product

from tests.admin.conftest import MakeJob
from tests.admin.helpers import html, job_url, start_url, uploaded_job
from winiadmin.cleaning import CleaningDF
from winiadmin.importers import Importer, register
from winiadmin.importers.registry import unregister
from winiadmin.models import ImportJob
from winiadmin.storage import upload_storage

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
COLUMNS = ["sku", "name", "price", "quantity", "category", "store", "available_from"]


def hostile_csv() -> bytes:
    """Markup in extra headers and in cells: valid ones (shown as data), invalid (as problems)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, SCRIPT, IMG])
    writer.writerow(["X-1", SCRIPT, "1.00", "1", IMG, SCRIPT, "", SCRIPT, IMG])
    writer.writerow(["X-2", IMG, "1.00", "1", SCRIPT, IMG, "", "", ""])
    writer.writerow(["X-3", "Fine", IMG, "1", "", "", "", "", ""])  # invalid price
    writer.writerow(["X-4", "Fine", "1.00", SCRIPT, "", "", "", "", ""])  # invalid quantity
    return out.getvalue().encode()


def assert_escaped(page: str, escaped: str = "&lt;script&gt;alert(1)&lt;/script&gt;") -> None:
    assert SCRIPT not in page
    assert "<img src=x" not in page
    assert escaped in page


def test_markup_in_cells_and_headers_is_escaped_everywhere(su_client: Client) -> None:
    job = uploaded_job(su_client, content=hostile_csv(), name="<img src=x onerror=alert(1)>.csv")
    assert job.status == ImportJob.Status.INVALID
    kinds = {(p["kind"], p["column"]) for p in job.report["problems"]}
    assert ("unexpected_column", SCRIPT) in kinds and ("unexpected_column", IMG) in kinds
    assert ("invalid_value", "price") in kinds and ("invalid_value", "quantity") in kinds

    pages = {
        "job": su_client.get(job_url(job)),
        "rows": su_client.get(job_url(job, "rows")),
        "problems": su_client.get(job_url(job, "problems")),
        "problems by column": su_client.get(
            job_url(job, "problems"), {"kind": "unexpected_column", "column": SCRIPT}
        ),
        "job list": su_client.get(reverse("admin:winiadmin_importjob_changelist")),
    }
    job_list = pages.pop("job list")
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert_escaped(html(response))
    assert_escaped(html(job_list), "&lt;img src=x onerror=alert(1)&gt;.csv")
    job_page = html(pages["job"])
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in job_page  # the file name
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in job_page  # a header
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html(pages["rows"])  # a cell
    filtered = html(pages["problems by column"])
    assert filtered.count('<tr class="warning">') == 1

    # Imported anyway: the result page and the admin's messages escape too.
    response = su_client.post(job_url(job, "confirm"), {"skip_invalid": "on"}, follow=True)
    assert Product.objects.filter(name=SCRIPT).exists()
    assert Category.objects.filter(name=IMG).exists()
    assert_escaped(html(response))
    response = su_client.post(
        reverse("admin:winiadmin_importjob_changelist"),
        {"action": "run_import", "_selected_action": [str(job.pk)]},
        follow=True,
    )
    assert "This import has already succeeded" in html(response)  # the warning names the job's file
    assert_escaped(html(response), "&lt;img src=x onerror=alert(1)&gt;.csv (Succeeded)</a>")


class MarkupColumnsCleaningDF(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {SCRIPT: pl.Utf8, IMG: pl.Utf8}

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return (SCRIPT,)


class MarkupColumnsImporter(Importer):
    """Its own column names are markup: they reach the cleaned table's header and the profile."""

    name = "tests.markup_columns"
    models = (Category,)
    cleaning_df_cls = MarkupColumnsCleaningDF

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {Category: [Category(name=name) for name in df[SCRIPT]]}


@pytest.fixture
def markup_importer() -> Iterator[type[Importer]]:
    register(MarkupColumnsImporter)
    yield MarkupColumnsImporter
    unregister(MarkupColumnsImporter)


@pytest.mark.usefixtures("markup_importer")
def test_markup_in_cleaned_column_names_is_escaped(su_client: Client) -> None:
    out = io.StringIO()
    csv.writer(out).writerows([[SCRIPT, IMG], ["Fine", SCRIPT], ["", "x"]])
    job = uploaded_job(
        su_client, content=out.getvalue().encode(), importer="tests.markup_columns", model=""
    )
    assert [c["name"] for c in job.report["columns"]] == [SCRIPT, IMG]
    for response in (su_client.get(job_url(job)), su_client.get(job_url(job, "rows"))):
        assert response.status_code == 200
        page = html(response)
        assert_escaped(page)
        assert '<th scope="col">&lt;script&gt;alert(1)&lt;/script&gt;<br>' in page
    job_page = html(su_client.get(job_url(job)))
    assert '<th scope="row">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</th>' in job_page


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body sent as a browser would, file name untouched by the test client."""
    boundary = "winiadmin-boundary"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    )
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("filename", "stored_suffix", "shown"),
    [
        ("../../etc/passwd.csv", ".csv", "passwd.csv"),
        ("..\\..\\windows\\win.ini.csv", ".csv", "win.ini.csv"),
        ("Prix été 2026 (copie) ✓.CSV", ".csv", "Prix été 2026 (copie) ✓.CSV"),
        ("payload.php", "", "payload.php"),
    ],
)
def test_the_stored_name_comes_from_the_job_id(
    su_client: Client, samples: Path, filename: str, stored_suffix: str, shown: str
) -> None:
    body, content_type = multipart(filename, (samples / "catalogue.csv").read_bytes())
    response = su_client.post(start_url(), body, content_type=content_type)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.file.name == f"winiadmin/{job.pk}/upload{stored_suffix}"
    assert job.original_name == shown
    root = Path(upload_storage().path("")).resolve()
    stored = Path(upload_storage().path(job.file.name)).resolve()
    assert stored.is_file() and stored.is_relative_to(root)
    assert stored.read_bytes() == (samples / "catalogue.csv").read_bytes()
    assert job.status == ImportJob.Status.VALIDATED  # read as CSV whatever the name said


def test_post_without_csrf_token_is_refused(superuser: object, make_job: MakeJob) -> None:
    job = make_job(content=b"sku,name,price,quantity,category,store,available_from\nA,B,1,1,,,\n")
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)  # type: ignore[arg-type]
    csv_file = io.BytesIO(b"sku,name,price,quantity,category,store,available_from\nC,D,1,1,,,\n")
    csv_file.name = "forged.csv"

    assert client.post(start_url(), {"file": csv_file}).status_code == 403
    assert client.post(job_url(job, "confirm")).status_code == 403
    response = client.post(
        reverse("admin:winiadmin_importjob_changelist"),
        {"action": "run_import", "_selected_action": [str(job.pk)]},
    )
    assert response.status_code == 403
    assert ImportJob.objects.count() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED
    assert not Product.objects.exists()

    # The same POST with the token the page hands out goes through.
    client.get(job_url(job))
    token = client.cookies["csrftoken"].value
    response = client.post(job_url(job, "confirm"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Product.objects.get().sku == "A"
