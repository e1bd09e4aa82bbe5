"""Every answer inside the API is JSON with a stable code: 404, 405, 400, 500 alike."""

import pytest
from django.test import Client

from tests.api.conftest import BASE, Api


def test_an_unknown_url_is_a_json_404(token_api: Api) -> None:
    for path in ("/nope/", "/jobs/x/y/z/", "/importers"):
        response = token_api.client.post(BASE + path, headers=token_api.headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_a_wrong_method_is_a_json_405(token_api: Api) -> None:
    response = token_api.client.delete(BASE + "/jobs/", headers=token_api.headers)

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_body_that_is_not_json_is_a_400(token_api: Api) -> None:
    job = token_api.upload("catalogue.csv").body
    response = token_api.client.post(
        f"{BASE}/jobs/{job['id']}/confirm/", "{nope", "application/json", headers=token_api.headers
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


def test_a_bad_page_is_a_400(token_api: Api) -> None:
    answer = token_api.call("GET", "/jobs/", query={"page": "zero"})

    assert (answer.status, answer.body["error"]["code"]) == (400, "invalid_request")


def test_an_unexpected_error_is_a_json_500_without_traceback(
    token_api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(importer: object) -> object:
        raise RuntimeError("secret detail")

    monkeypatch.setattr("winiadmin.api.importer_views.importer_json", broken)

    answer = token_api.get("/importers/")

    assert (answer.status, answer.body["error"]["code"]) == (500, "server_error")
    assert "secret detail" not in str(answer.body)
    assert "secret detail" in caplog.text  # logged for the operators


def test_the_openapi_document_is_served_to_anybody(db: None) -> None:
    document = Client().get(BASE + "/openapi.json").json()

    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": BASE}]
    assert "/jobs/{job_id}/confirm/" in document["paths"]


def test_a_broken_multipart_body_is_a_400(token_api: Api) -> None:
    response = token_api.client.post(
        BASE + "/jobs/",
        b"--x\r\nnot a part",
        content_type="multipart/form-data; boundary=",
        headers=token_api.headers,
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
