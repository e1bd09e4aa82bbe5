"""``ABCBaseCommand``: the template-method base of every winiadmin management command.

Flow: ``handle()`` → ``base_handle()`` (stores args and options) → ``handle_command()``.
``add_arguments()`` adds the built-in options, then calls ``add_command_arguments()``.
"""

import signal
import threading
from abc import abstractmethod
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, final

from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext as _
from winiutils.core.oop.mixins.mixin import ABCLoggingMixin


class CommandTimeout(CommandError):
    """Raised when ``--timeout`` seconds have passed."""


@contextmanager
def alarm(seconds: int | None) -> Iterator[None]:
    """Interrupt the block after ``seconds`` with :class:`CommandTimeout` (main thread, Unix).

    Elsewhere (a thread, Windows) nothing is armed; import commands still stop through their
    cooperative deadline.
    """
    usable = (
        seconds is not None
        and hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable or seconds is None:
        yield
        return

    def on_alarm(_signum: int, _frame: FrameType | None) -> None:
        msg = _("Timed out after %(seconds)s s.") % {"seconds": seconds}
        raise CommandTimeout(msg)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


class ABCBaseCommand(ABCLoggingMixin, BaseCommand):
    """Abstract base for management commands with logging and the standard options."""

    class Options:
        """The built-in option names, for ``get_option(self.Options.DRY_RUN)``."""

        DRY_RUN = "dry_run"
        FORCE = "force"
        DELETE = "delete"
        YES = "yes"
        TIMEOUT = "timeout"
        BATCH_SIZE = "batch_size"
        THREADS = "threads"
        PROCESSES = "processes"

    args: tuple[Any, ...]
    options: dict[str, Any]

    def add_arguments(self, parser: ArgumentParser) -> None:
        self.base_add_arguments(parser)
        self.add_command_arguments(parser)

    def base_add_arguments(self, parser: ArgumentParser) -> None:
        add_builtin_options(parser, BUILTIN_OPTIONS)

    @abstractmethod
    def add_command_arguments(self, parser: ArgumentParser) -> None:
        """Add the command's own arguments."""

    @final
    def handle(self, *args: Any, **options: Any) -> None:
        self.base_handle(*args, **options)
        # .get: winiadmin's own commands offer only the built-in options they honour.
        with alarm(self.options.get(self.Options.TIMEOUT)):
            self.handle_command()

    def base_handle(self, *args: Any, **options: Any) -> None:
        self.args = args
        self.options = options

    @abstractmethod
    def handle_command(self) -> None:
        """Do the command's work; read arguments with :meth:`get_option`."""

    def get_option(self, option: str) -> Any:
        return self.options[option]


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse ``type`` accepting whole numbers from ``minimum`` up, with a plain message."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            msg = _("%(value)r is not a whole number") % {"value": text}
            raise ArgumentTypeError(msg) from None
        if value < minimum:
            msg = _("must be at least %(minimum)s, not %(value)s") % {
                "minimum": minimum,
                "value": value,
            }
            raise ArgumentTypeError(msg)
        return value

    return parse


_positive_int = whole_number(1)

_O = ABCBaseCommand.Options
#: The seed's built-in flags and numbers, in the order ``--help`` lists them.
_FLAGS = {
    _O.DRY_RUN: "Show what would be done without making any change.",
    _O.FORCE: "Force the action.",
    _O.DELETE: "Allow deleting.",
    _O.YES: "Answer yes to every prompt.",
}
_NUMBERS = {
    _O.TIMEOUT: "Stop (and roll back) after this many seconds.",
    _O.BATCH_SIZE: "Rows per batch (per INSERT statement for imports).",
    _O.THREADS: "Threads to use, for commands that use threads.",
    _O.PROCESSES: "Processes to use, for commands that use processes.",
}
#: Every built-in option name: what ``ABCBaseCommand`` gives every command.
BUILTIN_OPTIONS: tuple[str, ...] = (*_FLAGS, *_NUMBERS)


def add_builtin_options(parser: ArgumentParser, names: Collection[str]) -> None:
    """Add the seed's built-in options named in ``names`` (``ABCBaseCommand.Options`` values)."""
    unknown = set(names) - set(BUILTIN_OPTIONS)
    if unknown:
        msg = f"Not built-in options: {', '.join(sorted(unknown))}."
        raise ValueError(msg)
    for name, text in _FLAGS.items():
        if name in names:
            parser.add_argument(f"--{name}", action="store_true", default=False, help=text)
    for name, text in _NUMBERS.items():
        if name in names:
            parser.add_argument(f"--{name}", type=_positive_int, default=None, help=text)
