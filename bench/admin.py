"""``python -m bench.admin`` (or ``./dev bench-admin``): an import through the admin, end to end,
against ``winiadmin_import`` of the same file in the same run.

Example::

    ./dev bench-admin --rows 1000000 --db sqlite,postgres --repeat 3

For each database it generates the catalogue CSV (:mod:`bench.data`, cached), migrates once, and
runs each repetition in a fresh process. An **admin** repetition empties the tables, starts a real
``db_worker`` (django-tasks-db) and drives the wizard's own views with Django's test client,
logged in as a superuser, every upload going to the worker (``BACKGROUND_THRESHOLD`` 0):

* ``upload_s``: the POST of the file to the start page (stored, the job queued);
* ``first_page_s``: from then until the rows fragment answers with the first page of cleaned rows;
* ``check_s``: from the upload until the dry run ended (the preview complete);
* ``confirm_to_done_s``: from the POST of the confirm until the job succeeded;
* ``whole_s``: from the start of the upload until the job succeeded;
* ``worker_peak_mb``: the worker's peak resident memory (its ``ru_maxrss``; the worker is the
  only child of the repetition's process).

A **command** repetition runs ``manage.py winiadmin_import shop.catalogue FILE`` as a child of a
fresh process: ``command_s`` and ``command_peak_mb``. ``confirm/command`` is the ratio issue 19
sets a target for (at most 1.2x). It prints the medians and writes JSON (``--json``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import data
from bench.run import RESULTS, ROOT, run_child, scratch_database

POLL_SECONDS = 0.05
IMPORTER = "shop.catalogue"
MODEL = "shop.Product"
WORKER_UP_SECONDS = 3.0


def _peak_mb_of_children() -> float:
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def _start_worker(log: Path) -> subprocess.Popen[bytes]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "django", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.1"],
        cwd=ROOT, env=os.environ.copy(), stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    time.sleep(WORKER_UP_SECONDS)  # Django set up and polling, like a worker that waits for work
    if worker.poll() is not None:
        msg = f"db_worker exited at once: {log.read_text()[-500:]}"
        raise RuntimeError(msg)
    return worker


def _wait_for(job_id: object, done: Any, timeout: float, what: str) -> None:
    from winiadmin.models import ImportJob  # noqa: PLC0415

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if done(job):
            return
        if job.status in {ImportJob.Status.FAILED, ImportJob.Status.CANCELLED}:
            msg = f"job {job.status} while waiting for {what}: {job.error[:300]}"
            raise RuntimeError(msg)
        time.sleep(POLL_SECONDS)
    msg = f"timed out after {timeout} s waiting for {what}"
    raise RuntimeError(msg)


def measure_admin(csv_path: Path, timeout: float) -> dict[str, Any]:
    """One admin repetition, in this (fresh) process; Django is set up by the caller."""
    from django.contrib.auth.models import User  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.urls import resolve, reverse  # noqa: PLC0415
    from shop.models import Product  # noqa: PLC0415

    from bench.measure import reset_database  # noqa: PLC0415
    from winiadmin.models import ImportJob  # noqa: PLC0415

    reset_database()
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", "bench@example.com", "pw"
    )
    client = Client()
    client.force_login(user)
    worker = _start_worker(csv_path.parent / f"worker-{os.getpid()}.log")
    try:
        start = reverse("admin:winiadmin_importjob_start", args=[IMPORTER]) + f"?model={MODEL}"
        began = time.perf_counter()
        with csv_path.open("rb") as handle:  # sent from the file, as a browser sends it
            response = client.post(start, {"file": handle})
        uploaded = time.perf_counter()
        if response.status_code != 302:
            msg = f"upload answered {response.status_code}: {response.content[:300]!r}"
            raise RuntimeError(msg)
        job_id = resolve(response["Location"]).kwargs["job_id"]
        _wait_for(job_id, lambda j: bool(j.preview_file), timeout, "the first page")
        rows = client.get(reverse("admin:winiadmin_importjob_rows", args=[job_id]))
        if rows.status_code != 200 or "<table" not in rows.content.decode():
            msg = f"rows view answered {rows.status_code}"
            raise RuntimeError(msg)
        first_page = time.perf_counter()
        _wait_for(job_id, lambda j: j.status == ImportJob.Status.VALIDATED, timeout, "the check")
        checked = time.perf_counter()
        checked_job = ImportJob.objects.get(pk=job_id)
        check_state = {  # why a confirm would not reuse the check (issue 19)
            "check_stored_inputs": bool(checked_job.checked_inputs),
            "check_problems": checked_job.import_report.counts_by_kind,
            "check_timings": dict(checked_job.import_report.timings),
        }
        confirm = reverse("admin:winiadmin_importjob_confirm", args=[job_id])
        confirmed = time.perf_counter()
        client.post(confirm, {})
        _wait_for(job_id, lambda j: j.status == ImportJob.Status.SUCCEEDED, timeout, "the import")
        done = time.perf_counter()
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    final = ImportJob.objects.get(pk=job_id)
    return {
        "status": "ok",
        "products": Product.objects.count(),
        "confirm_timings": dict(final.import_report.timings),  # seconds per stage
        # The confirm started from the check's cleaned rows (issue 19 §2).
        "reused_check": "cleaned rows" in final.import_report.source.items,
        **check_state,
        "upload_s": round(uploaded - began, 3),
        "first_page_s": round(first_page - uploaded, 3),
        "check_s": round(checked - uploaded, 3),
        "confirm_to_done_s": round(done - confirmed, 3),
        "whole_s": round(done - began, 3),
        "worker_peak_mb": _peak_mb_of_children(),
    }


def measure_command(csv_path: Path) -> dict[str, Any]:
    """One command repetition: ``winiadmin_import`` as the only child of this fresh process."""
    from shop.models import Product  # noqa: PLC0415

    from bench.measure import reset_database  # noqa: PLC0415

    reset_database()
    began = time.perf_counter()
    done = subprocess.run(  # noqa: PLW1510 - the exit code is checked below
        [sys.executable, "-m", "django", "winiadmin_import", IMPORTER, str(csv_path)],
        cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - began
    if done.returncode:
        tail = " | ".join((done.stderr.strip().splitlines() or ["no output"])[-3:])
        return {"status": "failed", "error": f"exit {done.returncode}: {tail}"}
    return {
        "status": "ok",
        "products": Product.objects.count(),
        "command_s": round(elapsed, 3),
        "command_peak_mb": _peak_mb_of_children(),
    }


def run_db(db: str, csv_path: Path, repeat: int, timeout: float) -> dict[str, list[dict[str, Any]]]:
    with scratch_database(db, "admin", DJANGO_SETTINGS_MODULE="bench.admin_settings") as env:
        setup = run_child(["-m", "bench.measure", "--setup"], env)
        if setup.get("status") != "ok":
            failed = [{"status": "failed", "error": f"setup: {setup}"}]
            return {"admin": failed, "command": failed}
        one = ["-m", "bench.admin", "--timeout", str(timeout)]
        reps: dict[str, list[dict[str, Any]]] = {"admin": [], "command": []}
        for _ in range(repeat):  # interleaved, so that a slower spell of the machine hits both
            reps["admin"].append(run_child([*one, "--one-admin", str(csv_path)], env))
            reps["command"].append(run_child([*one, "--one-command", str(csv_path)], env))
        return reps


ADMIN_KEYS = ("upload_s", "first_page_s", "check_s", "confirm_to_done_s", "whole_s")


def summary(db: str, rows: int, reps: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    admin = [r for r in reps["admin"] if r.get("status") == "ok" and r["products"] == rows]
    command = [r for r in reps["command"] if r.get("status") == "ok" and r["products"] == rows]
    out: dict[str, Any] = {"db": db, "rows": rows, "ok": (len(admin), len(command)), **reps}
    for key in (*ADMIN_KEYS, "worker_peak_mb"):
        out[key] = statistics.median(r[key] for r in admin) if admin else None
    for key in ("command_s", "command_peak_mb"):
        out[key] = statistics.median(r[key] for r in command) if command else None
    if out["confirm_to_done_s"] and out["command_s"]:
        out["confirm_per_command"] = round(out["confirm_to_done_s"] / out["command_s"], 2)
    return out


def report(result: dict[str, Any], repeat: int) -> None:
    print(
        f"{result['db']:<9} {result['rows']:>9} rows  admin: first page {result['first_page_s']} s"
        f", check {result['check_s']} s, confirm→done {result['confirm_to_done_s']} s, whole "
        f"{result['whole_s']} s, worker peak {result['worker_peak_mb']} MB  |  command: "
        f"{result['command_s']} s, peak {result['command_peak_mb']} MB  |  confirm/command "
        f"{result.get('confirm_per_command')}x  ({result['ok'][0]}+{result['ok'][1]}/{repeat}"
        f" ok; check reused {sum(bool(r.get('reused_check')) for r in result['admin'])})",
        flush=True,
    )
    for rep in (*result["admin"], *result["command"]):
        if rep.get("status") != "ok" or rep.get("products") != result["rows"]:
            print(f"  failed: {rep}", file=sys.stderr)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.admin", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per wait")
    parser.add_argument("--data-dir", type=Path, default=RESULTS / "data")
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--one-admin", type=Path, help=argparse.SUPPRESS)  # (internal)
    parser.add_argument("--one-command", type=Path, help=argparse.SUPPRESS)  # (internal)
    return parser.parse_args(argv)


def one(args: argparse.Namespace) -> int:
    import django  # noqa: PLC0415

    django.setup()
    try:
        if args.one_admin is not None:
            outcome = measure_admin(args.one_admin, args.timeout)
        else:
            outcome = measure_command(args.one_command)
    except Exception as exc:
        outcome = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(outcome), flush=True)
    return 0


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.one_admin is not None or args.one_command is not None:
        return one(args)
    dataset = data.generate(args.rows, args.data_dir)
    results = []
    for db in args.db.split(","):
        result = summary(db, args.rows, run_db(db, dataset.path, args.repeat, args.timeout))
        results.append(result)
        report(result, args.repeat)
    out = args.json or RESULTS / f"admin-{args.rows}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0 if all(r["ok"] == (args.repeat, args.repeat) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
