"""``manage.py winiadmin_importers``: list the registered importers with their options."""

from argparse import ArgumentParser

from django.utils.translation import gettext as _

from winiadmin.commands.builtin import BuiltinCommand
from winiadmin.importers import all_importers


class Command(BuiltinCommand):
    help = "List the registered importers, the models they create and their options."

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        pass

    def handle_command(self) -> None:
        importers = all_importers()
        if not importers:
            self.stdout.write(_("No importers are registered."))
            return
        for importer in importers:
            models = ", ".join(m._meta.label for m in importer.models) or "-"
            self.stdout.write(self.style.MIGRATE_HEADING(importer.get_name()))
            self.stdout.write(f"  {importer.get_verbose_name()} → {models}")
            if importer.description:
                self.stdout.write(f"  {importer.description}")
            for option in importer.options:
                required = " " + _("(required)") if option.required else ""
                self.stdout.write(f"  -o {option.name}=…{required}  {option.help}")
