"""What a user is told when a job cannot do what was asked in its state, in whole sentences:
"This import has already succeeded, so it cannot be imported again."."""

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from winiadmin.models import ImportJob

Status = ImportJob.Status

_STATES: dict[str, Promise] = {
    Status.UPLOADED: gettext_lazy("This import has not been checked yet"),
    Status.QUEUED: gettext_lazy("This import is already queued"),
    Status.VALIDATING: gettext_lazy("This import is being checked"),
    Status.VALIDATED: gettext_lazy("This import has already been checked"),
    Status.INVALID: gettext_lazy("This import has problems"),
    Status.RUNNING: gettext_lazy("This import is running"),
    Status.SUCCEEDED: gettext_lazy("This import has already succeeded"),
    Status.FAILED: gettext_lazy("This import has failed"),
    Status.CANCELLED: gettext_lazy("This import was cancelled"),
}

#: What was asked, by the status the job would have moved to (or the step it would have run).
ACTIONS: dict[str, Promise] = {
    Status.VALIDATING: gettext_lazy("checked again"),
    Status.RUNNING: gettext_lazy("started"),
    "validate": gettext_lazy("checked again"),
    "execute": gettext_lazy("started"),
    "retry": gettext_lazy("retried"),
}


def state_message(job: ImportJob, action: str) -> str:
    """``"This import has already succeeded, so it cannot be started."``"""
    state = _STATES.get(job.status)
    words = ACTIONS.get(action)
    if state is None or words is None:  # a status or action added later: still a sentence
        return _("This import cannot do that now.")
    return _("%(state)s, so it cannot be %(action)s.") % {"state": state, "action": words}
