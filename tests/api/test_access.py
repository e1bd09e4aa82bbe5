"""The wizard's permissions, through the API: importers, other users' jobs, undo."""

from django.contrib.auth.models import User
from django.test import Client

from tests.admin.conftest import MakeUser
from tests.api.conftest import Api
from winiadmin.tokens import issue_token


def _api(user: User) -> Api:
    return Api(Client(), {"Authorization": f"Bearer {issue_token(user, 't')[1]}"})


def test_importers_listed_are_those_the_user_may_use(token_api: Api) -> None:
    listed = token_api.get("/importers/").body["importers"]

    names = [i["name"] for i in listed]
    assert "shop.catalogue" in names
    catalogue = next(i for i in listed if i["name"] == "shop.catalogue")
    assert {"sku", "price"} <= {c["name"] for c in catalogue["columns"]}
    assert catalogue["upserts"] == ["shop.Product"]


def test_an_importer_needing_more_permissions_is_refused(make_user: MakeUser) -> None:
    api = _api(make_user("weak", "shop.add_product"))

    assert api.get("/importers/").body["importers"] == []
    refused = api.get("/importers/{name}/", name="shop.catalogue")
    assert (refused.status, refused.body["error"]["code"]) == (403, "permission_denied")
    assert api.upload("catalogue.csv").status == 403


def test_non_staff_are_refused_as_in_the_wizard(make_user: MakeUser) -> None:
    api = _api(make_user("customer", staff=False))

    assert api.get("/importers/").body["importers"] == []
    assert api.upload("catalogue.csv").status == 403


def test_another_users_job_is_refused(token_api: Api, make_user: MakeUser) -> None:
    from tests.admin.helpers import CATALOGUE_PERMS

    job = token_api.upload("catalogue.csv").body
    other = _api(make_user("other", *CATALOGUE_PERMS))

    for template in ("/jobs/{job_id}/", "/jobs/{job_id}/problems/", "/jobs/{job_id}/rows/"):
        refused = other.get(template, job_id=job["id"])
        assert (refused.status, refused.body["error"]["code"]) == (403, "permission_denied")
    assert other.post("/jobs/{job_id}/confirm/", {}, job_id=job["id"]).status == 403
    assert other.get("/jobs/").body["jobs"] == []


def test_who_may_see_every_job_sees_it(token_api: Api, make_user: MakeUser) -> None:
    job = token_api.upload("catalogue.csv").body
    boss = _api(make_user("boss", superuser=True))

    assert boss.get("/jobs/{job_id}/", job_id=job["id"]).body["id"] == job["id"]


def test_unknown_jobs_and_importers_are_404(token_api: Api) -> None:
    for job_id in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        missing = token_api.get("/jobs/{job_id}/", job_id=job_id)
        assert (missing.status, missing.body["error"]["code"]) == (404, "not_found")
    assert token_api.get("/importers/{name}/", name="nope.nope").status == 404
