"""``BuiltinCommand``: the base of winiadmin's own commands, offering only the options they read.

``ABCBaseCommand`` gives every command the seed's built-in options (``--force``, ``--threads``…),
for user commands to honour. winiadmin's own commands honour few of them, so each declares
the ones it reads; ``--help`` lists only those and any other is refused by the parser. Abbreviated
options are refused too: argparse would otherwise read ``--force`` as Django's ``--force-color``.
"""

from argparse import ArgumentParser
from typing import Any, ClassVar

from django.core.management.base import CommandParser

from winiadmin.commands.base import ABCBaseCommand, add_builtin_options


class BuiltinCommand(ABCBaseCommand):
    """An ``ABCBaseCommand`` offering only the built-in options in :attr:`builtin_options`."""

    #: The ``ABCBaseCommand.Options`` values this command reads, e.g. ``(Options.DRY_RUN,)``.
    builtin_options: ClassVar[tuple[str, ...]] = ()

    def base_add_arguments(self, parser: ArgumentParser) -> None:
        add_builtin_options(parser, self.builtin_options)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("allow_abbrev", False)
        return super().create_parser(prog_name, subcommand, **kwargs)
