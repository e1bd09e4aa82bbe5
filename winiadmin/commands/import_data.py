"""``ImportDataBaseCommand``: a management command that runs one import through the pipeline.

``handle_command`` reads with :meth:`handle_import`, cleans with :meth:`get_cleaning_df_cls`,
builds objects with :meth:`get_bulks_by_model` and loads them (:meth:`import_to_db` semantics:
FK-sorted bulk creation in one transaction). ``--dry_run`` really runs all of it and rolls back.
"""

from abc import abstractmethod
from argparse import ArgumentParser
from collections.abc import Iterable

import polars as pl
from django.db import transaction
from django.db.models import Model
from winiutils.core.data.dataframe.cleaning import CleaningDF

from winiadmin.commands.base import ABCBaseCommand
from winiadmin.commands.progress import TerminalProgressBar
from winiadmin.commands.report import failure, write_report
from winiadmin.db.bulk import STANDARD_BULK_SIZE, bulk_create_bulks_in_steps
from winiadmin.pipeline import RunOptions, run_import
from winiadmin.pipeline.spec import ImportDeclarations
from winiadmin.results import ImportResult


class ImportDataBaseCommand(ImportDeclarations, ABCBaseCommand):
    """Abstract base for data-import commands; implement the three hooks below.

    The class attributes the pipeline reads (``on_duplicate_key``, ``lookups``, ``upsert_keys``…)
    are :class:`~winiadmin.pipeline.spec.ImportDeclarations`', with their defaults: winiutils'
    documented rule for rows sharing a unique key (the first is kept,
    ``get_add_on_duplicate_cols`` summed into it; each dropped row is a reported warning), and
    ``models`` not declared (a command is run by whoever runs ``manage.py``).
    """

    SKIP_INVALID = "skip_invalid"

    cleaning_df: CleaningDF
    result: ImportResult

    def base_add_arguments(self, parser: ArgumentParser) -> None:
        super().base_add_arguments(parser)
        parser.add_argument(
            f"--{self.SKIP_INVALID}",
            action="store_true",
            default=False,
            help="Import the valid rows and skip the rows with errors (listed in the report). "
            "Without it, any error stops the import and nothing is written.",
        )

    @abstractmethod
    def handle_import(self) -> pl.DataFrame:
        """Read the raw data (no cleaning here)."""

    @abstractmethod
    def get_cleaning_df_cls(self) -> type[CleaningDF]:
        """The ``CleaningDF`` subclass that cleans the frame."""

    @abstractmethod
    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        """Unsaved model objects per model, from the cleaned frame; any order of models."""

    def handle_command(self) -> None:
        progress = TerminalProgressBar(self.stderr)
        try:
            options = RunOptions(
                dry_run=self.get_option(self.Options.DRY_RUN),
                skip_invalid=self.get_option(self.SKIP_INVALID),
                batch_size=self.get_option(self.Options.BATCH_SIZE),
                timeout=self.get_option(self.Options.TIMEOUT),
                progress=progress,
            )
            name = type(self).__module__.rsplit(".", 1)[-1]
            self.result = run_import(self, self.handle_import, options, importer_name=name)
        finally:
            progress.close()
        if self.result.cleaning_df is not None:
            self.cleaning_df = self.result.cleaning_df
        self.report(self.result)

    def report(self, result: ImportResult) -> None:
        """Print the summary; raise ``CommandError`` (exit status 1) unless the run succeeded."""
        write_report(result, self.stdout, self.stderr, self.style)
        if not result.ok:
            raise failure(result)

    def import_to_db(self) -> None:
        """Load ``self.cleaning_df.df`` (the seed's load step, for callers that clean themselves).

        ``handle_command`` does not call it: it runs the same transform and load through the
        pipeline, which adds conflict checks, progress and the dry run.
        """
        bulks = self.get_bulks_by_model(df=self.cleaning_df.df)
        step = self.get_option(self.Options.BATCH_SIZE) or STANDARD_BULK_SIZE
        with transaction.atomic():
            bulk_create_bulks_in_steps(bulks, step)
            if self.get_option(self.Options.DRY_RUN):
                transaction.set_rollback(True)
