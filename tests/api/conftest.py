"""An API client over Django's test client (or real HTTP) that checks every answer against the
OpenAPI document the project serves; users and tokens."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.admin import conftest as admin_conftest
from tests.admin.conftest import MakeUser
from tests.admin.helpers import CATALOGUE_PERMS
from tests.api.schema import check
from winiadmin.api.openapi import openapi_document
from winiadmin.tokens import issue_token

BASE = "/api/imports"
SAMPLES = Path(__file__).resolve().parents[2] / "example" / "samples"


@cache
def document() -> dict[str, Any]:
    return openapi_document(BASE)


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Api:
    """``api.get("/jobs/{job_id}/", job_id=…)``: the template names the documented operation;
    every answer is checked against it."""

    client: Client
    headers: dict[str, str]

    def call(
        self,
        method: str,
        template: str,
        *,
        data: Any = None,
        files: bool = False,
        query: dict[str, str] | None = None,
        **args: str,
    ) -> Answer:
        return self.send(method, template, args, data=data, files=files, query=query)

    def send(
        self,
        method: str,
        template: str,
        args: dict[str, str],
        *,
        data: Any = None,
        files: bool = False,
        query: dict[str, str] | None = None,
    ) -> Answer:
        url = BASE + template.format(**args)
        if method == "GET":
            response = self.client.get(url, query or {}, headers=self.headers)
        elif files:
            response = self.client.post(url, data, headers=self.headers)
        else:
            response = self.client.generic(
                method,
                url,
                "" if data is None else json.dumps(data),
                content_type="application/json",
                headers=self.headers,
            )
        assert response["Content-Type"] == "application/json", response.content[:300]
        body = response.json()
        check(document(), template, method, response.status_code, body)
        return Answer(response.status_code, body, dict(response.headers))

    def get(self, template: str, **args: str) -> Answer:
        return self.send("GET", template, args)

    def post(self, template: str, data: Any = None, **args: str) -> Answer:
        return self.send("POST", template, args, data=data)

    def upload(self, name: str, importer: str = "shop.catalogue", **fields: str) -> Answer:
        with (SAMPLES / name).open("rb") as handle:
            data = {"importer": importer, "file": handle, **fields}
            return self.call("POST", "/jobs/", data=data, files=True)


#: The admin tests' ``make_user`` fixture, shared (as tests/reliability shares it).
make_user = admin_conftest.make_user


@pytest.fixture
def importer_user(make_user: MakeUser) -> User:
    """Staff with exactly the permissions ``shop.catalogue`` needs."""
    return make_user("importer", *CATALOGUE_PERMS)


@pytest.fixture
def token_api(importer_user: User) -> Api:
    """Calls with a bearer token of ``importer_user``."""
    _token, key = issue_token(importer_user, "tests")
    return Api(Client(), {"Authorization": f"Bearer {key}"})


@pytest.fixture
def session_api(importer_user: User) -> Api:
    """Calls with ``importer_user``'s session, CSRF enforced as in production."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(importer_user)
    client.get(BASE + "/importers/")  # a session's GET sets the CSRF cookie
    return Api(client, {"X-CSRFToken": client.cookies["csrftoken"].value})
