"""``manage.py winiadmin_api_token``: prints a key that authenticates, once."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from winiadmin.models import ApiToken
from winiadmin.tokens import token_for_key


def test_issues_a_token_and_prints_its_key(db: None) -> None:
    user = User.objects.create_user("svc", is_staff=True)
    out = StringIO()

    call_command(
        "winiadmin_api_token", "svc", "nightly sync", "--days", "30", stdout=out, stderr=StringIO()
    )

    key = out.getvalue().strip()
    token = token_for_key(key)
    assert token is not None
    assert (token.user, token.name) == (user, "nightly sync")
    assert token.expires_at is not None


def test_an_unknown_user_is_a_command_error(db: None) -> None:
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("winiadmin_api_token", "nobody", "x")
    assert not ApiToken.objects.exists()
