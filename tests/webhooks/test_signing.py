"""The signature: HMAC-SHA256 over "<timestamp>.<body>"; what a receiver checks."""

import hashlib
import hmac

from winiadmin.webhooks.signing import signature, verify


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(b"key", b"1700000000.{}", hashlib.sha256).hexdigest()

    assert signature("key", 1700000000, b"{}") == f"sha256={expected}"


def test_verify_refuses_a_changed_body_another_secret_and_an_old_timestamp() -> None:
    signed = signature("key", 1700000000, b'{"a":1}')

    assert verify("key", "1700000000", b'{"a":1}', signed, now=1700000010)
    assert not verify("key", "1700000000", b'{"a":2}', signed, now=1700000010)
    assert not verify("other", "1700000000", b'{"a":1}', signed, now=1700000010)
    assert not verify("key", "1700000000", b'{"a":1}', signed, now=1700009999)
    assert not verify("key", "soon", b'{"a":1}', signed, now=1700000010)
