"""A job's steps over the API: mapping, options, cancel, retry, undo."""

from shop.models import Product

from tests.api.conftest import Api
from winiadmin.models import ImportJob, SavedColumnMapping

ODD = "catalogue_odd_headers.csv"


def test_the_mapping_is_shown_and_a_choice_checks_the_file_again(token_api: Api) -> None:
    job = token_api.upload(ODD).body
    assert job["needs_mapping"]
    assert job["status"] == "invalid"  # "store" is fed by no header yet

    found = token_api.get("/jobs/{job_id}/mapping/", job_id=job["id"]).body
    assert "store" in found["unmatched"]
    assert found["needs_review"]

    chosen = token_api.call(
        "PUT", "/jobs/{job_id}/mapping/", data={"mapping": {"Shop": "store"}}, job_id=job["id"]
    ).body

    assert chosen["status"] == "validated"
    assert chosen["column_mapping"]["Shop"] == "store"
    created = {m["label"]: m["created"] for m in chosen["report"]["models"]}
    assert created["shop.Product"] == 10
    assert SavedColumnMapping.objects.get().mapping["Shop"] == "store"
    # The next file with the same headers is offered the choice again.
    second = token_api.upload(ODD).body
    offered = token_api.get("/jobs/{job_id}/mapping/", job_id=second["id"]).body
    assert offered["saved"]["Shop"] == "store"


def test_a_mapping_feeding_a_column_twice_is_refused_by_name(token_api: Api) -> None:
    job = token_api.upload(ODD).body

    refused = token_api.call(
        "PUT", "/jobs/{job_id}/mapping/", data={"mapping": {"Shop": "sku"}}, job_id=job["id"]
    )

    assert refused.status == 400
    assert refused.body["error"]["details"]["twice"] == {"sku": ["SKU", "Shop"]}
    assert ImportJob.objects.get(pk=job["id"]).column_mapping is None


def test_unknown_headers_and_columns_are_refused(token_api: Api) -> None:
    job = token_api.upload(ODD).body

    for mapping in ({"Nope": "store"}, {"Shop": "nope"}):
        refused = token_api.call(
            "PUT", "/jobs/{job_id}/mapping/", data={"mapping": mapping}, job_id=job["id"]
        )
        assert refused.status == 400, mapping


def test_read_options_read_the_file_again(token_api: Api) -> None:
    job = token_api.upload("catalogue.csv").body

    again = token_api.post(
        "/jobs/{job_id}/options/", {"read_options": {"header_row": 2}}, job_id=job["id"]
    ).body

    assert again["read_options"] == {"header_row": 2}
    assert again["report"]["header_row"] == 2
    assert again["report"]["rows"]["read"] == 39


def test_cancel_of_a_job_not_running_says_so(token_api: Api) -> None:
    job = token_api.upload("catalogue.csv").body

    answer = token_api.post("/jobs/{job_id}/cancel/", job_id=job["id"]).body

    assert (answer["outcome"], answer["cancelled"]) == ("not running", False)
    assert answer["job"]["status"] == "validated"


def test_retry_only_a_failed_job(token_api: Api) -> None:
    job = token_api.upload("catalogue.csv").body
    refused = token_api.post("/jobs/{job_id}/retry/", job_id=job["id"])
    assert (refused.status, refused.body["error"]["code"]) == (409, "job_state")

    ImportJob.objects.filter(pk=job["id"]).update(status=ImportJob.Status.FAILED)
    retried = token_api.post("/jobs/{job_id}/retry/", job_id=job["id"])

    assert retried.body["status"] == "validated"  # checked again right here (small file)


def test_undo_shows_its_plan_then_deletes_what_the_import_created(
    token_api: Api, importer_user: object
) -> None:
    from tests.admin.helpers import grant

    job = token_api.upload("catalogue.csv").body
    token_api.post("/jobs/{job_id}/confirm/", {}, job_id=job["id"])
    refused = token_api.get("/jobs/{job_id}/undo/", job_id=job["id"])
    assert refused.status == 403  # needs delete permissions
    deletes = ("shop.delete_product", "shop.delete_category", "shop.delete_store")
    grant(importer_user, *deletes)  # type: ignore[arg-type]

    plan = token_api.get("/jobs/{job_id}/undo/", job_id=job["id"]).body
    assert plan["allowed"]
    assert {m["label"]: m["rows"] for m in plan["models"]}["shop.Product"] == 40
    undone = token_api.post("/jobs/{job_id}/undo/", job_id=job["id"]).body

    assert undone["deleted"]["shop.Product"] == 40
    assert not Product.objects.exists()
    assert undone["job"]["undone_at"] is not None
    again = token_api.post("/jobs/{job_id}/undo/", job_id=job["id"])
    assert (again.status, again.body["error"]["code"]) == (409, "undo_refused")


def test_a_background_job_is_queued_and_can_be_cancelled(token_api: Api) -> None:
    from django.test import override_settings

    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0}):
        job = token_api.upload("catalogue.csv").body
        assert (job["status"], job["active"]) == ("queued", True)
        assert job["progress"]["queued_step"] == "validate"
        early = token_api.post("/jobs/{job_id}/confirm/", {}, job_id=job["id"])
        assert (early.status, early.body["error"]["code"]) == (409, "job_state")

        cancelled = token_api.post("/jobs/{job_id}/cancel/", job_id=job["id"]).body

    assert (cancelled["outcome"], cancelled["cancelled"]) == ("cancelled", True)
    assert cancelled["job"]["status"] == "cancelled"
    assert not Product.objects.exists()
