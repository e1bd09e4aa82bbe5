"""The seed's "Simple Data Processing Command" example; only the import path changed."""

from argparse import ArgumentParser

from winiadmin.commands.base import ABCBaseCommand


class CleanupOldRecordsCommand(ABCBaseCommand):
    """Delete records older than specified days."""

    help = "Delete old records from database"

    def add_command_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--days", type=int, default=30, help="Delete records older than this many days"
        )
        parser.add_argument("--model", type=str, required=True, help="Model name to clean up")

    def handle_command(self) -> None:
        from datetime import datetime, timedelta

        from django.apps import apps

        days = self.get_option("days")
        model_name = self.get_option("model")
        dry_run = self.get_option("dry_run")
        delete = self.get_option("delete")

        # Get model
        model = apps.get_model(model_name)

        # Calculate cutoff date
        cutoff = datetime.now() - timedelta(days=days)

        # Get old records
        old_records = model.objects.filter(created_at__lt=cutoff)
        count = old_records.count()

        self.stdout.write(f"Found {count} records older than {days} days")

        if not delete:
            self.stdout.write(self.style.WARNING("Use --delete to actually delete records"))
            return

        if dry_run:
            self.stdout.write(self.style.WARNING(f"DRY RUN: Would delete {count} records"))
            return

        # Delete
        deleted, _ = old_records.delete()
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} records"))


class Command(CleanupOldRecordsCommand):
    pass
