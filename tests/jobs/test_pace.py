"""The time left: shown only once it means something, from a smoothed rate."""

import pytest

from winiadmin.admin.progress import time_left_text
from winiadmin.jobs.pace import StagePace, seconds_left


def test_no_time_left_before_five_percent_and_three_seconds() -> None:
    # The first estimate of the issue: 1 row of 150,001 after about 2.7 s.
    assert seconds_left(1, 150_001, 2.7) is None
    assert seconds_left(7_000, 150_000, 10.0) is None  # under 5 %
    assert seconds_left(10_000, 150_000, 2.0) is None  # too soon
    assert seconds_left(10_000, 150_000, 4.0) == pytest.approx(56.0)  # the average pace
    assert seconds_left(10_000, 150_000, 4.0, rate=5_000.0) == pytest.approx(28.0)
    assert seconds_left(150_000, 150_000, 4.0) is None  # done
    assert seconds_left(5, None, 10.0) is None  # no total: no estimate


def test_the_rate_is_measured_between_changes_and_smoothed() -> None:
    pace = StagePace()
    assert pace.update("load", 0, now=0.0) is None
    assert pace.update("load", 0, now=0.5) is None  # a tick between two chunks measures nothing
    assert pace.update("load", 1000, now=1.0) == pytest.approx(1000.0)
    assert pace.update("load", 1000, now=1.5) == pytest.approx(1000.0)  # not dragged towards 0
    # Measured since the count last moved (1.0 s): 1000 rows in 0.75 s, weighed in at 30 %.
    assert pace.update("load", 2000, now=1.75) == pytest.approx(0.3 * 1000 / 0.75 + 0.7 * 1000)
    assert pace.update("clean", 0, now=2.0) is None  # a new stage starts again


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (4, "a few seconds left"),
        (12, "about 10 seconds left"),
        (44, "about 40 seconds left"),
        (59, "about 60 seconds left"),
        (61, "about 1 minute left"),
        (130, "about 2 minutes left"),
        (3000, "about 50 minutes left"),
        (7200, "about 2 hours left"),
    ],
)
def test_the_time_left_in_human_units(seconds: float, text: str) -> None:
    assert time_left_text(seconds) == text
