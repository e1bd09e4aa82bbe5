"""``manage.py demo``: migrate the SQLite database, create the demo login, serve the admin.

It also starts one ``db_worker`` (django-tasks-db) beside the web server, which runs the demo's
background imports; ``--no-worker`` leaves that to you (``manage.py db_worker`` in another shell).
"""

import subprocess
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
MANAGE = Path(__file__).resolve().parents[3] / "manage.py"
USERNAME = "admin"
PASSWORD = "admin"  # noqa: S105 - a local demo login, printed on purpose


class Command(BaseCommand):
    help = "Set up and serve the winiadmin demo (SQLite, demo admin login, sample files)."
    # The checks open the database, whose folder this command creates first; it runs them after.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Set everything up, then stop.")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start a db_worker for background imports (run one yourself).",
        )

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
        if options["no_serve"]:
            return
        worker = None if options["no_worker"] else self._start_worker()
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(10)

    def _start_worker(self) -> subprocess.Popen[bytes]:
        """One worker process for the background imports, stopped with the server."""
        self.stdout.write(
            "  Worker: manage.py db_worker (background imports), stops with the server"
        )
        command = [sys.executable, str(MANAGE), "db_worker", "--no-reload", "--interval", "0.5"]
        return subprocess.Popen(command)  # noqa: S603 - our own interpreter and manage.py
