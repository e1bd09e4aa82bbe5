"""Issue 12 §5, the readers: rows the reader could not take as they are (bad UTF-8 bytes, a NUL,
too few or too many values) are row problems that "skip invalid rows" leaves out, through the
Python API, ``manage.py winiadmin_import`` and the wizard; the wizard says which encoding it used
and reads the file again in another one.
"""

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.admin.helpers import html, job_url, uploaded_job
from tests.reliability.importers import CorpusImporter
from tests.testapp.models import CorpusItem
from winiadmin.models import ImportJob
from winiadmin.results import ImportStatus

pytestmark = pytest.mark.django_db

#: Rows 2 and 6 are fine; 3 has a byte that is not UTF-8, 4 a NUL, 5 too few values, 7 too many.
AWKWARD = (
    "code,name,quantity,price,day\nA,Café,1,,\n".encode()
    + b"B,Th\xe9,2,,\nC,x\x00y,3,,\nD,short\nE,Cr\xc3\xa8me,5,,\nF,long,6,,,extra\n"
)
SKIPPED = (3, 4, 5, 7)
CORPUS = ("code", "name", "quantity", "price", "day")
KEPT = {"A": "Café", "E": "Crème"}


def stored() -> dict[str, str]:
    return dict(CorpusItem.objects.values_list("code", "name"))


def test_api_blocks_then_skips_the_rows_the_reader_named() -> None:
    blocked = CorpusImporter().run(AWKWARD, file_name="items.csv")
    assert blocked.status is ImportStatus.INVALID
    assert sorted({p.row or 0 for p in blocked.problems.errors()}) == list(SKIPPED)
    assert not CorpusItem.objects.exists()
    result = CorpusImporter().run(AWKWARD, file_name="items.csv", skip_invalid=True)
    assert result.status is ImportStatus.SUCCEEDED, result.error
    assert stored() == KEPT
    assert result.skipped_rows == SKIPPED
    assert result.rows_read == 6


def test_command_skips_them_and_names_each(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes(AWKWARD)
    out, err = StringIO(), StringIO()
    call_command(
        "winiadmin_import", "tests.corpus", str(path), "--skip_invalid", stdout=out, stderr=err
    )
    assert stored() == KEPT
    printed = err.getvalue()
    assert "Row 3, column 'name', value 'Th\\\\xe9': This value has bytes that are not valid" in (
        printed
    )
    assert "Row 4, column 'name', value 'x\\\\x00y': This value holds a NUL character" in printed
    assert "Row 5 has 2 values; the header has 5: columns C (quantity), D (price), E (day)" in (
        printed
    )
    assert "Row 7 has 6 values; the header has 5: column F is extra." in printed


def test_command_encoding_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes("code,name,quantity,price,day\n1,Café,,,\n".encode() + b"2,Th\xe9,,,\n")
    call_command(
        "winiadmin_import", "tests.corpus", str(path), "--encoding", "cp1252",
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    assert stored() == {"1": "CafÃ©", "2": "Thé"}  # what the person chose, as chosen


def test_wizard_lists_them_and_imports_the_rest_when_skipping(su_client: Client) -> None:
    job = uploaded_job(
        su_client, content=AWKWARD, name="items.csv", importer="tests.corpus", model=""
    )
    assert job.status == ImportJob.Status.INVALID  # row errors: a preview, skipping offered
    page = html(su_client.get(job_url(job)))
    assert "Read as UTF-8." in page
    assert "<code>Th\\xe9</code>" in page
    assert "column F is extra" in page
    su_client.post(job_url(job, "confirm"), {"skip_invalid": "on"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert stored() == KEPT
    # The rejected rows come back as text a person can read and fix, each with its reason.
    url = reverse("admin:winiadmin_importjob_rejected", args=[job.pk, "csv"])
    rejected = list(csv.DictReader(io.StringIO(su_client.get(url).content.decode("utf-8-sig"))))
    assert [(row["code"], row["name"]) for row in rejected] == [
        ("B", "Th\\xe9"),
        ("C", "x\\x00y"),
        ("D", "short"),
        ("F", "long"),
    ]
    reasons = [value for row in rejected for key, value in row.items() if key not in CORPUS]
    assert any("not valid UTF-8" in reason for reason in reasons), rejected


def test_wizard_names_the_encoding_and_reads_again_in_another(su_client: Client) -> None:
    content = "code,name,quantity,price,day\n1,Caf\xe9,,,\n".encode("cp1252")
    job = uploaded_job(
        su_client, content=content, name="items.csv", importer="tests.corpus", model=""
    )
    page = html(su_client.get(job_url(job)))
    assert "Read as Windows-1252 (no UTF-8 found)." in page
    picker = page.split('id="winiadmin-read-again"')[1].split("</form>")[0]
    assert 'name="encoding"' in picker
    response = su_client.post(job_url(job, "read_again"), {"encoding": "latin-1"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.read_options["encoding"] == "latin-1"
    page = html(su_client.get(job_url(job)))
    assert "Read as Latin-1 (ISO-8859-1) (chosen)." in page
    assert '<option value="latin-1" selected>' in page
    # "Detect" again drops the choice.
    su_client.post(job_url(job, "read_again"), {"encoding": ""})
    job.refresh_from_db()
    assert "encoding" not in job.read_options


DUPLICATED = b"code,name,quantity,price,name,day\nA,first,3,,second,\n"


def test_duplicate_headers_are_refused_until_a_person_chooses(
    su_client: Client, tmp_path: Path
) -> None:
    """Never guessed: refused by name; the column mapping (wizard or command) decides."""
    result = CorpusImporter().run(DUPLICATED, file_name="items.csv")
    assert result.status is ImportStatus.INVALID
    assert result.error.startswith("The file cannot be imported")
    assert [str(p) for p in result.problems.errors()] == [
        "The header 'name' appears in columns B and E; rename one of them (or choose in the "
        "column mapping which one feeds 'name')."
    ]
    job = uploaded_job(
        su_client, content=DUPLICATED, name="items.csv", importer="tests.corpus", model=""
    )
    assert job.status == ImportJob.Status.INVALID
    assert "The header &#x27;name&#x27; appears in columns B and E" in html(
        su_client.get(job_url(job))
    )
    # The columns step: the second "name" (column E, name_2) feeds name, the first is ignored.
    columns = ["code", "", "quantity", "price", "name", "day"]
    chosen = {f"column_{index}": target for index, target in enumerate(columns)}
    assert su_client.post(job_url(job, "columns"), chosen).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED, job.error
    su_client.post(job_url(job, "confirm"))
    assert stored() == {"A": "second"}
    # The command: --column_map names the one to use.
    CorpusItem.objects.all().delete()
    path = tmp_path / "items.csv"
    path.write_bytes(DUPLICATED)
    call_command(
        "winiadmin_import", "tests.corpus", str(path), "--column_map", "name_2=",
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    assert stored() == {"A": "first"}
