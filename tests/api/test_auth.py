"""Who may call: bearer tokens, the session with CSRF, nobody."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.api.conftest import BASE, Api, document
from tests.api.schema import check
from winiadmin.models import ApiToken, ImportJob
from winiadmin.tokens import issue_token


def _error(client: Client, method: str, path: str, **extra: object) -> tuple[int, str]:
    response = client.generic(method, BASE + path, **extra)  # type: ignore[arg-type]
    assert response["Content-Type"] == "application/json"
    check(document(), "/importers/", "GET", response.status_code, response.json())
    return response.status_code, response.json()["error"]["code"]


def test_nobody_is_refused_with_401(db: None) -> None:
    assert _error(Client(), "GET", "/importers/") == (401, "not_authenticated")


def test_an_unknown_or_malformed_token_is_refused(db: None) -> None:
    for header in ("Bearer wia_nope", "Bearer", "Basic abc", "Bearer nope"):
        got = _error(Client(), "GET", "/importers/", headers={"Authorization": header})
        assert got == (401, "invalid_token"), header


def test_an_expired_token_is_refused(importer_user: User) -> None:
    _token, key = issue_token(importer_user, "old", expires_at=timezone.now() - timedelta(1))

    got = _error(Client(), "GET", "/importers/", headers={"Authorization": f"Bearer {key}"})

    assert got == (401, "invalid_token")


def test_the_token_of_an_inactive_user_is_refused(importer_user: User) -> None:
    _token, key = issue_token(importer_user, "ci")
    importer_user.is_active = False
    importer_user.save()

    got = _error(Client(), "GET", "/importers/", headers={"Authorization": f"Bearer {key}"})

    assert got == (401, "invalid_token")


def test_a_token_records_its_use(token_api: Api) -> None:
    token_api.get("/importers/")

    assert ApiToken.objects.get().last_used_at is not None


def test_a_session_post_without_csrf_token_is_refused(importer_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(importer_user)

    got = _error(client, "POST", "/jobs/", data=b"", content_type="application/json")

    assert got == (403, "csrf_failed")
    assert not ImportJob.objects.exists()


def test_a_session_with_its_csrf_token_may_upload(session_api: Api) -> None:
    created = session_api.upload("catalogue.csv")

    assert created.status == 201
    assert created.body["status"] == "validated"


def test_a_token_needs_no_csrf_token(importer_user: User) -> None:
    _token, key = issue_token(importer_user, "ci")
    api = Api(Client(enforce_csrf_checks=True), {"Authorization": f"Bearer {key}"})

    assert api.upload("catalogue.csv").status == 201
