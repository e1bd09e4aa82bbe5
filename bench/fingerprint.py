"""``python -m bench.fingerprint``: what the undo fingerprint costs next to the import it follows.

Example::

    .venv/bin/python -m bench.fingerprint --rows 100000 --db sqlite,postgres --repeat 3

For each database: generate the catalogue CSV (:mod:`bench.data`, cached), migrate once, then in
one process per database, ``--repeat`` times: empty the tables, import the CSV with the demo's
frame-native ``shop.catalogue`` importer collecting the created keys (as a job's real run does),
then time :func:`~winiadmin.jobs.fingerprint.fingerprint_created` on those keys with the current
algorithm and with the first one (``python-repr``), alternately, in the same process. Prints the
medians and the fingerprint's share of the import; ``BENCH_PG_NAME`` picks the PostgreSQL
database (default ``winiadmin_bench_fingerprint``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench import data
from bench.run import RESULTS, run_child, scratch_database


def measure(csv_path: Path, repeat: int) -> dict[str, Any]:
    from django.apps import apps  # noqa: PLC0415
    from shop.importers import CatalogueImporter  # noqa: PLC0415

    from bench.measure import reset_database  # noqa: PLC0415
    from winiadmin.jobs.fingerprint import fingerprint, fingerprint_created  # noqa: PLC0415
    from winiadmin.jobs.keys import python_keys  # noqa: PLC0415

    reps = []
    for _ in range(repeat):
        reset_database()
        started = time.perf_counter()
        result = CatalogueImporter().run(csv_path, collect_pks=True)
        imported = time.perf_counter() - started
        keys = {label: [str(pk) for pk in pks] for label, pks in result.created_pks.items()}
        started = time.perf_counter()
        prints = fingerprint_created(keys)
        current = time.perf_counter() - started
        started = time.perf_counter()
        for label, strings in keys.items():
            model = apps.get_model(label)
            fingerprint(model, python_keys(model, strings), algorithm="python-repr")
        legacy = time.perf_counter() - started
        reps.append(
            {
                "import_s": imported,
                "fingerprint_s": current,
                "legacy_fingerprint_s": legacy,
                "counts": {label: fp["count"] for label, fp in prints.items()},
                "algorithm": next(iter(prints.values()))["algorithm"],
            }
        )
    out: dict[str, Any] = {"status": "ok", "repetitions": reps}
    for key in ("import_s", "fingerprint_s", "legacy_fingerprint_s"):
        out[key] = statistics.median(rep[key] for rep in reps)
    return out


def run_db(db: str, csv_path: Path, repeat: int) -> dict[str, Any]:
    with scratch_database(db, "fingerprint") as env:
        setup = run_child(["-m", "bench.measure", "--setup"], env)
        if setup.get("status") != "ok":
            return {"status": "failed", "error": f"setup: {setup}"}
        args = ["-m", "bench.fingerprint", "--one", str(csv_path), "--repeat", str(repeat)]
        return run_child(args, env)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.fingerprint", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=RESULTS / "data")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # one database (internal)
    args = parser.parse_args(argv)
    if args.one is not None:
        import django  # noqa: PLC0415

        django.setup()
        print(json.dumps(measure(args.one, args.repeat)), flush=True)
        return 0
    dataset = data.generate(args.rows, args.data_dir)
    failed = False
    for db in args.db.split(","):
        out = run_db(db, dataset.path, args.repeat)
        if out.get("status") != "ok":
            print(f"{db}: {out}", file=sys.stderr)
            failed = True
            continue
        share = out["fingerprint_s"] / out["import_s"]
        print(
            f"{db:<9} {args.rows:>9} rows  import {out['import_s']:.2f} s  "
            f"fingerprint {out['fingerprint_s']:.3f} s ({share:.1%}, "
            f"{out['repetitions'][0]['algorithm']})  "
            f"python-repr {out['legacy_fingerprint_s']:.3f} s  (medians of {args.repeat})",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
