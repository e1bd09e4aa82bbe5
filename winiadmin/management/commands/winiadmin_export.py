"""``manage.py winiadmin_export IMPORTER FILE``: a model's rows as the importer's file."""

from argparse import ArgumentParser
from pathlib import Path

from django.core.exceptions import FieldError, ValidationError
from django.core.management import CommandError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from winiadmin.commands.base import ABCBaseCommand
from winiadmin.commands.builtin import BuiltinCommand
from winiadmin.commands.progress import TerminalProgressBar
from winiadmin.exceptions import WiniadminError
from winiadmin.exports import (
    CHUNK_SIZE,
    FORMATS,
    ExportColumns,
    ExportOptions,
    export_columns,
    export_queryset,
    find_export_importer,
    format_of,
)


def _filter_pair(text: str) -> tuple[str, str | list[str]]:
    """``field=value`` (any ORM lookup: ``category__name=Books``); ``__in`` takes ``a,b``."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        msg = _("expected FIELD=VALUE, not %(text)r") % {"text": text}
        raise ValueError(msg)
    name = name.strip()
    return name, value.split(",") if name.endswith("__in") else value


_O = ABCBaseCommand.Options


class Command(BuiltinCommand):
    builtin_options = (_O.BATCH_SIZE,)
    _importer_name = ""
    help = (
        "Export the rows of IMPORTER's model (or of a model, app_label.Model) to FILE with the "
        "importer's columns, so that FILE imports back unchanged. The format is FILE's suffix: "
        + ", ".join(FORMATS)
        + "."
    )

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "importer",
            help="Registered importer name, e.g. shop.catalogue, or a model, e.g. shop.Product.",
        )
        parser.add_argument("file", help="The file to write (.csv, .xlsx, .json, .ndjson, …).")
        parser.add_argument("--format", choices=FORMATS, help="Default: FILE's suffix.")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            type=_filter_pair,
            metavar="FIELD=VALUE",
            help="Only rows matching (an ORM lookup: category__name=Books, pk__in=1,2); "
            "repeat for several.",
        )
        parser.add_argument(
            "--columns", help="Only these columns, comma separated (default: all of them)."
        )
        parser.add_argument(
            "--database", default=None, help="Database alias to read (default: default)."
        )

    def handle_command(self) -> None:
        out = Path(self.get_option("file"))
        try:
            fmt = self.get_option("format") or format_of(out)
            columns = self._columns()
        except WiniadminError as exc:
            raise CommandError(str(exc)) from exc
        rows = self._rows(columns.model)
        progress = TerminalProgressBar(self.stderr)
        chunk = self.get_option(self.Options.BATCH_SIZE) or CHUNK_SIZE
        try:
            count = export_queryset(rows, columns, out, ExportOptions(fmt, chunk, progress))
        except WiniadminError as exc:  # more rows or a longer cell than the format holds
            raise CommandError(str(exc)) from exc
        except (FieldError, ValidationError, ValueError) as exc:
            msg = _("Cannot filter the rows: %(error)s") % {"error": exc}
            raise CommandError(msg) from exc
        except OSError as exc:
            msg = _("Cannot write %(file)s: %(error)s") % {
                "file": out,
                "error": exc.strerror or exc,
            }
            raise CommandError(msg) from exc
        finally:
            progress.close()
        if columns.left_out:
            self.stderr.write(
                _("Not exported (the import computes them):") + " " + ", ".join(columns.left_out)
            )
        line = ngettext(
            "Exported %(count)s row of %(model)s to %(file)s with the columns of the importer "
            "%(importer)s.",
            "Exported %(count)s rows of %(model)s to %(file)s with the columns of the importer "
            "%(importer)s.",
            count,
        )
        self.stdout.write(
            line
            % {
                "count": f"{count:,}",
                "model": columns.model._meta.label,
                "file": out,
                "importer": self._importer_name,
            }
        )

    def _columns(self) -> ExportColumns:
        importer = find_export_importer(self.get_option("importer"))
        self._importer_name = importer.get_name()
        columns = export_columns(importer)
        chosen: str | None = self.get_option("columns")
        if chosen:
            return columns.chosen([name.strip() for name in chosen.split(",") if name.strip()])
        return columns

    def _rows(self, model: type[Model]) -> QuerySet[Model]:
        rows = model._default_manager.using(self.get_option("database")).all()
        for name, value in self.get_option("filter"):
            try:
                rows = rows.filter(**{name: value})
            except (FieldError, ValidationError, ValueError) as exc:
                msg = _("Cannot filter by %(name)s=%(value)s: %(error)s") % {
                    "name": name,
                    "value": value,
                    "error": exc,
                }
                raise CommandError(msg) from exc
        # A stable order, so that two exports of the same rows are the same file.
        return rows if rows.ordered else rows.order_by("pk")
