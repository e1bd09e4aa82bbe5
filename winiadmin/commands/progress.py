"""A progress bar on the terminal, fed by the pipeline's progress callback."""

import time
from typing import Protocol

from winiadmin.progress import Progress

_WIDTH = 30


class Stream(Protocol):
    """A text stream; Django's ``OutputWrapper`` qualifies (its write adds a line ending)."""

    def write(self, msg: str, /) -> object: ...
    def flush(self) -> None: ...
    def isatty(self) -> bool: ...


class TerminalProgressBar:
    """Redraws one line on ``stream`` at most ten times a second; silent when not a terminal."""

    def __init__(self, stream: Stream, *, enabled: bool | None = None) -> None:
        # Django's OutputWrapper appends newlines; draw on the stream it wraps.
        self.stream: Stream = getattr(stream, "_out", stream)
        self.enabled = stream.isatty() if enabled is None else enabled
        self._last_draw = 0.0
        self._drawn = False

    def __call__(self, progress: Progress) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        finished = progress.total is not None and progress.done >= progress.total
        if not finished and now - self._last_draw < 0.1 and progress.done:
            return
        self._last_draw = now
        self.stream.write("\r" + render(progress) + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def render(progress: Progress) -> str:
    """One line: stage, bar (when the total is known), counts and what is being worked on."""
    label = f"{progress.stage.value:<9}"
    detail = f" {progress.detail}" if progress.detail else ""
    fraction = progress.fraction
    if fraction is None:
        count = f" {progress.done:,}" if progress.done else ""
        return f"{label}{count}{detail}"
    filled = round(fraction * _WIDTH)
    bar = "█" * filled + "·" * (_WIDTH - filled)
    return f"{label} {bar} {fraction:4.0%} {progress.done:,}/{progress.total:,}{detail}"
