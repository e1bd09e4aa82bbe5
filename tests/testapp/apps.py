import os
import signal

from django.apps import AppConfig

#: A test worker started with this variable stops itself (SIGSTOP) right at its commit: ``before``
#: the fence check of winiadmin.jobs.fence (the rows loaded, the transaction open, the job row not
#: locked yet) or ``after`` it (the job row locked and marked succeeded, the COMMIT not sent).
FREEZE_AT_COMMIT = "WINIADMIN_TEST_FREEZE_AT_COMMIT"


class TestappConfig(AppConfig):
    name = "tests.testapp"
    label = "testapp"

    def ready(self) -> None:
        where = os.environ.get(FREEZE_AT_COMMIT)
        if where:
            _freeze_at_commit(where)


def _freeze_at_commit(where: str) -> None:
    """Only in the worker processes of tests/jobs/test_fencing.py, never in the test process."""
    from winiadmin.jobs.fence import Fence

    check = Fence.before_commit

    def frozen_around(fence: Fence) -> None:
        if where == "before":
            os.kill(os.getpid(), signal.SIGSTOP)
        check(fence)
        if where == "after":
            os.kill(os.getpid(), signal.SIGSTOP)

    Fence.before_commit = frozen_around  # type: ignore[method-assign,assignment]
