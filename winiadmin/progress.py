"""Progress: the pipeline tells a callback where it is; each caller decides how to show it."""

from collections.abc import Callable
from dataclasses import dataclass

from winiadmin.results import Stage


@dataclass(frozen=True, slots=True)
class Progress:
    stage: Stage
    #: Units done in this stage (rows, or bytes while reading).
    done: int
    #: Units in this stage, when known.
    total: int | None = None
    #: What is being worked on, e.g. ``shop.Product``.
    detail: str = ""

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[Progress], None]


def ignore_progress(_: Progress) -> None:
    """The default callback: report nothing."""
