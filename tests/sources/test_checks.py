"""System checks of the sources' settings: winiadmin.E036, E037."""

from django.test import override_settings

from winiadmin.checks import check_sources


def ids(**config: object) -> list[str]:
    with override_settings(WINIADMIN=config):
        return [m.id or "" for m in check_sources(None)]


def test_good_settings_pass() -> None:
    assert ids(SOURCE_STORAGES=["default"], SOURCE_ALLOWED_NETWORKS=["10.1.0.0/16", "::1"]) == []


def test_an_unknown_storage_alias() -> None:
    assert ids(SOURCE_STORAGES=["bucket"]) == ["winiadmin.E036"]


def test_a_network_that_is_not_one() -> None:
    assert ids(SOURCE_ALLOWED_NETWORKS=["10.1.0.0/99"]) == ["winiadmin.E037"]
