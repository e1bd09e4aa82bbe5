"""Bearer tokens: issued once, stored hashed, found by their hash, expired ones refused."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from winiadmin.models import ApiToken
from winiadmin.tokens import PREFIX, hash_key, issue_token, token_for_key


def test_only_the_hash_of_a_key_is_stored(db: None) -> None:
    user = User.objects.create_user("svc")
    token, key = issue_token(user, "ci")

    stored = ApiToken.objects.get(pk=token.pk)
    assert key.startswith(PREFIX)
    assert stored.key_hash == hash_key(key) != key
    assert key.startswith(stored.prefix)
    assert key not in str(list(ApiToken.objects.values_list()))


def test_a_key_finds_its_token_until_it_expires(db: None) -> None:
    user = User.objects.create_user("svc")
    _live, key = issue_token(user, "ci")
    _old, expired = issue_token(user, "old", expires_at=timezone.now() - timedelta(seconds=1))

    found = token_for_key(key)

    assert found is not None
    assert found.user == user
    assert ApiToken.objects.get(pk=found.pk).last_used_at is not None  # its use recorded
    assert token_for_key(expired) is None
    assert token_for_key(key + "x") is None
    assert token_for_key("not-ours") is None
