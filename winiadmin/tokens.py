"""Bearer tokens of the JSON API (``winiadmin.api``) for service-to-service calls: issued once,
stored hashed, looked up by hash.

Why our own and not django-rest-knox or DRF's ``authtoken``: both need Django REST framework
(a large dependency the API does not otherwise use), and DRF's ``authtoken`` stores keys in
clear. A token here is ``wia_`` + 43 characters of ``secrets.token_urlsafe(32)`` (256 bits);
the database keeps only its SHA-256, so a leaked table gives no usable key, and a request
finds its token with one indexed lookup (no per-request password hashing: a random 256-bit
key cannot be brute-forced, which is what slow hashes protect against).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, cast

from django.utils import timezone

from winiadmin.models import ApiToken

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.base_user import AbstractBaseUser

PREFIX = "wia_"
#: Characters of the key kept in clear (``ApiToken.prefix``), to tell tokens apart.
SHOWN = 10


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(
    user: AbstractBaseUser, name: str, *, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its key (shown once: only its hash is kept)."""
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name,
        user_id=cast("int", user.pk),
        key_hash=hash_key(key),
        prefix=key[:SHOWN],
        expires_at=expires_at,
    )
    return token, key


def token_for_key(key: str) -> ApiToken | None:
    """The live token of ``key`` (``None``: unknown or expired); records its use."""
    if not key.startswith(PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    now = timezone.now()
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    # At most one write a minute per token: a polling client does not write on every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
