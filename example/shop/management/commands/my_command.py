"""The seed's ``MyCommand`` snippets (arguments, options, built-ins) as one runnable command.

The seed leaves ``load_data``/``process_data``/``export_results`` to the reader; here they count
the rows of a CSV file and print a small summary in the chosen format.
"""

import json
from argparse import ArgumentParser

import polars as pl

from winiadmin.commands.base import ABCBaseCommand


class MyCommand(ABCBaseCommand):
    """Summarise a CSV file.

    Examples:
        python manage.py my_command --input-file data.csv
        python manage.py my_command --input-file data.csv --output-format csv --dry_run
    """

    help = "Summarise a CSV file (the seed's MyCommand snippets)"

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--input-file", type=str, required=True, help="Path to input file")
        parser.add_argument(
            "--output-format",
            choices=["json", "csv", "xml"],
            default="json",
            help="Output format for results",
        )
        parser.add_argument("--limit", type=int, help="Maximum number of records to process")

    def handle_command(self) -> None:
        # Get command-specific arguments
        input_file = self.get_option("input_file")
        output_format = self.get_option("output_format")
        limit = self.get_option("limit")

        # Get built-in arguments
        dry_run = self.get_option("dry_run")
        batch_size = self.get_option("batch_size") or 1000
        threads = self.get_option(self.Options.THREADS)

        if dry_run:
            self.stdout.write(self.style.WARNING("DRY RUN MODE"))

        data = self.load_data(input_file, limit)
        self.process_data(data, batch_size, dry_run, threads)
        self.export_results(output_format)

    def load_data(self, input_file: str, limit: int | None) -> pl.DataFrame:
        df = pl.read_csv(input_file, infer_schema=False)
        return df.head(limit) if limit is not None else df

    def process_data(
        self, data: pl.DataFrame, batch_size: int, dry_run: bool, threads: int | None
    ) -> None:
        batches = -(-data.height // batch_size)
        self.summary = {
            "rows": data.height,
            "columns": len(data.columns),
            "batches": batches,
            "dry_run": dry_run,
            "threads": threads or 1,
        }

    def export_results(self, output_format: str) -> None:
        if output_format == "json":
            self.stdout.write(json.dumps(self.summary))
        elif output_format == "csv":
            self.stdout.write(",".join(self.summary))
            self.stdout.write(",".join(str(v) for v in self.summary.values()))
        else:
            fields = "".join(f"<{k}>{v}</{k}>" for k, v in self.summary.items())
            self.stdout.write(f"<summary>{fields}</summary>")


class Command(MyCommand):
    pass
