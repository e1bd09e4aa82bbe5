"""``python -m bench.export`` (or ``./dev bench-export``): exports of the catalogue, 3 models
joined (products with their category's and store's names), against django-import-export's
export and the database's raw limit.

Example::

    ./dev bench-export --rows 100000,1000000 --db sqlite,postgres --formats csv,xlsx --repeat 3

For each database and size it loads the catalogue CSV of :mod:`bench.data` once (the frame-native
import, untimed), then runs each repetition of each contender in a fresh process (``--one``),
which writes the file and reports its wall time and peak RSS (``getrusage``; ``Δ MB`` over the
process's baseline taken right before the clock starts). The file is checked: as many rows as
the table (CSV: lines; XLSX: the sheet's rows; Parquet, JSON, NDJSON: read back).

Contenders:

* ``raw_limit`` (CSV only): PostgreSQL ``COPY (SELECT … JOIN …) TO STDOUT (FORMAT csv, HEADER)``
  written as it comes; SQLite: the same SELECT through a plain ``sqlite3`` cursor into
  ``csv.writer``. No ORM, no formula guard: the floor.
* ``winiadmin``: ``export_queryset(Product.objects.order_by("pk"), export_columns(
  CatalogueImporter), …)``, the admin's and the command's export: rows read in chunks of 20,000
  (a server-side cursor on PostgreSQL), cells as the importer reads them back, each chunk written
  as it comes.
* ``import_export``: django-import-export 4.4's ``ModelResource.export()`` in its fastest
  configuration for this job: the FK names as ``category__name``/``store__name`` fields over a
  ``select_related("category", "store")`` queryset (one query, no query per row), ``chunk_size``
  20,000 (``QuerySet.iterator``); then ``Dataset.csv`` / ``Dataset.xlsx`` (openpyxl, installed
  by the bench group's ``django-import-export[xlsx]``; ``unavailable`` without it).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bench import data
from bench.run import RESULTS, run_child, scratch_database

FORMATS = ("csv", "xlsx", "json", "ndjson", "parquet")
CONTENDERS = ("raw_limit", "winiadmin", "import_export")
CHUNK = 20_000
SQL = (
    "SELECT p.sku, p.name, p.price, p.quantity, c.name, s.name, p.available_from "
    "FROM shop_product p LEFT JOIN shop_category c ON c.id = p.category_id "
    "LEFT JOIN shop_store s ON s.id = p.store_id ORDER BY p.id"
)
HEADER = ["sku", "name", "price", "quantity", "category", "store", "available_from"]


def load(csv_path: Path) -> dict[str, Any]:
    """Empty the tables and import the catalogue once (untimed)."""
    from shop.importers import CatalogueImporter  # noqa: PLC0415

    from bench.measure import reset_database  # noqa: PLC0415

    reset_database()
    # The 10M-row table is over the safe default MAX_CELLS (50M): raised for the load only.
    from django.conf import settings  # noqa: PLC0415
    from django.test import override_settings  # noqa: PLC0415

    with override_settings(WINIADMIN={**settings.WINIADMIN, "MAX_CELLS": 10**10}):
        result = CatalogueImporter().run(csv_path)
    if not result.committed:
        return {"status": "failed", "error": result.error}
    return {"status": "ok", "rows": result.total_created}


def raw_limit(out: Path, fmt: str) -> None:
    from django.db import connection  # noqa: PLC0415

    if fmt != "csv":
        raise NotImplementedError
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor, out.open("wb") as f:
            copy_sql = f"COPY ({SQL}) TO STDOUT (FORMAT csv, HEADER)"
            with cursor.copy(copy_sql) as copy:
                for block in copy:
                    f.write(block)
        return
    cursor = raw.cursor()
    cursor.arraysize = CHUNK
    cursor.execute(SQL)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        while rows := cursor.fetchmany(CHUNK):
            writer.writerows(rows)


def winiadmin(out: Path, fmt: str) -> None:
    from shop.importers import CatalogueImporter  # noqa: PLC0415
    from shop.models import Product  # noqa: PLC0415

    from winiadmin.exports import ExportOptions, export_columns, export_queryset  # noqa: PLC0415

    columns = export_columns(CatalogueImporter)
    export_queryset(Product.objects.order_by("pk"), columns, out, ExportOptions(fmt, CHUNK))


def import_export(out: Path, fmt: str) -> None:
    from import_export import fields, resources  # noqa: PLC0415
    from shop.models import Product  # noqa: PLC0415

    class ProductResource(resources.ModelResource):  # type: ignore[misc]
        category = fields.Field(attribute="category__name", column_name="category")
        store = fields.Field(attribute="store__name", column_name="store")

        class Meta:
            model = Product
            fields = ("sku", "name", "price", "quantity", "category", "store", "available_from")
            export_order = fields
            chunk_size = CHUNK

    rows = Product.objects.select_related("category", "store").order_by("pk")
    dataset = ProductResource().export(rows)
    if fmt == "csv":
        out.write_text(dataset.csv, encoding="utf-8")
    elif fmt == "xlsx":
        out.write_bytes(dataset.xlsx)
    else:
        raise NotImplementedError


RUNS = {"raw_limit": raw_limit, "winiadmin": winiadmin, "import_export": import_export}


def count_rows(out: Path, fmt: str) -> int:
    import polars as pl  # noqa: PLC0415

    if fmt == "csv":
        return pl.scan_csv(out, infer_schema=False).select(pl.len()).collect().item()
    if fmt == "xlsx":
        import fastexcel  # noqa: PLC0415

        return fastexcel.read_excel(out.read_bytes()).load_sheet(0, n_rows=0).total_height
    if fmt == "parquet":
        return pl.scan_parquet(out).select(pl.len()).collect().item()
    if fmt == "ndjson":
        return pl.scan_ndjson(out).select(pl.len()).collect().item()
    return pl.read_json(out).height


def measure_one(contender: str, fmt: str, out: Path) -> dict[str, Any]:
    from django.db import connection  # noqa: PLC0415
    from shop.models import Product  # noqa: PLC0415

    from bench.measure import rss_mb  # noqa: PLC0415

    run = RUNS[contender]
    if contender == "import_export":
        try:
            import import_export  # noqa: F401, PLC0415

            if fmt == "xlsx":
                import openpyxl  # noqa: F401, PLC0415
        except ImportError as exc:
            return {"status": "unavailable", "error": str(exc)}
    if contender == "raw_limit" and fmt != "csv":
        return {"status": "unavailable", "error": "CSV only"}
    expected = Product.objects.count()
    connection.ensure_connection()
    baseline = rss_mb()
    started = time.perf_counter()
    try:
        run(out, fmt)
    except NotImplementedError:
        return {"status": "unavailable", "error": f"no {fmt}"}
    except Exception as exc:  # reported, not raised
        traceback.print_exc(file=sys.stderr)
        return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:500]}
    seconds = time.perf_counter() - started
    peak = rss_mb()
    got = count_rows(out, fmt)
    size = out.stat().st_size
    out.unlink()
    if got != expected:
        return {"status": "failed", "error": f"{got} rows written, {expected} expected"}
    return {
        "status": "ok",
        "seconds": seconds,
        "peak_rss_mb": round(peak, 1),
        "baseline_rss_mb": round(baseline, 1),
        "bytes": size,
    }


def summary(reps: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in reps if r.get("status") == "ok"]
    if not ok:
        first = reps[0] if reps else {}
        return {"status": first.get("status", "failed"), "error": first.get("error", "")}
    seconds = statistics.median(r["seconds"] for r in ok)
    peak = statistics.median(r["peak_rss_mb"] for r in ok)
    growth = statistics.median(r["peak_rss_mb"] - r["baseline_rss_mb"] for r in ok)
    return {"status": "ok", "seconds": seconds, "peak_rss_mb": peak, "growth_mb": growth,
            "bytes": ok[0]["bytes"], "ok": len(ok)}  # fmt: skip


def run_db(db: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    with scratch_database(db, "export") as env:
        setup = run_child(["-m", "bench.measure", "--setup"], env)
        if setup.get("status") != "ok":
            return [{"db": db, "status": "failed", "error": f"setup: {setup}"}]
        for rows in args.rows:
            dataset = data.generate(rows, args.data_dir)
            loaded = run_child(["-m", "bench.export", "--load", str(dataset.path)], env)
            if loaded.get("status") != "ok":
                results.append({"db": db, "rows": rows, "status": "failed", "error": loaded})
                continue
            for fmt in args.formats:
                results += _contenders(db, rows, fmt, args, env)
    return results


def _contenders(
    db: str, rows: int, fmt: str, args: argparse.Namespace, env: dict[str, str]
) -> list[dict[str, Any]]:
    """The repetitions round-robin (run 1 of every contender, then run 2…), so that a slow
    minute of a busy machine does not fall on one contender only."""
    out = Path(env["BENCH_SQLITE_PATH"]).with_name(f"export.{fmt}")
    timed = [c for c in args.contenders if c != "import_export" or rows <= args.ie_max_rows]
    reps: dict[str, list[dict[str, Any]]] = {c: [] for c in timed}
    for _ in range(args.repeat):
        for contender in timed:
            reps[contender].append(
                run_child(["-m", "bench.export", "--one", contender, fmt, str(out)], env)
            )
    results = []
    for contender in args.contenders:
        outcome = summary(reps[contender]) if contender in reps else {"status": "skipped"}
        results.append(_row(db, rows, fmt, contender, outcome))
        _print(results[-1])
    return results


def _row(db: str, rows: int, fmt: str, contender: str, s: dict[str, Any]) -> dict[str, Any]:
    return {"db": db, "rows": rows, "format": fmt, "contender": contender, **s}


def _print(r: dict[str, Any]) -> None:
    if r["status"] != "ok":
        print(f"{r['db']:<9} {r['rows']:>9,} {r['format']:<8} {r['contender']:<14} "
              f"{r['status']} {r.get('error', '')}", flush=True)  # fmt: skip
        return
    print(
        f"{r['db']:<9} {r['rows']:>9,} {r['format']:<8} {r['contender']:<14} "
        f"{r['seconds']:8.2f} s  {r['rows'] / r['seconds']:>10,.0f} rows/s  "
        f"peak {r['peak_rss_mb']:7.1f} MB  Δ {r['growth_mb']:7.1f} MB  {r['bytes']:>12,} B",
        flush=True,
    )


def table(results: list[dict[str, Any]]) -> str:
    """Markdown: one row per database, size, format and contender, with the ratios."""
    lines = [
        "| db | rows | format | contender | median s | rows/s | peak RSS MB | Δ MB | t/raw "
        "| ie/t |",
        "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    by_key = {(r["db"], r["rows"], r.get("format"), r.get("contender")): r for r in results}
    for r in results:
        if "contender" not in r:
            continue
        raw = by_key.get((r["db"], r["rows"], "csv", "raw_limit"), {})
        ie = by_key.get((r["db"], r["rows"], r["format"], "import_export"), {})
        if r["status"] != "ok":
            lines.append(f"| {r['db']} | {r['rows']:,} | {r['format']} | {r['contender']} | "
                         f"{r['status']} | | | | | |")  # fmt: skip
            continue
        t = r["seconds"]
        t_raw = f"{t / raw['seconds']:.2f}" if raw.get("status") == "ok" else ""
        ie_t = f"{ie['seconds'] / t:.1f}" if ie.get("status") == "ok" else ""
        lines.append(
            f"| {r['db']} | {r['rows']:,} | {r['format']} | {r['contender']} | {t:.2f} | "
            f"{r['rows'] / t:,.0f} | {r['peak_rss_mb']:.0f} | {r['growth_mb']:.0f} | {t_raw} | "
            f"{ie_t} |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.export", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="100000", help="sizes, comma separated")
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--formats", default="csv,xlsx", help=",".join(FORMATS))
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ie-max-rows", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, default=RESULTS / "data")
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)  # (internal)
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)  # contender fmt out (internal)
    args = parser.parse_args(argv)
    args.rows = [int(n) for n in str(args.rows).split(",")]
    args.formats = args.formats.split(",")
    args.contenders = args.contenders.split(",")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.load is not None or args.one is not None:
        import django  # noqa: PLC0415

        django.setup()
        if args.load is not None:
            outcome = load(args.load)
        else:
            contender, fmt, out = args.one
            outcome = measure_one(contender, fmt, Path(out))
        print(json.dumps(outcome), flush=True)
        return 0
    results: list[dict[str, Any]] = []
    for db in args.db.split(","):
        results += run_db(db, args)
    print(table(results))
    out = args.json or RESULTS / f"export-{'-'.join(map(str, args.rows))}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0 if all(r["status"] in {"ok", "skipped", "unavailable"} for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
