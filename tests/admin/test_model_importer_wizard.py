"""The wizard of the importer derived from a model, one field type at a time (issue 15 §4).

``tests/importers/test_model.py`` holds a table of good and bad values for every field type of
``tests.testapp.models.Gadget`` and runs it through the Python API and the command; here the same
tables go through the admin wizard of ``testapp.Gadget`` (``GadgetAdmin(ImportMixin)``, nothing
declared): one upload of a one-row CSV per case, then the preview and the confirm. A good value is
stored as typed; a bad one is named on the preview by row 2 (the header is row 1), its column
header and its value, and confirming is refused with nothing written.
"""

import pytest
from django.test import Client
from django.utils.html import escape

from tests.admin.helpers import html, job_url, uploaded_job
from tests.importers.test_model import BAD, GOOD, csv_cell
from tests.testapp.models import Gadget, Maker
from winiadmin.models import ImportJob

pytestmark = pytest.mark.django_db

#: A maker with a known key, for the foreign key and one-to-one columns.
MAKER_PK, MAKER_CODE = 7, "m1"

#: field, text in the file, attribute read back, value stored: the relations, by key.
GOOD_KEYS = [
    ("maker", str(MAKER_PK), "maker_id", MAKER_PK),
    ("made_by", MAKER_CODE, "made_by_id", MAKER_CODE),
    ("twin", str(MAKER_PK), "twin_id", MAKER_PK),
    ("maker", "", "maker_id", None),
]


@pytest.fixture
def maker() -> Maker:
    return Maker.objects.create(pk=MAKER_PK, code=MAKER_CODE)


def upload_one_row(client: Client, field: str, text: str) -> ImportJob:
    """The wizard's upload of ``name,<field>`` with one row; the job, dry-run."""
    content = f"name,{field}\nthe gadget,{csv_cell(text)}\n".encode()
    return uploaded_job(
        client, content=content, name="gadgets.csv", importer="testapp.Gadget", model=""
    )


def dry_run_and_confirm(client: Client, field: str, text: str) -> Gadget:
    job = upload_one_row(client, field, text)
    assert job.status == ImportJob.Status.VALIDATED, job.report
    assert job.dry_run_counts == {"testapp.Gadget": 1}
    preview = html(client.get(job_url(job)))
    assert "Confirm and import" in preview
    assert not Gadget.objects.exists()  # the dry run wrote nothing

    response = client.post(job_url(job, "confirm"))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.report
    return Gadget.objects.get(name="the gadget")


@pytest.mark.parametrize(("field", "text", "stored"), GOOD)
def test_a_good_value_is_stored_as_typed(
    su_client: Client, field: str, text: str, stored: object
) -> None:
    gadget = dry_run_and_confirm(su_client, field, text)
    assert getattr(gadget, field) == stored


@pytest.mark.parametrize(("field", "text", "attname", "stored"), GOOD_KEYS)
def test_a_good_key_is_stored(
    su_client: Client, maker: Maker, field: str, text: str, attname: str, stored: object
) -> None:
    gadget = dry_run_and_confirm(su_client, field, text)
    assert getattr(gadget, attname) == stored


#: field, text in the file, what the problem says: the relations, by a key that matches nothing.
BAD_KEYS = [
    ("made_by", "m9", "No maker has code 'm9'"),
    ("twin", "8", "No maker has id 8"),
]


#: field, text in the file, what the problem says: values that parse but break the model's own
#: rules (what ``full_clean()`` refuses, winiadmin.validation), in Django's words.
BAD_BY_RULES = [
    ("email", "not-an-email", "Enter a valid email address."),
    ("url", "not a url", "Enter a valid URL."),
    ("slug", "no spaces allowed", "Enter a valid"),
    ("size", "M", "is not a valid choice"),
    ("level", "3", "is not a valid choice"),
    ("slug", "a" * 51, "at most 50 characters"),
]


@pytest.mark.parametrize(("field", "text", "message"), BAD + BAD_KEYS + BAD_BY_RULES)
def test_a_bad_value_is_named_and_nothing_is_written(
    su_client: Client, maker: Maker, field: str, text: str, message: str
) -> None:
    job = upload_one_row(su_client, field, text)
    assert job.status == ImportJob.Status.INVALID
    page = html(su_client.get(job_url(job)))
    assert f"Row 2, column {escape(field)}" in page
    assert f"<code>{escape(text)}</code>" in page
    assert escape(message) in page

    response = su_client.post(job_url(job, "confirm"), follow=True)
    assert "This import cannot run: fix the problems" in html(response)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert not Gadget.objects.exists()
