"""A cooperative timeout: stages and loader chunks check it, so a timed-out import rolls back."""

import time
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from winiadmin.exceptions import ImportTimeout


@dataclass(slots=True)
class Deadline:
    seconds: float | None
    started: float = field(default_factory=time.monotonic)

    def check(self) -> None:
        if self.seconds is not None and time.monotonic() - self.started > self.seconds:
            msg = _(
                "The import took longer than its timeout of %(seconds)g s; nothing was written."
            ) % {"seconds": self.seconds}
            raise ImportTimeout(msg)
