"""``./dev test``: lint, types, the suite on SQLite and PostgreSQL, the browser tests, coverage.

Usage: ``./dev test [--only lint|sqlite|postgres|browser ...] [-- PYTEST ARGS]``.
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


def pytest_suite(
    name: str, env: dict[str, str], marker: str, extra: list[str], tally: Tally
) -> int:
    banner(f"pytest on {name}")
    junit = REPORTS / f"junit-{name}.xml"
    junit.unlink(missing_ok=True)
    code = run(
        [
            sys.executable,
            "-m",
            "coverage",
            "run",
            "-m",
            "pytest",
            "-m",
            marker,
            f"--junitxml={junit}",
            *extra,
        ],
        env={**env, "COVERAGE_FILE": str(REPORTS / f".coverage.{name}")},
    )
    if junit.exists():
        tally.add_junit(junit)
    return code


def unavailable(what: str, why: str, failures: list[str]) -> None:
    if ON_CI:
        print(f"error: {what} cannot run on CI: {why}", file=sys.stderr)
        failures.append(what)
    else:
        print(f"\033[33mWARNING: {what} skipped: {why}\033[0m", file=sys.stderr)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="./dev test")
    parser.add_argument("--only", action="append", choices=PARTS)
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
    # (part, suite name, database, marker): the wheel is built once, on the SQLite run. Tests
    # that start other processes (workers, servers) need an SQLite file those processes reach.
    suites = [
        ("sqlite", "sqlite", "sqlite", "not browser and not processes"),
        ("sqlite", "sqlite-processes", "sqlite-file", "processes and not browser"),
        ("postgres", "postgres", "postgres", "not browser and not packaging"),
        ("browser", "browser-sqlite", "sqlite-file", "browser"),
        ("browser", "browser-postgres", "postgres", "browser"),
    ]
    for part, name, database, marker in suites:
        if part not in parts or (database == "postgres" and not pg_ok):
            continue
        if part == "browser" and not browser_ok:
            continue
        env = {"WINIADMIN_TEST_DB": database.removesuffix("-file")}
        if database == "sqlite-file":
            env["WINIADMIN_SQLITE_PATH"] = str(REPORTS / f"test-{name}.sqlite3")
        if pytest_suite(name, env, marker, args.pytest_args, tally):
            failures.append(name)

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
