"""Where a URL may lead: https only by default, never into the inside network."""

import ipaddress

import pytest
from django.test import override_settings

from winiadmin.sources.addresses import checked_target, is_allowed
from winiadmin.sources.errors import SourceError


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    ],
)  # fmt: skip
def test_inside_addresses_are_refused(address: str) -> None:
    assert not is_allowed(ipaddress.ip_address(address))


def test_public_addresses_are_allowed() -> None:
    assert is_allowed(ipaddress.ip_address("8.8.8.8"))
    assert is_allowed(ipaddress.ip_address("2001:4860:4860::8888"))


def test_a_network_may_be_allowed_by_setting() -> None:
    with override_settings(WINIADMIN={"SOURCE_ALLOWED_NETWORKS": ["10.1.0.0/16"]}):
        assert is_allowed(ipaddress.ip_address("10.1.2.3"))
        assert not is_allowed(ipaddress.ip_address("10.2.0.1"))


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://8.8.8.8/x.csv", "Only https URLs"),
        ("ftp://8.8.8.8/x.csv", "Only https URLs"),
        ("file:///etc/passwd", "Only https URLs"),
        ("https://169.254.169.254/latest/meta-data/", "inside network"),
        ("https://127.0.0.1/x.csv", "inside network"),
        ("https://[::1]/x.csv", "inside network"),
        ("https://localhost/x.csv", "inside network"),
        ("https://user:pw@8.8.8.8/x.csv", "no user name"),
    ],
)
def test_urls_refused_by_default(url: str, why: str) -> None:
    with pytest.raises(SourceError, match=why):
        checked_target(url)


def test_a_public_https_url_is_pinned_to_its_address() -> None:
    target = checked_target("https://8.8.8.8:8443/files/x.csv?v=2")

    assert (target.host, target.port, target.path, target.address) == (
        "8.8.8.8", 8443, "/files/x.csv?v=2", "8.8.8.8"
    )  # fmt: skip
