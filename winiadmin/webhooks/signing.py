"""The signature a receiver checks: HMAC-SHA256 over ``<timestamp>.<body>`` with the webhook's
secret, sent as ``X-Winiadmin-Signature: sha256=<hex>`` beside ``X-Winiadmin-Timestamp``.

Signing the timestamp too lets a receiver refuse an old request replayed (docs/webhooks.md has
the verification snippet; :func:`verify` is the same code, tested)."""

import hashlib
import hmac
import time

EVENT_HEADER = "X-Winiadmin-Event"
DELIVERY_HEADER = "X-Winiadmin-Delivery"
TIMESTAMP_HEADER = "X-Winiadmin-Timestamp"
SIGNATURE_HEADER = "X-Winiadmin-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(  # noqa: PLR0913 - the snippet's parameters, spelled out for a receiver
    secret: str,
    timestamp: str,
    body: bytes,
    signed: str,
    *,
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    if not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), signed)
