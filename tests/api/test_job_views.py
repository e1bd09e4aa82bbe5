"""Jobs over the API: upload, read, confirm — outcomes in the database."""

from dataclasses import replace

from shop.models import Product

from tests.api.conftest import Api
from winiadmin.models import ImportJob


def test_upload_checks_the_file_and_confirm_imports_it(token_api: Api) -> None:
    created = token_api.upload("catalogue.csv")
    assert created.status == 201
    job = created.body
    assert job["status"] == "validated"
    assert created.headers["Location"] == job["url"]
    assert job["report"]["rows"]["read"] == 40
    assert not Product.objects.exists()  # the dry run wrote nothing

    confirmed = token_api.post("/jobs/{job_id}/confirm/", {}, job_id=job["id"])

    assert confirmed.status == 200
    assert confirmed.body["status"] == "succeeded"
    assert Product.objects.count() == 40
    owner = ImportJob.objects.get(pk=job["id"]).user
    assert owner is not None
    assert owner.username == "importer"


def test_read_a_job_and_list_them(token_api: Api) -> None:
    job = token_api.upload("catalogue.csv").body

    shown = token_api.get("/jobs/{job_id}/", job_id=job["id"])
    listed = token_api.get("/jobs/")

    assert shown.body == job
    assert [j["id"] for j in listed.body["jobs"]] == [job["id"]]
    assert listed.body["total"] == 1


def test_mistakes_are_problems_naming_row_column_and_value(token_api: Api) -> None:
    job = token_api.upload("catalogue_with_mistakes.csv").body
    assert job["status"] == "invalid"
    assert not job["can_confirm"]

    problems = token_api.get("/jobs/{job_id}/problems/", job_id=job["id"]).body["problems"]

    price = next(p for p in problems if p["column"] == "price")
    assert (price["row"], price["value"], price["severity"]) == (3, "12,50 EUR", "error")
    refused = token_api.post("/jobs/{job_id}/confirm/", {}, job_id=job["id"])
    assert refused.status == 409
    assert refused.body["error"]["code"] == "job_state"
    assert not Product.objects.exists()


def test_skip_invalid_rows_imports_the_rest(token_api: Api) -> None:
    job = token_api.upload("catalogue_with_mistakes.csv").body
    assert job["can_confirm_skipping_invalid"]

    done = token_api.post("/jobs/{job_id}/confirm/", {"skip_invalid": True}, job_id=job["id"])

    assert done.body["status"] == "succeeded"
    assert Product.objects.count() == done.body["report"]["rows"]["imported"] > 0


def test_problems_filtered_and_paged(token_api: Api) -> None:
    job = token_api.upload("catalogue_with_mistakes.csv").body
    every = token_api.get("/jobs/{job_id}/problems/", job_id=job["id"]).body

    first = token_api.call(
        "GET", "/jobs/{job_id}/problems/", query={"page_size": "1"}, job_id=job["id"]
    ).body
    prices = token_api.call(
        "GET", "/jobs/{job_id}/problems/", query={"column": "price"}, job_id=job["id"]
    ).body

    assert first["problems"] == every["problems"][:1]
    assert first["pages"] == every["total"]
    assert prices["problems"] and all(p["column"] == "price" for p in prices["problems"])


def test_cleaned_rows_page_by_page_with_their_file_rows(token_api: Api) -> None:
    job = token_api.upload("catalogue.csv").body

    page = token_api.call(
        "GET", "/jobs/{job_id}/rows/", query={"page": "2", "page_size": "10"}, job_id=job["id"]
    ).body

    assert page["total"] == 40
    assert page["pages"] == 4
    assert [r["row"] for r in page["rows"]] == list(range(12, 22))  # header = row 1
    assert page["rows"][0]["values"]["sku"] == "SKU-0011"
    assert page["rows"][0]["values"]["price"] == 57.71  # as the file typed it


def test_options_of_an_importer_are_checked(token_api: Api) -> None:
    refused = token_api.upload("catalogue.csv", options='{"nope": 1}')

    assert refused.status == 400
    assert refused.body["error"]["code"] == "invalid_request"
    assert not ImportJob.objects.exists()


def test_a_file_that_is_not_a_table_is_refused(token_api: Api, tmp_path: object) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4 not a table")
    answer = token_api.call(
        "POST", "/jobs/", data={"importer": "shop.catalogue", "file": pdf}, files=True
    )

    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_file"
    assert not ImportJob.objects.exists()


def test_a_problem_names_its_sheet_as_the_report_keeps_it(token_api: Api) -> None:
    """One serializer for a problem: the stored report's, with the sheet (null outside a
    workbook of several sheets), checked against the OpenAPI ``Problem`` schema by ``call``."""
    job_id = token_api.upload("catalogue_with_mistakes.csv").body["id"]
    job = ImportJob.objects.get(pk=job_id)
    report = job.import_report
    first = replace(report.problems[0], sheet="Products")
    job.report = replace(report, problems=(first, *report.problems[1:])).to_json()
    job.save(update_fields=["report"])

    problems = token_api.get("/jobs/{job_id}/problems/", job_id=job_id).body["problems"]

    assert problems[0]["sheet"] == "Products"
    assert {p["sheet"] for p in problems[1:]} == {None}
    assert (problems[0]["row"], problems[0]["column"]) == (first.row, first.column)
