"""The benchmark harness runs end to end on a tiny file (SQLite; import-export not installed)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.packaging

CONTENDERS = ("raw_limit", "bulk_create", "bulk_create_careful", "winiadmin", "winiadmin_dry_run")


def test_bench_run_measures_every_contender(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BENCH_"))}
    done = subprocess.run(  # noqa: PLW1510 - asserted with the output
        [
            sys.executable,
            "-m",
            "bench.run",
            "--rows",
            "200",
            "--db",
            "sqlite",
            "--repeat",
            "1",
            "--contenders",
            ",".join(CONTENDERS),
            "--data-dir",
            str(tmp_path / "data"),
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    results = report["results"]
    assert [r["contender"] for r in results] == list(CONTENDERS)
    for result in results:
        assert result["status"] == "ok", result
        assert result["db"] == "sqlite"
        assert result["rows"] == 200
        assert len(result["seconds"]) == 1
        assert result["median_seconds"] > 0
        assert result["peak_rss_mb"][0] > 0
    assert report["machine"]["cpu_count"] >= 1
    assert "raw_limit" in done.stdout


def test_bench_preview_measures_the_first_page_and_the_page_latency(tmp_path: Path) -> None:
    out = tmp_path / "preview.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BENCH_"))}
    args = ["--rows", "300", "--db", "sqlite", "--repeat", "1", "--json", str(out)]
    done = subprocess.run(  # noqa: PLW1510 - asserted with the output
        [sys.executable, "-m", "bench.preview", *args, "--data-dir", str(tmp_path / "data")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [result] = json.loads(out.read_text())
    assert (result["db"], result["rows"], result["ok"]) == ("sqlite", 300, 1)
    [rep] = result["repetitions"]
    assert rep["job_status"] == "validated" and rep["rows_in_preview"] == 300
    assert 0 < rep["first_page_s"] <= rep["dry_run_s"]
    assert rep["page_ms"] > 0
    assert "first page" in done.stdout


def test_bench_conventions_measures_each_column_kind(tmp_path: Path) -> None:
    out = tmp_path / "conventions.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.conventions",
            "--rows",
            "2000",
            "--repeat",
            "1",
            "--json",
            str(out),
        ],
        check=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BENCH_"))},
        timeout=300,
    )
    figures = json.loads(out.read_text())
    assert figures["rows"] == 2000
    assert {"float 1.234,50", "date 31.12.2026"} <= set(figures)
    assert figures["date 31.12.2026"]["ratio"] > 0
