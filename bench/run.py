"""``python -m bench.run`` (or ``./dev bench``): every contender, side by side, in one run.

Example::

    ./dev bench --rows 10000,100000 --db sqlite,postgres --repeat 3

For each database and size it generates the CSV (:mod:`bench.data`, cached), creates the schema
once, then runs the repetitions round-robin (rep 1 of every contender, then rep 2, …), each in a
fresh process (:mod:`bench.measure`). It prints one table per database and size and writes JSON
with every repetition and the machine. Ratios compare medians of the same run.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import data

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
RAW = "raw_limit"
IE_FASTEST = "import_export_fastest"
DATABASES = ("sqlite", "postgres")


@dataclass
class Outcome:
    db: str
    rows: int
    contender: str
    status: str = "ok"  # ok | failed | skipped | unavailable
    note: str = ""
    seconds: list[float] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)
    baseline_rss_mb: list[float] = field(default_factory=list)

    @property
    def median_seconds(self) -> float | None:
        return statistics.median(self.seconds) if self.status == "ok" and self.seconds else None

    @property
    def rss_growth_mb(self) -> float | None:
        """Median of how far the run raised the process's peak RSS above its baseline."""
        grown = [p - b for p, b in zip(self.peak_rss_mb, self.baseline_rss_mb, strict=True)]
        return statistics.median(grown) if grown else None

    def as_json(self) -> dict[str, Any]:
        median = self.median_seconds
        return {
            "db": self.db,
            "rows": self.rows,
            "contender": self.contender,
            "status": self.status,
            "note": self.note,
            "seconds": self.seconds,
            "median_seconds": median,
            "rows_per_second": self.rows / median if median else None,
            "peak_rss_mb": self.peak_rss_mb,
            "median_peak_rss_mb": statistics.median(self.peak_rss_mb) if self.peak_rss_mb else None,
            "baseline_rss_mb": self.baseline_rss_mb,
            "median_rss_growth_mb": self.rss_growth_mb,
        }


# --------------------------------------------------------------------------------------------
# Databases


def pg_admin_connect() -> Any:
    import psycopg  # noqa: PLC0415

    from bench.settings import PG_CONNECTION  # noqa: PLC0415

    return psycopg.connect(
        host=PG_CONNECTION["HOST"],
        port=PG_CONNECTION["PORT"],
        user=PG_CONNECTION["USER"],
        password=PG_CONNECTION["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    )


def pg_recreate(name: str, *, drop_only: bool = False) -> str:
    """Drop (and create) the benchmark database; returns the server's version."""
    with pg_admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def run_child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """``python <args>`` in a fresh process (one repetition): the JSON of its last line of
    output, or a ``failed`` status with the end of its stderr."""
    done = subprocess.run(  # noqa: PLW1510 - the status is in the JSON or the stderr
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-3:]
        return {"status": "failed", "error": f"exit {done.returncode}: {' | '.join(tail)}"}
    outcome: dict[str, Any] = json.loads(lines[-1])
    return outcome


@contextmanager
def scratch_database(db: str, purpose: str, **extra_env: str) -> Iterator[dict[str, str]]:
    """For a benchmark script: a temporary folder and, on PostgreSQL, a fresh database (dropped at
    the end); yields the environment to run its measuring processes with."""
    workdir = Path(tempfile.mkdtemp(prefix=f"winiadmin-bench-{purpose}-{db}-"))
    env = {**db_env(db, workdir), **extra_env}
    pg_name = env.setdefault("BENCH_PG_NAME", f"winiadmin_bench_{purpose}")
    if db == "postgres":
        pg_recreate(pg_name)
    try:
        yield env
    finally:
        if db == "postgres":
            pg_recreate(pg_name, drop_only=True)
        shutil.rmtree(workdir, ignore_errors=True)


def db_env(db: str, workdir: Path) -> dict[str, str]:
    env = {**os.environ, "BENCH_DB": db, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    env["BENCH_SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), str(ROOT / "example"), env.get("PYTHONPATH", "")) if p
    )
    return env


def subprocess_json(args: list[str], env: dict[str, str], timeout: float) -> dict[str, Any]:
    try:
        done = subprocess.run(  # noqa: PLW1510 - the status is in the JSON or the stderr
            [sys.executable, "-m", "bench.measure", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"status": "failed", "error": f"timed out after {timeout:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"status": "failed", "error": f"exit {done.returncode}: {tail}"}
    outcome: dict[str, Any] = json.loads(lines[-1])
    if outcome.get("status") == "failed" and done.stderr.strip():
        print(done.stderr.rstrip()[-2000:], file=sys.stderr)
    return outcome


# --------------------------------------------------------------------------------------------
# Running


@dataclass
class Plan:
    rows: list[int]
    dbs: list[str]
    contenders: list[str]
    repeat: int
    ie_max_rows: int
    timeout: float
    data_dir: Path


def run_size(plan: Plan, db: str, rows: int, env: dict[str, str]) -> list[Outcome]:
    from bench.contenders import CONTENDERS  # noqa: PLC0415 - needs Django set up

    say(f"{db}: {rows:,} rows — generating data")
    dataset = data.generate(rows, plan.data_dir)
    outcomes = {name: Outcome(db, rows, name) for name in plan.contenders}
    for name, outcome in outcomes.items():
        if CONTENDERS[name].per_row and rows > plan.ie_max_rows:
            outcome.status = "skipped"
            outcome.note = f"skipped: more than --ie-max-rows={plan.ie_max_rows:,}"
    for rep in range(1, plan.repeat + 1):
        for name, outcome in outcomes.items():
            if outcome.status != "ok":
                continue
            say(f"{db}: {rows:,} rows — {name} (rep {rep}/{plan.repeat})")
            result = subprocess_json(
                ["--contender", name, "--csv", str(dataset.path)], env, plan.timeout
            )
            if result["status"] != "ok":
                outcome.status = result["status"]
                outcome.note = str(result.get("error", ""))
                outcome.seconds.clear()
                continue
            outcome.seconds.append(result["seconds"])
            outcome.peak_rss_mb.append(result["peak_rss_mb"])
            outcome.baseline_rss_mb.append(result["baseline_rss_mb"])
    return list(outcomes.values())


def run_db(
    plan: Plan, db: str, machine: dict[str, Any], done: Callable[[list[Outcome]], None]
) -> None:
    """Every size on ``db``; ``done`` gets each size's outcomes as soon as they are measured."""
    workdir = Path(tempfile.mkdtemp(prefix=f"winiadmin-bench-{db}-"))
    env = db_env(db, workdir)
    pg_name = env.get("BENCH_PG_NAME", "winiadmin_bench")
    if db == "postgres":
        try:
            machine["postgres"] = pg_recreate(pg_name)
        except Exception as exc:  # any connection problem: report, go on
            note = f"PostgreSQL unavailable: {type(exc).__name__}: {exc}".strip()
            say(note)
            for rows in plan.rows:
                done(
                    [Outcome(db, rows, n, status="unavailable", note=note) for n in plan.contenders]
                )
            return
    try:
        setup = subprocess_json(["--setup"], env, plan.timeout)
        if setup["status"] != "ok":
            note = f"schema setup failed: {setup.get('error')}"
            say(note)
            for rows in plan.rows:
                done([Outcome(db, rows, n, status="failed", note=note) for n in plan.contenders])
            return
        for rows in plan.rows:
            done(run_size(plan, db, rows, env))
    finally:
        if db == "postgres":
            pg_recreate(pg_name, drop_only=True)
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


def say(text: str) -> None:
    print(f"[{datetime.now(tz=UTC):%H:%M:%S}] {text}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Report


def machine_info() -> dict[str, Any]:
    import sqlite3  # noqa: PLC0415

    def version(dist: str) -> str | None:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return None

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    return {
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": version("django"),
        "polars": version("polars"),
        "psycopg": version("psycopg"),
        "django_import_export": version("django-import-export"),
        "tablib": version("tablib"),
        "winiadmin": version("winiadmin"),
        "sqlite": sqlite3.sqlite_version,
        "postgres": None,
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--", "winiadmin", "example")),
    }


def git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def table(outcomes: Sequence[Outcome], repeat: int) -> str:
    db, rows = outcomes[0].db, outcomes[0].rows
    medians = {o.contender: o.median_seconds for o in outcomes}
    raw, ie = medians.get(RAW), medians.get(IE_FASTEST)
    head = (
        f"{'contender':<24}{'median s':>10}{'rows/s':>12}{'peak RSS MB':>13}{'Δ MB':>7}"
        f"{'t/raw':>8}{'ie_fast/t':>11}  note"
    )
    lines = [f"## {db}, {rows:,} rows (median of {repeat})", "", head, "-" * len(head)]
    for o in outcomes:
        t = o.median_seconds
        rss = statistics.median(o.peak_rss_mb) if o.peak_rss_mb else None
        grew = o.rss_growth_mb
        note = o.note if o.status != "ok" else ""
        if o.status == "failed":
            note = f"FAILED: {note}"
        lines.append(
            f"{o.contender:<24}{fmt(t, '.3f'):>10}{fmt(rows / t if t else None, ',.0f'):>12}"
            f"{fmt(rss, '.0f'):>13}{fmt(grew, '.0f'):>7}"
            f"{fmt(t / raw if t and raw else None, '.2f'):>8}"
            f"{fmt(ie / t if t and ie else None, '.2f'):>11}  {note}".rstrip()
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# CLI


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="./dev bench",
        description="winiadmin against plain Django, django-import-export and the raw limit.",
        epilog="The table: median seconds, rows/s, median peak RSS of the measuring process "
        "(interpreter, Django and polars included) and 'Δ MB', how much the run raised it; "
        "'t/raw' = time / raw_limit's time; 'ie_fast/t' = import_export_fastest's time / time "
        "(how many times faster than import-export at its fastest).",
    )
    parser.add_argument("--rows", default="10000,100000", help="sizes, e.g. 10000,100000,1000000")
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (median; ≥ 3)")
    parser.add_argument("--contenders", default="all", help="all, or names separated by commas")
    parser.add_argument(
        "--ie-max-rows",
        type=int,
        default=100_000,
        help="skip the per-row contenders (django-import-export) above this size",
    )
    parser.add_argument("--json", type=Path, help="default: bench/results/<timestamp>.json")
    parser.add_argument("--data-dir", type=Path, help="where the CSVs are cached")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per repetition")
    parser.add_argument("--list", action="store_true", help="list the contenders and exit")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # A kill still drops the PostgreSQL database and removes the temporary directory.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("BENCH_DB", "sqlite")  # only to import the contenders' module here
    import django  # noqa: PLC0415

    django.setup()
    from bench.contenders import CONTENDERS  # noqa: PLC0415

    if args.list:
        for c in CONTENDERS.values():
            print(f"{c.name:<24}{c.description}")
        return 0
    names = list(CONTENDERS) if args.contenders == "all" else args.contenders.split(",")
    dbs = args.db.split(",")
    unknown = [n for n in names if n not in CONTENDERS] + [d for d in dbs if d not in DATABASES]
    if unknown:
        print(f"unknown contender or database: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.repeat < 3:
        say(f"--repeat {args.repeat}: fewer than 3 repetitions, the medians are not robust")
    plan = Plan(
        rows=[int(r.replace("_", "")) for r in args.rows.split(",")],
        dbs=dbs,
        contenders=names,
        repeat=args.repeat,
        ie_max_rows=args.ie_max_rows,
        timeout=args.timeout,
        data_dir=args.data_dir or RESULTS / "data",
    )
    started = datetime.now(tz=UTC)
    machine = machine_info()
    clock = time.perf_counter()
    out = args.json or RESULTS / f"{started:%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    outcomes: list[Outcome] = []

    def write(*, complete: bool) -> None:
        document = {
            "started": started.isoformat(),
            "complete": complete,
            "wall_seconds": round(time.perf_counter() - clock, 1),
            "command": " ".join(["python -m bench.run", *argv]),
            "repeat": plan.repeat,
            "machine": machine,
            "contenders": {n: CONTENDERS[n].description for n in names},
            "results": [o.as_json() for o in outcomes],
        }
        out.write_text(json.dumps(document, indent=1), encoding="utf-8")

    def done(group: list[Outcome]) -> None:
        # Each table as soon as it is measured, and the JSON so far: a killed run keeps them.
        print(("\n" if outcomes else "") + table(group, plan.repeat), flush=True)
        outcomes.extend(group)
        write(complete=False)

    for db in plan.dbs:
        run_db(plan, db, machine, done)
    write(complete=True)
    say(f"wrote {out}")
    return 1 if any(o.status == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
