"""A cooperative timeout: stages and loader chunks check it, so a timed-out import rolls back."""

import time
from dataclasses import dataclass, field

from winiadmin.exceptions import ImportTimeout


@dataclass(slots=True)
class Deadline:
    seconds: float | None
    started: float = field(default_factory=time.monotonic)

    def check(self) -> None:
        if self.seconds is not None and time.monotonic() - self.started > self.seconds:
            msg = (
                f"The import took longer than its timeout of {self.seconds:g} s; "
                "nothing was written."
            )
            raise ImportTimeout(msg)
