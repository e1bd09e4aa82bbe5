"""winiadmin's own commands offer only the built-in options they read; user commands keep all."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command, load_command_class

from winiadmin.commands.base import BUILTIN_OPTIONS

#: The built-in options each of winiadmin's commands reads (docs/commands.md).
HONOURED = {
    "winiadmin_import": {"dry_run", "timeout", "batch_size"},
    "winiadmin_undo": {"dry_run"},
    "winiadmin_cleanup": {"dry_run"},
    "winiadmin_template": set(),
    "winiadmin_importers": set(),
    "winiadmin_export": {"batch_size"},
}

#: A value that would parse for each option, were it offered.
VALUES = {
    "dry_run": [],
    "force": [],
    "delete": [],
    "yes": [],
    "timeout": ["5"],
    "batch_size": ["5"],
    "threads": ["2"],
    "processes": ["2"],
}

#: Positional arguments that let each command reach option parsing.
POSITIONALS = {
    "winiadmin_import": ["shop.catalogue", "file.csv"],
    "winiadmin_undo": ["00000000-0000-0000-0000-000000000000"],
    "winiadmin_cleanup": [],
    "winiadmin_template": ["shop.catalogue"],
    "winiadmin_importers": [],
    "winiadmin_export": ["shop.catalogue", "out.csv"],
}

IGNORED = [
    (command, option)
    for command, honoured in HONOURED.items()
    for option in BUILTIN_OPTIONS
    if option not in honoured
]


def help_text(command: str) -> str:
    parser = load_command_class("winiadmin", command).create_parser("manage.py", command)
    return parser.format_help()


@pytest.mark.parametrize("command", sorted(HONOURED))
def test_help_lists_exactly_the_builtin_options_the_command_reads(command: str) -> None:
    text = help_text(command)
    listed = {option for option in BUILTIN_OPTIONS if f"--{option} " in text + " "}
    listed |= {option for option in BUILTIN_OPTIONS if f"--{option}\n" in text}
    assert listed == HONOURED[command]


@pytest.mark.parametrize(("command", "option"), IGNORED)
def test_an_option_the_command_ignores_is_refused_on_the_command_line(
    command: str, option: str
) -> None:
    parser = load_command_class("winiadmin", command).create_parser("manage.py", command)
    argv = [*POSITIONALS[command], f"--{option}", *VALUES[option]]
    with pytest.raises(CommandError, match=f"unrecognized arguments: --{option}"):
        parser.parse_args(argv)


@pytest.mark.parametrize(("command", "option"), IGNORED)
def test_an_option_the_command_ignores_is_refused_by_call_command(
    command: str, option: str
) -> None:
    with pytest.raises(TypeError, match=f"Unknown option.*{option}"):
        call_command(command, *POSITIONALS[command], **{option: True}, stdout=StringIO())


@pytest.mark.django_db
def test_the_options_a_command_reads_still_work() -> None:
    out = StringIO()
    call_command("winiadmin_cleanup", "--dry_run", stdout=out)
    assert "DRY RUN" in out.getvalue()
