"""``manage.py winiadmin_template IMPORTER``: the importer's empty CSV or XLSX file to fill in."""

from argparse import ArgumentParser
from pathlib import Path

from django.core.management import CommandError
from django.utils.translation import gettext as _

from winiadmin.commands.builtin import BuiltinCommand
from winiadmin.exceptions import WiniadminError
from winiadmin.importers import find_importer
from winiadmin.importers.template_file import FORMATS, template_csv, template_xlsx


class Command(BuiltinCommand):
    help = (
        "Write an empty import file for IMPORTER: the expected headers and an example row "
        "(XLSX: the types as header comments and a Help sheet)."
    )

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("importer", help="Registered importer name, e.g. shop.catalogue.")
        parser.add_argument("--format", choices=FORMATS, default=None, help="Default: csv, or "
                            "the --output file's suffix.")  # fmt: skip
        parser.add_argument(
            "-o", "--output", default=None, help="File to write (default: standard output)."
        )

    def handle_command(self) -> None:
        output: str | None = self.get_option("output")
        fmt = self.get_option("format") or _format_of(output)
        try:
            importer = find_importer(self.get_option("importer"))
            content = template_csv(importer) if fmt == "csv" else template_xlsx(importer)
        except WiniadminError as exc:
            raise CommandError(str(exc)) from exc
        if output is None:
            self._write_to_stdout(content)
            return
        try:
            if isinstance(content, str):
                Path(output).write_text(content, encoding="utf-8", newline="")
            else:
                Path(output).write_bytes(content)
        except OSError as exc:
            msg = _("Cannot write %(file)s: %(error)s") % {
                "file": output,
                "error": exc.strerror or exc,
            }
            raise CommandError(msg) from exc
        line = _("Wrote the %(format)s template of %(importer)s to %(file)s.")
        self.stderr.write(
            line % {"format": fmt.upper(), "importer": importer.get_name(), "file": output}
        )

    def _write_to_stdout(self, content: str | bytes) -> None:
        if not isinstance(content, str):
            msg = _("An XLSX template is binary: give --output FILE.")
            raise CommandError(msg)
        self.stdout.write(content, ending="")


def _format_of(output: str | None) -> str:
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    return suffix if suffix in FORMATS else "csv"
