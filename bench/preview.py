"""``python -m bench.preview`` (or ``./dev bench-preview``): how soon the admin shows a big upload.

Example::

    ./dev bench-preview --rows 1000000 --db sqlite,postgres --repeat 3

For each database it generates the catalogue CSV (:mod:`bench.data`, cached), migrates once, and
runs each repetition in a fresh process (``--one``). A repetition empties the tables, creates the
job through ``create_job`` as the upload view does (the clock starts when it returns: the upload
is complete), and hands its id to a worker process started beforehand, which runs the dry run
(``validate_job``) as the task worker would. Then it measures, with Django's test client logged
in as a superuser:

* ``first_page_s``: until the rows fragment (``admin:winiadmin_importjob_rows``) answers with the
  first page of cleaned rows: the job row is polled every 50 ms, as the page's placeholder does;
* ``page_ms``: the median of 20 further page requests at random offsets, made at once (the dry
  run usually still loads meanwhile, as in real use);
* ``dry_run_s``: until the whole dry run ended (the old time to the first page).

It prints the medians over the repetitions and writes JSON (``--json``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import data
from bench.run import RESULTS, ROOT, run_child, scratch_database

PAGES = 20
POLL_SECONDS = 0.05


def measure_one(csv_path: Path) -> dict[str, Any]:
    """One repetition, in this (fresh) process; Django is set up by the caller."""
    from django.contrib.auth.models import User  # noqa: PLC0415
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.urls import reverse  # noqa: PLC0415

    from bench.measure import reset_database  # noqa: PLC0415
    from winiadmin.conf import get_config  # noqa: PLC0415
    from winiadmin.importers import get_importer  # noqa: PLC0415
    from winiadmin.jobs.runner import create_job  # noqa: PLC0415
    from winiadmin.models import ImportJob  # noqa: PLC0415

    reset_database()
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", "bench@example.com", "pw"
    )
    client = Client(headers={"HX-Request": "true"})
    client.force_login(user)
    # A worker, already up (Django set up) like a task worker, waits for the job's id.
    worker = subprocess.Popen(
        [sys.executable, "-m", "bench.preview", "--worker"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdin is not None
    assert worker.stdout is not None
    worker.stdout.readline()  # "ready"
    upload = SimpleUploadedFile(csv_path.name, csv_path.read_bytes())
    job = create_job(
        importer=get_importer("shop.catalogue"),
        upload=upload,
        user=user,
        options={},
        read_options={},
        target_model="shop.Product",
    )
    uploaded = time.perf_counter()  # the clock: the upload is stored, the job exists
    worker.stdin.write(f"{job.pk}\n")
    worker.stdin.close()
    url = reverse("admin:winiadmin_importjob_rows", args=[job.pk])
    while not ImportJob.objects.filter(pk=job.pk).exclude(preview_file="").exists():
        time.sleep(POLL_SECONDS)
    first = client.get(url)
    first_page = time.perf_counter() - uploaded
    _check(first, "Rows 1")
    total = _total(job.pk)
    pages = max(1, total // get_config().PAGE_SIZE)
    rng = random.Random(4)
    latencies = []
    for _ in range(PAGES):
        started = time.perf_counter()
        _check(client.get(url, {"page": rng.randint(2, max(2, pages))}), "Rows ")
        latencies.append(time.perf_counter() - started)
    worker.wait()
    dry_run = time.perf_counter() - uploaded
    job.refresh_from_db()
    return {
        "status": "ok" if job.status == ImportJob.Status.VALIDATED else "failed",
        "job_status": job.status,
        "error": job.error,
        "rows_in_preview": total,
        "first_page_s": round(first_page, 3),
        "page_ms": round(1000 * statistics.median(latencies), 1),
        "page_ms_max": round(1000 * max(latencies), 1),
        "dry_run_s": round(dry_run, 3),
    }


def _worker() -> None:
    """Django is set up: say so, then dry-run the job whose id comes on stdin."""
    from winiadmin.jobs.runner import validate_job  # noqa: PLC0415
    from winiadmin.models import ImportJob  # noqa: PLC0415

    print("ready", flush=True)
    job_id = sys.stdin.readline().strip()
    validate_job(ImportJob.objects.get(pk=job_id))


def _total(job_id: object) -> int:
    from winiadmin.jobs.frames import count_rows  # noqa: PLC0415
    from winiadmin.models import ImportJob  # noqa: PLC0415

    return count_rows(ImportJob.objects.get(pk=job_id).preview_file)


def _check(response: Any, expected: str) -> None:
    text = response.content.decode()
    if response.status_code != 200 or expected not in text or "<table" not in text:
        msg = f"rows view answered {response.status_code}: {text[:300]}"
        raise RuntimeError(msg)


def run_db(db: str, csv_path: Path, repeat: int) -> list[dict[str, Any]]:
    with scratch_database(db, "preview", DJANGO_SETTINGS_MODULE="bench.preview_settings") as env:
        setup = run_child(["-m", "bench.measure", "--setup"], env)
        if setup.get("status") != "ok":
            return [{"status": "failed", "error": f"setup: {setup}"}]
        return [
            run_child(["-m", "bench.preview", "--one", str(csv_path)], env) for _ in range(repeat)
        ]


def summary(db: str, rows: int, reps: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in reps if r.get("status") == "ok"]
    out: dict[str, Any] = {"db": db, "rows": rows, "ok": len(ok), "repetitions": reps}
    for key in ("first_page_s", "page_ms", "dry_run_s"):
        out[key] = statistics.median(r[key] for r in ok) if ok else None
    out["page_ms_max"] = max((r["page_ms_max"] for r in ok), default=None)
    return out


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.preview", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=RESULTS / "data")
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # one repetition (internal)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)  # (internal)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.worker:
        import django  # noqa: PLC0415

        django.setup()
        _worker()
        return 0
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
        result = summary(db, args.rows, run_db(db, dataset.path, args.repeat))
        results.append(result)
        print(
            f"{db:<9} {args.rows:>9} rows  first page {result['first_page_s']} s  "
            f"page {result['page_ms']} ms (max {result['page_ms_max']})  "
            f"whole dry run {result['dry_run_s']} s  "
            f"({result['ok']}/{args.repeat} ok)",
            flush=True,
        )
        for rep in result["repetitions"]:
            if rep.get("status") != "ok":
                print(f"  failed: {rep}", file=sys.stderr)
    out = args.json or RESULTS / f"preview-{args.rows}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0 if all(r["ok"] == args.repeat for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
