"""The API tokens in the admin: listed without their keys, revoked by deleting, never added."""

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from winiadmin.models import ApiToken
from winiadmin.tokens import issue_token


def test_tokens_are_listed_by_prefix_and_cannot_be_added(db: None, client: Client) -> None:
    boss = User.objects.create_superuser("boss", "b@example.com", "pw")
    token, key = issue_token(boss, "nightly sync")
    client.force_login(boss)

    page = client.get(reverse("admin:winiadmin_apitoken_changelist")).content.decode()

    assert "nightly sync" in page
    assert token.prefix in page
    assert key not in page
    assert client.get(reverse("admin:winiadmin_apitoken_add")).status_code == 403


def test_a_token_is_revoked_by_deleting_it(db: None, client: Client) -> None:
    boss = User.objects.create_superuser("boss", "b@example.com", "pw")
    token, _key = issue_token(boss, "old")
    client.force_login(boss)

    client.post(reverse("admin:winiadmin_apitoken_delete", args=[token.pk]), {"post": "yes"})

    assert not ApiToken.objects.exists()
