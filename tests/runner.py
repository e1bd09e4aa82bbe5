"""``./dev test``: lint, types, the suite on SQLite and PostgreSQL, the browser tests, coverage.

Usage: ``./dev test [--only lint|sqlite|postgres|browser ...] [--serial] [-- PYTEST ARGS]``.
Without ``--only`` every part runs. On CI (``CI=true``) a part that cannot run (no PostgreSQL, no
Chromium, no Redis for the Celery worker tests) is a failure; on a developer machine it is skipped
with a loud warning.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / ".reports"
ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PARTS = ("lint", "sqlite", "postgres", "browser")


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def add_junit(self, path: Path) -> None:
        root = ET.parse(path).getroot()
        suites = [root] if root.tag == "testsuite" else list(root)
        for suite in suites:
            tests = int(suite.get("tests", 0))
            failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skipped = int(suite.get("skipped", 0))
            self.passed += tests - failed - skipped
            self.failed += failed
            self.skipped += skipped


def banner(text: str) -> None:
    print(f"\n\033[1m==> {text}\033[0m", flush=True)


def run(cmd: list[str], env: dict[str, str] | None = None) -> int:
    print("$", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT, env={**os.environ, **(env or {})})


def postgres_reachable() -> bool:
    host = os.environ.get("WINIADMIN_PG_HOST", "127.0.0.1")
    port = int(os.environ.get("WINIADMIN_PG_PORT", "5432"))
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


#: The Redis server (and database) of the Celery worker tests; the default is tests/settings.py's.
REDIS_URL = os.environ.get("WINIADMIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def redis_reachable() -> bool:
    url = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=2):
            return True
    except OSError:
        return False


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


def lint(failures: list[str]) -> int:
    banner("ruff + mypy + import-linter + translation catalogues")
    code = (
        run(["ruff", "check", "."])
        or run(["ruff", "format", "--check", "."])
        or run(["mypy"])
        # The layers and the absence of import cycles ([tool.importlinter] in pyproject.toml).
        or run(["lint-imports", "--no-cache"])
    )
    # Every shipped catalogue current with the sources, complete, compiling (tests/i18n.py).
    if shutil.which("msgfmt") is None:
        unavailable("the translation catalogue check", "GNU gettext is missing", failures)
        return code
    return code or run([sys.executable, "-m", "tests.i18n", "check"])


@dataclass
class Suite:
    """One pytest run: its name, the database it runs on and the tests it selects."""

    name: str
    database: str
    marker: str

    def env(self, redis_db: int) -> dict[str, str]:
        env = {
            "WINIADMIN_TEST_DB": self.database.removesuffix("-file"),
            # Suites that run at the same time flush and use their own Redis database.
            "WINIADMIN_TEST_REDIS_URL": redis_url(redis_db),
            "COVERAGE_FILE": str(REPORTS / f".coverage.{self.name}"),
        }
        if self.database == "sqlite-file":
            env["WINIADMIN_SQLITE_PATH"] = str(REPORTS / f"test-{self.name}.sqlite3")
        if self.name == "browser-postgres":  # beside browser-sqlite: screenshots of its own
            env["WINIADMIN_SCREENSHOTS"] = str(ROOT / "artifacts" / "screenshots-postgres")
        return env

    def command(self, extra: list[str]) -> list[str]:
        junit = REPORTS / f"junit-{self.name}.xml"
        return [
            sys.executable, "-m", "coverage", "run", "-m", "pytest", "-m", self.marker,
            f"--junitxml={junit}", *extra,
        ]  # fmt: skip


#: pytest's exit status when the selection is empty.
NO_TESTS_COLLECTED = 5


def redis_url(db: int) -> str:
    url = urlsplit(REDIS_URL)
    return url._replace(path=f"/{db % 16}").geturl()


def run_wave(wave: list[Suite], extra: list[str], tally: Tally, failures: list[str]) -> None:
    """The suites of ``wave`` at the same time (each with its own Redis database and SQLite
    file; PostgreSQL suites never share a wave), their output printed whole as each ends."""
    base_db = int(urlsplit(REDIS_URL).path.lstrip("/") or 0)
    running: list[tuple[Suite, subprocess.Popen[bytes], Path]] = []
    for offset, suite in enumerate(wave):
        (REPORTS / f"junit-{suite.name}.xml").unlink(missing_ok=True)
        log = REPORTS / f"pytest-{suite.name}.log"
        cmd = suite.command(extra)
        env = {**os.environ, **suite.env(base_db + offset)}
        if len(wave) == 1:  # alone: its output live
            banner(f"pytest on {suite.name}")
            print("$", " ".join(cmd), flush=True)
            running.append((suite, subprocess.Popen(cmd, cwd=ROOT, env=env), log))
            continue
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        running.append((suite, proc, log))
    if len(wave) > 1:
        banner(f"pytest on {' and '.join(s.name for s in wave)}, at the same time")
    for suite, proc, log in running:
        code = proc.wait()
        if len(wave) > 1:
            banner(f"pytest on {suite.name}: its output")
            print("$", " ".join(suite.command(extra)), flush=True)
            sys.stdout.write(log.read_text(errors="replace"))
            sys.stdout.flush()
        junit = REPORTS / f"junit-{suite.name}.xml"
        if junit.exists():
            tally.add_junit(junit)
        if code and not (code == NO_TESTS_COLLECTED and extra):  # -k chose none of this suite
            failures.append(suite.name)


def unavailable(what: str, why: str, failures: list[str]) -> None:
    if ON_CI:
        print(f"error: {what} cannot run on CI: {why}", file=sys.stderr)
        failures.append(what)
    else:
        print(f"\033[33mWARNING: {what} skipped: {why}\033[0m", file=sys.stderr)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="./dev test")
    parser.add_argument("--only", action="append", choices=PARTS)
    parser.add_argument(
        "--serial", action="store_true", help="one pytest run at a time (no suites side by side)"
    )
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args(argv)
    parts = args.only or list(PARTS)
    REPORTS.mkdir(exist_ok=True)
    for stale in REPORTS.glob(".coverage*"):
        stale.unlink()
    failures: list[str] = []
    tally = Tally()
    if "lint" in parts and lint(failures):
        failures.append("lint")
    pg_ok = postgres_reachable()
    browser_ok = chromium_path() is not None
    if "postgres" in parts and not pg_ok:
        unavailable("the PostgreSQL suite", "nothing listens on 127.0.0.1:5432", failures)
    if "browser" in parts and not browser_ok:
        unavailable("the browser suite", "no chromium on PATH (set CHROMIUM_PATH)", failures)
    # The worker tests run on each task engine; Celery's need Redis (they skip without it).
    if {"sqlite", "postgres", "browser"} & set(parts) and not redis_reachable():
        unavailable("the Celery worker tests", f"no Redis server at {REDIS_URL}", failures)
    # The wheel is built once, on the SQLite run. Tests that start other processes (workers,
    # servers) need an SQLite file those processes reach. A wave's suites run at the same time
    # (2 cores: the SQLite suite computes while the PostgreSQL one waits on its workers; the
    # browser suites mostly wait on the browser), unless --serial; the worker-timing suite runs
    # alone. The order and the selection are the same either way.
    waves = [
        [Suite("sqlite", "sqlite", "not browser and not processes"),
         Suite("postgres", "postgres", "not browser and not packaging")],
        [Suite("sqlite-processes", "sqlite-file", "processes and not browser")],
        [Suite("browser-sqlite", "sqlite-file", "browser"),
         Suite("browser-postgres", "postgres", "browser")],
    ]  # fmt: skip
    part_of = {"sqlite": "sqlite", "sqlite-processes": "sqlite", "postgres": "postgres"}
    for wave in waves:
        chosen = [
            suite
            for suite in wave
            if part_of.get(suite.name, "browser") in parts
            and not (suite.database == "postgres" and not pg_ok)
            and not (suite.name.startswith("browser") and not browser_ok)
        ]
        groups = [[suite] for suite in chosen] if args.serial else [chosen] if chosen else []
        for group in groups:
            run_wave(group, args.pytest_args, tally, failures)

    ran_pytest = any(p in parts for p in ("sqlite", "postgres", "browser"))
    if ran_pytest and not args.pytest_args and {"sqlite", "postgres"} <= set(parts):
        banner("branch coverage (all suites combined)")
        os.environ["COVERAGE_FILE"] = str(REPORTS / ".coverage")
        run([sys.executable, "-m", "coverage", "combine", "--keep", str(REPORTS)])
        if run([sys.executable, "-m", "coverage", "report"]):
            failures.append("coverage gate")
        run([sys.executable, "-m", "coverage", "html", "-d", str(REPORTS / "htmlcov"), "-q"])

    print()
    if failures:
        print(f"FAILED: {', '.join(failures)}")
    if ran_pytest:
        print(f"winiadmin: {tally.passed} passed, {tally.failed} failed, {tally.skipped} skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
