"""How fast a stage goes, and when a time left means something.

A first estimate taken after one row of 150,000 is off by orders of magnitude (the stage's start
includes set-up work, and one chunk says little), so the time left is given only once the stage
has done ``MIN_FRACTION`` of its rows and run ``MIN_SECONDS``, from a rate smoothed over the
monitor's ticks.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The share of the stage's rows done before a time left is shown.
MIN_FRACTION = 0.05
#: Seconds the stage has run before a time left is shown.
MIN_SECONDS = 3.0
#: Weight of the newest measure in the smoothed rate (the rest is the rate so far).
SMOOTHING = 0.3


@dataclass(slots=True)
class StagePace:
    """Rows per second of the current stage, smoothed exponentially, measured between changes.

    ``update`` is called on every tick; a measure is taken only when the count moved, over the
    time since it last moved, so ticks that fall between two chunks do not drag the rate to 0.
    """

    stage: str = ""
    rate: float | None = None
    _done: int = 0
    _at: float = 0.0

    def update(self, stage: str, done: int, now: float) -> float | None:
        if stage != self.stage or done < self._done:  # a new stage (or a new run): start again
            self.stage, self.rate, self._done, self._at = stage, None, done, now
            return None
        if done > self._done and now > self._at:
            measured = (done - self._done) / (now - self._at)
            self.rate = (
                measured
                if self.rate is None
                else SMOOTHING * measured + (1 - SMOOTHING) * self.rate
            )
            self._done, self._at = done, now
        return self.rate


def seconds_left(
    done: int, total: int | None, elapsed: float, rate: float | None = None
) -> float | None:
    """Seconds until ``total`` at ``rate`` (or at the stage's average pace when no rate was
    measured), or ``None`` while it would be a guess: too little done, or too soon."""
    if not total or done <= 0 or done >= total:
        return None
    if done / total < MIN_FRACTION or elapsed < MIN_SECONDS:
        return None
    pace = rate if rate else done / elapsed
    return (total - done) / pace
