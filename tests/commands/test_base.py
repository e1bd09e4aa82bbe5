"""ABCBaseCommand: the seed's template method, built-in options and timeout."""

import time
from argparse import ArgumentParser
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from winiadmin.commands.base import ABCBaseCommand, CommandTimeout


class Recorder(ABCBaseCommand):
    calls: list[str]

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--name", default="x")

    def base_handle(self, *args: object, **options: object) -> None:
        self.calls = ["base_handle"]
        super().base_handle(*args, **options)

    def handle_command(self) -> None:
        self.calls.append("handle_command")
        self.seen = {
            name: self.get_option(getattr(self.Options, name))
            for name in (
                "DRY_RUN",
                "FORCE",
                "DELETE",
                "YES",
                "TIMEOUT",
                "BATCH_SIZE",
                "THREADS",
                "PROCESSES",
            )
        }
        self.seen["name"] = self.get_option("name")


class Sleeper(ABCBaseCommand):
    def add_command_arguments(self, parser: ArgumentParser) -> None:
        pass

    def handle_command(self) -> None:
        time.sleep(5)


def test_template_method_order_and_defaults() -> None:
    command = Recorder()
    call_command(command)
    assert command.calls == ["base_handle", "handle_command"]
    assert command.seen == {
        "DRY_RUN": False,
        "FORCE": False,
        "DELETE": False,
        "YES": False,
        "TIMEOUT": None,
        "BATCH_SIZE": None,
        "THREADS": None,
        "PROCESSES": None,
        "name": "x",
    }


@pytest.mark.django_db  # run_from_argv runs the system checks; JSONField's asks the database
def test_builtin_options_parse_from_the_command_line() -> None:
    command = Recorder()
    argv = [
        "manage.py",
        "recorder",
        "--dry_run",
        "--force",
        "--delete",
        "--yes",
        "--timeout",
        "9",
        "--batch_size",
        "50",
        "--threads",
        "2",
        "--processes",
        "3",
        "--name",
        "y",
    ]
    command.run_from_argv(argv)
    assert command.seen == {
        "DRY_RUN": True,
        "FORCE": True,
        "DELETE": True,
        "YES": True,
        "TIMEOUT": 9,
        "BATCH_SIZE": 50,
        "THREADS": 2,
        "PROCESSES": 3,
        "name": "y",
    }


def test_bad_numbers_are_refused_by_the_parser() -> None:
    with pytest.raises(CommandError, match="batch_size"):
        call_command(Recorder(), "--batch_size", "0")


def test_timeout_raises_a_command_error() -> None:
    started = time.monotonic()
    with pytest.raises(CommandTimeout, match="Timed out after 1 s"):
        call_command(Sleeper(), timeout=1, stdout=StringIO())
    assert time.monotonic() - started < 3


def test_handle_is_final_and_abstract_hooks_are_enforced() -> None:
    class Incomplete(ABCBaseCommand):
        def add_command_arguments(self, parser: ArgumentParser) -> None:
            pass

    with pytest.raises(TypeError, match="handle_command"):
        Incomplete()  # type: ignore[abstract]
