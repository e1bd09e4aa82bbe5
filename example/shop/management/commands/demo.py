"""``manage.py demo``: migrate the SQLite database, create the demo login, serve the admin."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
USERNAME = "admin"
PASSWORD = "admin"  # noqa: S105 - a local demo login, printed on purpose


class Command(BaseCommand):
    help = "Set up and serve the winiadmin demo (SQLite, demo admin login, sample files)."
    # The checks open the database, whose folder this command creates first; it runs them after.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Set everything up, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
        call_command("check")
        call_command("migrate", interactive=False, verbosity=0)
        user_model = get_user_model()
        if not user_model._default_manager.filter(username=USERNAME).exists():
            user_model._default_manager.create_superuser(USERNAME, "admin@example.com", PASSWORD)
        addrport = options["addrport"]
        self.stdout.write(self.style.SUCCESS("winiadmin demo is ready."))
        self.stdout.write(f"  Admin:  http://{addrport}/admin/")
        self.stdout.write(f"  Login:  {USERNAME} / {PASSWORD}")
        self.stdout.write(f"  Sample files to import ({SAMPLES}):")
        for sample in sorted(SAMPLES.iterdir()):
            if sample.suffix in {".csv", ".xlsx", ".json", ".parquet", ".tsv", ".ndjson"}:
                self.stdout.write(f"    {sample.name}")
        self.stdout.write(
            "  From the shell: python example/manage.py winiadmin_import shop.catalogue "
            "example/samples/catalogue.csv --dry_run"
        )
        if not options["no_serve"]:
            call_command("runserver", addrport, use_reloader=False)
