"""Numbers and dates in the file's conventions over the API: declared on upload (checked as the
wizard and the command check them), proposed by the check in the job's report, and a proposal
accepted — the file checked again and imported with the right numbers."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from shop.models import Product

from tests.admin.conftest import MakeUser
from tests.api.conftest import BASE, SAMPLES, Api
from winiadmin.models import ImportJob, SavedConventions
from winiadmin.tokens import issue_token


def german(tmp_path: Path) -> Path:
    """The sample catalogue as a German Excel writes it: ``;``, ``66,67`` and ``19.06.2026``."""
    lines = (SAMPLES / "catalogue.csv").read_text(encoding="utf-8").splitlines()
    out = [lines[0].replace(",", ";")]
    for line in lines[1:]:
        cells = line.split(",")
        cells[2] = cells[2].replace(".", ",")
        year, month, day = cells[6].split("-")
        cells[6] = f"{day}.{month}.{year}"
        out.append(";".join(cells))
    path = tmp_path / "katalog.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def upload(api: Api, path: Path, **fields: str) -> Any:
    with path.open("rb") as handle:
        data = {"importer": "shop.catalogue", "file": handle, **fields}
        return api.call("POST", "/jobs/", data=data, files=True)


def accept(api: Api, job_id: str, column: str, reading: int = 0) -> Any:
    data = {"column": column, "reading": reading}
    return api.post("/jobs/{job_id}/conventions/", data, job_id=job_id)


def price_of(sku: str) -> Decimal:
    return Product.objects.get(sku=sku).price


def test_conventions_declared_on_upload_read_the_file(token_api: Api, tmp_path: Path) -> None:
    declared = {"decimal_separator": ",", "date_formats": ["%d.%m.%Y"]}
    created = upload(token_api, german(tmp_path), conventions=json.dumps(declared))

    assert created.status == 201
    job = created.body
    assert job["status"] == "validated", job["report"]
    assert job["conventions"] == declared
    assert job["report"]["proposals"] == []
    assert SavedConventions.objects.get(column="").conventions == declared  # as the wizard
    done = token_api.post("/jobs/{job_id}/confirm/", {}, job_id=job["id"]).body
    assert done["status"] == "succeeded"
    assert Product.objects.count() == 40
    assert price_of("SKU-0001") == Decimal("66.67")
    assert str(Product.objects.get(sku="SKU-0001").available_from) == "2026-06-19"


def test_wrong_conventions_are_refused_before_any_job(token_api: Api, tmp_path: Path) -> None:
    wrong: list[tuple[object, str]] = [
        ({"decimal_separator": ";"}, "conventions"),
        ({"decimal_separator": ",", "thousands_separator": ","}, "conventions"),
        ({"percent": "half"}, "conventions"),
        ({"dates": ["%d.%m.%Y"]}, "conventions"),
        ({"date_formats": "%d.%m.%Y"}, "date_formats"),
        (["decimal_separator"], "conventions"),
        # A column the importer does not read: its convention would be ignored, silently.
        ({"columns": {"prize": {"decimal_separator": ","}}}, "conventions"),
    ]
    for given, field in wrong:
        refused = upload(token_api, german(tmp_path), conventions=json.dumps(given))
        assert refused.status == 400, given
        assert refused.body["error"]["code"] == "invalid_request"
        assert refused.body["error"]["details"]["field"] == field, given
    not_json = upload(token_api, german(tmp_path), conventions="{,")
    assert not_json.status == 400
    assert not ImportJob.objects.exists()


def test_a_proposal_accepted_checks_again_and_imports_the_right_numbers(
    token_api: Api, tmp_path: Path
) -> None:
    job = upload(token_api, german(tmp_path)).body
    assert job["status"] == "invalid"
    assert job["can_accept_conventions"]
    proposals = {p["column"]: p for p in job["report"]["proposals"]}
    assert set(proposals) == {"price", "available_from"}
    price = proposals["price"]
    assert price["cells"] == 40
    assert price["readings"][0]["conventions"] == {
        "decimal_separator": ",",
        "thousands_separator": "",
    }
    assert price["readings"][0]["examples"][0] == ["66,67", "66.67"]

    after_price = accept(token_api, job["id"], "price").body
    assert after_price["conventions"] == {"columns": {"price": price["readings"][0]["conventions"]}}
    assert [p["column"] for p in after_price["report"]["proposals"]] == ["available_from"]
    checked = accept(token_api, job["id"], "available_from").body

    assert checked["status"] == "validated"
    assert checked["report"]["error_count"] == 0
    assert checked["can_confirm"]
    assert SavedConventions.objects.filter(column__in=["price", "available_from"]).count() == 2
    done = token_api.post("/jobs/{job_id}/confirm/", {}, job_id=job["id"]).body
    assert done["status"] == "succeeded"
    assert price_of("SKU-0002") == Decimal("8.13")
    assert str(Product.objects.get(sku="SKU-0002").available_from) == "2026-02-08"


def test_no_such_proposal_or_too_late_is_refused(token_api: Api, tmp_path: Path) -> None:
    job = upload(token_api, german(tmp_path)).body
    for column, reading in (("price", 5), ("name", 0)):
        refused = accept(token_api, job["id"], column, reading)
        assert refused.status == 400
        assert refused.body["error"]["details"]["proposed"] == {"price": 1, "available_from": 1}
    missing = token_api.post("/jobs/{job_id}/conventions/", {"reading": 0}, job_id=job["id"])
    assert missing.status == 400
    assert ImportJob.objects.get(pk=job["id"]).conventions is None

    done = upload(token_api, SAMPLES / "catalogue.csv").body
    token_api.post("/jobs/{job_id}/confirm/", {}, job_id=done["id"])
    late = accept(token_api, done["id"], "price")
    assert (late.status, late.body["error"]["code"]) == (409, "job_state")


def test_accepting_needs_the_importer_s_permissions_and_csrf(
    token_api: Api, importer_user: User, make_user: MakeUser, tmp_path: Path
) -> None:
    job = upload(token_api, german(tmp_path)).body
    url = f"{BASE}/jobs/{job['id']}/conventions/"
    body = json.dumps({"column": "price", "reading": 0})

    _token, key = issue_token(make_user("viewer", "winiadmin.view_all_importjobs"), "t")
    stranger = Client().post(
        url, body, content_type="application/json", headers={"Authorization": f"Bearer {key}"}
    )
    assert stranger.status_code == 403
    assert stranger.json()["error"]["code"] == "permission_denied"

    session = Client(enforce_csrf_checks=True)
    session.force_login(importer_user)
    no_csrf = session.post(url, body, content_type="application/json")
    assert (no_csrf.status_code, no_csrf.json()["error"]["code"]) == (403, "csrf_failed")
    assert ImportJob.objects.get(pk=job["id"]).conventions is None

    session.get(BASE + "/importers/")
    with_csrf = session.post(
        url,
        body,
        content_type="application/json",
        headers={"X-CSRFToken": session.cookies["csrftoken"].value},
    )
    assert with_csrf.status_code == 200
    assert ImportJob.objects.get(pk=job["id"]).conventions == {
        "columns": {"price": {"decimal_separator": ",", "thousands_separator": ""}}
    }
