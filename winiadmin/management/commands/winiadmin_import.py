"""``manage.py winiadmin_import IMPORTER FILE``: run any registered importer headless. FILE may
be an ``https://`` URL, or a path in a ``SOURCE_STORAGES`` storage with ``--storage ALIAS``
(docs/sources.md)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.core.management import CommandError
from django.utils.translation import gettext as _

from winiadmin.commands.base import ABCBaseCommand, whole_number
from winiadmin.commands.builtin import BuiltinCommand
from winiadmin.commands.mapping import describe_matches, mapping_from_options, unmatched_message
from winiadmin.commands.progress import TerminalProgressBar
from winiadmin.commands.report import failure, write_report
from winiadmin.exceptions import WiniadminError
from winiadmin.importers import FileConventions, Importer, RunOptions, find_importer
from winiadmin.pipeline.spec import check_load_paths
from winiadmin.problems import ProblemKind
from winiadmin.readers import ReadOptions
from winiadmin.sources.errors import SourceError
from winiadmin.sources.storage import from_storage
from winiadmin.sources.url import download

if TYPE_CHECKING:
    from argparse import ArgumentParser
    from collections.abc import Iterator

    from winiadmin.cleaning.mapping import ColumnMapping
    from winiadmin.results import ImportResult


def _option_pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        msg = _("expected NAME=VALUE, not %(text)r") % {"text": text}
        raise ValueError(msg)
    return name.strip(), value


_O = ABCBaseCommand.Options


class Command(BuiltinCommand):
    builtin_options = (_O.DRY_RUN, _O.TIMEOUT, _O.BATCH_SIZE)
    help = (
        "Import FILE with the registered importer IMPORTER (see winiadmin_importers). "
        "Nothing is written if any row has an error, unless --skip_invalid is given."
    )

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "importer",
            help="Registered importer name, e.g. shop.catalogue, or a model, e.g. shop.Product "
            "(its importer, or one derived from the model when none writes it).",
        )
        parser.add_argument(
            "file",
            help="CSV, TSV, Excel, JSON, NDJSON or Parquet file: a local path, an https:// URL, "
            "or a path in the storage given by --storage.",
        )
        parser.add_argument(
            "--storage",
            metavar="ALIAS",
            help="Read FILE from this storage (one of the SOURCE_STORAGES: an S3 bucket…).",
        )
        parser.add_argument(
            "--skip_invalid",
            action="store_true",
            help="Import the valid rows and skip rows with errors (they are listed).",
        )
        parser.add_argument(
            "--create_missing",
            "--create-missing",
            action="store_true",
            help="Create the related rows (a category by name…) that values match nothing in, "
            "where the importer's lookup allows it; the unmatched values are printed either way.",
        )
        parser.add_argument(
            "-o",
            "--option",
            action="append",
            default=[],
            type=_option_pair,
            metavar="NAME=VALUE",
            help="An importer option; repeat for several.",
        )
        parser.add_argument("--encoding", help="Text encoding (detected when omitted).")
        parser.add_argument("--delimiter", help="Field delimiter (sniffed when omitted).")
        parser.add_argument("--sheet", help="Excel sheet name or 0-based index (default first).")
        parser.add_argument(
            "--header_row",
            "--header-row",
            type=whole_number(1),
            default=None,
            help="Row holding the column names, 1 = first (detected when omitted: title rows "
            "above the table are skipped).",
        )
        parser.add_argument(
            "--format",
            choices=["csv", "tsv", "excel", "json", "ndjson", "parquet"],
            help="Read as this format instead of detecting it.",
        )
        parser.add_argument(
            "--column_map",
            "--column-map",
            action="append",
            default=[],
            metavar="'FILE HEADER=column'",
            help="Feed an expected column from this file header (empty column: ignore the "
            "header); repeat for several. Other headers are matched automatically.",
        )
        parser.add_argument(
            "--column_map_file",
            "--column-map-file",
            metavar="MAPPING.json",
            help='A JSON object {"File header": "column", "Ignored header": null}; '
            "--column_map entries override it.",
        )
        parser.add_argument(
            "--decimal_separator",
            "--decimal-separator",
            choices=[".", ","],
            help="How the file writes the decimal point: 12,50 with ','. Overrides the "
            "importer's conventions (docs/conventions.md).",
        )
        parser.add_argument(
            "--thousands_separator",
            "--thousands-separator",
            help="The file's thousands separator: '.' for 1.234,50, ',' for 1,234.50, ' ' or "
            "'none'.",
        )
        parser.add_argument(
            "--date_format",
            "--date-format",
            action="append",
            default=None,
            metavar="FORMAT",
            help="strptime format of the file's dates, e.g. %%d.%%m.%%Y; repeat for several "
            "(tried in order, then ISO). A two-digit year (%%y) is read only when declared.",
        )
        parser.add_argument(
            "--datetime_format",
            "--datetime-format",
            action="append",
            default=None,
            metavar="FORMAT",
            help="strptime format of the file's dates and times, e.g. '%%d.%%m.%%Y %%H:%%M'.",
        )
        parser.add_argument(
            "--currency",
            action="append",
            default=None,
            metavar="SYMBOL",
            help="A currency symbol or code stripped from numbers (€, EUR); repeat for several.",
        )
        parser.add_argument(
            "--percent",
            choices=["number", "fraction"],
            help="Strip a trailing %% from numbers: 12%% read as 12 (number) or 0.12 (fraction).",
        )
        parser.add_argument(
            "--database", default=None, help="Database alias to import into (default: default)."
        )

    def handle_command(self) -> None:
        importer = self._build_importer()
        mapping = mapping_from_options(
            self.get_option("column_map"), self.get_option("column_map_file")
        )
        progress = TerminalProgressBar(self.stderr)
        with self._source() as (path, name):
            result = self._run(importer, path, name, mapping, progress)
        matches = result.column_matches
        if matches is not None and (lines := describe_matches(matches)):
            heading = _("Column mapping (file header → column, how):")
            self.stdout.write(heading + "\n" + "\n".join(lines))
        write_report(result, self.stdout, self.stderr, self.style)
        refused = [p for p in result.problems if p.kind is ProblemKind.COLUMN_MAPPING]
        if refused:
            raise CommandError(refused[0].message)
        if matches is not None and matches.unmatched:
            raise CommandError(unmatched_message(matches))
        if not result.ok:
            raise failure(result)

    def _run(
        self,
        importer: Importer,
        path: str,
        name: str | None,
        mapping: ColumnMapping | None,
        progress: TerminalProgressBar,
    ) -> ImportResult:
        try:
            options = RunOptions(
                dry_run=self.get_option(self.Options.DRY_RUN),
                skip_invalid=self.get_option("skip_invalid"),
                batch_size=self.get_option(self.Options.BATCH_SIZE),
                timeout=self.get_option(self.Options.TIMEOUT),
                using=self.get_option("database"),
                read_options=self._read_options(),
                progress=progress,
                column_mapping=mapping,
                create_missing=self.get_option("create_missing"),
                file_name=name,
                conventions=self._conventions(),
            )
            return importer.run(path, options)
        finally:
            progress.close()

    @contextmanager
    def _source(self) -> Iterator[tuple[str, str | None]]:
        """The file to read and its name: a local path as given; a URL or a storage path
        fetched first (the same size limit and checks as the API's, docs/sources.md) into a
        temporary file, deleted afterwards. Then read as any path: detected, streamed."""
        given, alias = self.get_option("file"), self.get_option("storage")
        if not alias and not given.lower().startswith(("http://", "https://")):
            yield given, None
            return
        try:
            fetched = from_storage(alias, given) if alias else download(given)
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        try:
            yield fetched.temporary_file_path(), fetched.name
        finally:
            fetched.close()

    def _build_importer(self) -> Importer:
        try:
            importer_cls = find_importer(self.get_option("importer"))
            check_load_paths(importer_cls)
            texts = dict(self.get_option("option"))
            return importer_cls(importer_cls.parse_options(texts))
        except (WiniadminError, ValueError) as exc:
            raise CommandError(str(exc)) from exc

    def _conventions(self) -> FileConventions | None:
        """The file's conventions given on the command line (``None``: none given)."""
        thousands = self.get_option("thousands_separator")
        if thousands is not None and thousands.lower() in {"none", ""}:
            thousands = ""

        def formats(name: str) -> tuple[str, ...] | None:
            given: list[str] | None = self.get_option(name)
            return None if given is None else tuple(given)

        try:
            conventions = FileConventions(
                decimal_separator=self.get_option("decimal_separator"),
                thousands_separator=thousands,
                date_formats=formats("date_format"),
                datetime_formats=formats("datetime_format"),
                currency_symbols=formats("currency"),
                percent=self.get_option("percent"),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        return conventions if conventions != FileConventions() else None

    def _read_options(self) -> ReadOptions:
        sheet: str | int | None = self.get_option("sheet")
        if isinstance(sheet, str) and sheet.isdigit():
            sheet = int(sheet)
        delimiter = self.get_option("delimiter")
        if delimiter in {"\\t", "tab"}:
            delimiter = "\t"
        return ReadOptions(
            encoding=self.get_option("encoding"),
            delimiter=delimiter,
            sheet=sheet,
            header_row=self.get_option("header_row"),
            format=self.get_option("format"),
        )
