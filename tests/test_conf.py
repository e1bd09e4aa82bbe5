import pytest
from django.test import override_settings

from winiadmin.conf import get_config


def test_defaults_apply_without_setting() -> None:
    assert get_config().BATCH_SIZE == 1000


def test_override_is_seen_and_reset() -> None:
    with override_settings(WINIADMIN={"BATCH_SIZE": 7}):
        assert get_config().BATCH_SIZE == 7
    assert get_config().BATCH_SIZE == 1000


def test_unknown_key_is_refused() -> None:
    with (
        override_settings(WINIADMIN={"BATCH_SIZ": 7}),
        pytest.raises(ValueError, match="BATCH_SIZ"),
    ):
        get_config()
