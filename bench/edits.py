"""``python -m bench.edits``: how fast one edited cell is checked on a big job.

Example::

    .venv/bin/python -m bench.edits --rows 1000000 --db sqlite --repeat 1

For each database it generates the catalogue CSV (:mod:`bench.data`, cached), migrates, creates
the job as the upload view does and runs its dry run (``validate_job``), then edits ``EDITS``
cells of rows spread over the file, each with a bad value and then a good one, and measures:

* ``check_ms``: the edit stored and its row checked again (``set_cell`` + ``check_row``: the
  row read from the kept table, two one-row dry runs, its key looked for in the rest of the file,
  the report updated) — the median and the largest;
* ``answer_ms``: the whole HTMX answer of ``admin:winiadmin_importjob_edit_cell`` (the above and
  the preview rendered again), median and largest;
* ``dry_run_s``: the dry run of the whole file (for scale); ``vacuum_s``: the worker's vacuum
  after it (below).

After the dry run it vacuums what the worker vacuums after a check (``winiadmin.jobs.vacuum``;
``BENCH_NO_WORKER_VACUUM=1``: not, to measure the edits among the dry run's dead rows).
``BENCH_EDITS_VACUUM=1``: on PostgreSQL, ``VACUUM ANALYZE`` after the dry run, before the edits
(the dry run's rolled-back rows are dead tuples until autovacuum has run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench import data
from bench.run import RESULTS, run_child, scratch_database

EDITS = 10


def measure_one(csv_path: Path) -> dict[str, Any]:
    """One repetition, in this (fresh) process; Django is set up by the caller."""
    from django.contrib.auth.models import User  # noqa: PLC0415
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.urls import reverse  # noqa: PLC0415

    from bench.measure import reset_database  # noqa: PLC0415
    from winiadmin.importers import get_importer  # noqa: PLC0415
    from winiadmin.jobs.edits import can_edit, edits_of, set_cell  # noqa: PLC0415
    from winiadmin.jobs.row_check import check_row  # noqa: PLC0415
    from winiadmin.jobs.runner import create_job, validate_job  # noqa: PLC0415
    from winiadmin.jobs.vacuum import vacuum_after_check  # noqa: PLC0415

    reset_database()
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", "bench@example.com", "pw"
    )
    upload = SimpleUploadedFile(csv_path.name, csv_path.read_bytes())
    job = create_job(
        importer=get_importer("shop.catalogue"),
        upload=upload,
        user=user,
        options={},
        read_options={},
        target_model="shop.Product",
    )
    started = time.perf_counter()
    result = validate_job(job)
    dry_run = time.perf_counter() - started
    started = time.perf_counter()
    if not os.environ.get("BENCH_NO_WORKER_VACUUM"):
        # What the worker does after a check (winiadmin.jobs.vacuum); set
        # BENCH_NO_WORKER_VACUUM=1 to measure the edits among the dry run's dead rows.
        vacuum_after_check(result)
    vacuum_s = time.perf_counter() - started
    if not can_edit(job):
        return {"status": "failed", "error": f"the dry run ended {job.status}: {job.error}"}
    if os.environ.get("BENCH_EDITS_VACUUM") and connection.vendor == "postgresql":
        # The dry run's rolled-back million rows are dead tuples until autovacuum gets there;
        # measured both ways (see docs/performance.md).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    rows = job.import_report.rows_read
    targets = [2 + (rows - 1) * i // EDITS for i in range(EDITS)]
    checks, problems = [], []
    unexpected: list[str] = []
    for row in targets:
        for value in ("not a number", "7"):
            started = time.perf_counter()
            before = edits_of(job)
            set_cell(job, user, row, "quantity", value)
            checked = check_row(job, row, before, "quantity")
            checks.append(time.perf_counter() - started)
            problems.append(len(checked.problems))
            if value == "7" and checked.problems:
                unexpected.extend(p.message for p in checked.problems)
    client = Client(headers={"HX-Request": "true"})
    client.force_login(user)
    url = reverse("admin:winiadmin_importjob_edit_cell", args=[job.pk])
    answers = []
    for row in targets:
        started = time.perf_counter()
        response = client.post(url, {"row": row, "column": "quantity", "value": "8"})
        answers.append(time.perf_counter() - started)
        if response.status_code != 200 or "checked again" not in response.content.decode():
            msg = f"the edit view answered {response.status_code}"
            raise RuntimeError(msg)
    # Each bad value was found (one problem), each good one cleared it.
    found = problems == [1, 0] * EDITS
    return {
        "status": "ok" if found else "failed",
        "error": "" if found else f"problems per check: {problems}; {unexpected[:3]}",
        "rows": rows,
        "check_ms": round(1000 * statistics.median(checks), 1),
        "check_ms_max": round(1000 * max(checks), 1),
        "answer_ms": round(1000 * statistics.median(answers), 1),
        "answer_ms_max": round(1000 * max(answers), 1),
        "dry_run_s": round(dry_run, 2),
        "vacuum_s": round(vacuum_s, 2),
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.edits", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=RESULTS / "data")
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # one repetition (internal)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.one is not None:
        import django  # noqa: PLC0415

        django.setup()
        try:
            outcome = measure_one(args.one)
        except Exception as exc:
            outcome = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(outcome), flush=True)
        return 0
    dataset = data.generate(args.rows, args.data_dir)
    results = []
    for db in args.db.split(","):
        with scratch_database(db, "edits", DJANGO_SETTINGS_MODULE="bench.preview_settings") as env:
            setup = run_child(["-m", "bench.measure", "--setup"], env)
            one = ["-m", "bench.edits", "--one", str(dataset.path)]
            reps = (
                [run_child(one, env) for _ in range(args.repeat)]
                if setup.get("status") == "ok"
                else [{"status": "failed", "error": f"setup: {setup}"}]
            )
        results.append({"db": db, "rows": args.rows, "repetitions": reps})
        print(json.dumps(results[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
