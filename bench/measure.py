"""One repetition of one contender, in a fresh process: reset, time, peak RSS, verify.

``python -m bench.measure --contender NAME --csv PATH`` (``BENCH_DB`` etc. in the environment,
see :mod:`bench.settings`) prints one line of JSON: ``{"status": "ok", "seconds": …}`` or
``{"status": "failed", "error": …}``. ``--setup`` creates the schema instead (``migrate``).

Before the clock starts (untimed): Django is set up, the contender's modules are imported, the
tables are emptied (SQLite: a fresh copy of the migrated template file; PostgreSQL: TRUNCATE …
RESTART IDENTITY, then CHECKPOINT) and the connection is open. The clock covers the contender's
``run`` only. Peak RSS is ``getrusage(RUSAGE_SELF).ru_maxrss`` of this process at the end, so it
includes the interpreter, Django and polars (see ``baseline_rss_mb``, taken before the run).
Afterwards the rows in the database are compared with the file: counts, the sums of quantity and
price, no missing FK, and a sample of rows field by field. A mismatch is a failure, not a time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
import traceback
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import django

from bench import data

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def template_path(db_path: str) -> Path:
    return Path(db_path).with_suffix(".template.sqlite3")


def setup_schema() -> None:
    """Migrate an empty database (SQLite: into the template file that every run copies)."""
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        template = template_path(db["NAME"])
        template.parent.mkdir(parents=True, exist_ok=True)
        for stale in _sqlite_files(template):
            stale.unlink(missing_ok=True)
        db["NAME"] = str(template)
    call_command("migrate", verbosity=0, interactive=False)


def _sqlite_files(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))]


def reset_database() -> None:
    from django.conf import settings  # noqa: PLC0415
    from django.db import DatabaseError, connection  # noqa: PLC0415
    from shop.models import Category, Product, Store  # noqa: PLC0415

    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        connection.close()
        target = Path(db["NAME"])
        for stale in _sqlite_files(target):
            stale.unlink(missing_ok=True)
        shutil.copyfile(template_path(db["NAME"]), target)
    else:
        tables = ", ".join(m._meta.db_table for m in (Product, Category, Store))
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        try:  # flush earlier runs' dirty pages before the clock (needs pg_checkpoint)
            with connection.cursor() as cursor:
                cursor.execute("CHECKPOINT")
        except DatabaseError:
            print("bench: CHECKPOINT refused; timings may include earlier writes", file=sys.stderr)
    connection.ensure_connection()


def verify(dataset: data.Dataset, *, writes: bool) -> str | None:
    """What is wrong with the database after the run, or None."""
    from django.db.models import Count, Q, Sum  # noqa: PLC0415
    from shop.models import Category, Product, Store  # noqa: PLC0415

    counts = {
        "categories": Category.objects.count(),
        "stores": Store.objects.count(),
        "products": Product.objects.count(),
    }
    if not writes:
        return None if not any(counts.values()) else f"a dry run wrote rows: {counts}"
    expected = {
        "categories": len(dataset.categories),
        "stores": len(dataset.stores),
        "products": dataset.rows,
    }
    if counts != expected:
        return f"row counts {counts}, expected {expected}"
    names = {
        "categories": set(Category.objects.values_list("name", flat=True)),
        "stores": set(Store.objects.values_list("name", flat=True)),
    }
    if names != {"categories": set(dataset.categories), "stores": set(dataset.stores)}:
        return "the category or store names differ from the file's"
    totals = Product.objects.aggregate(
        quantity=Sum("quantity"),
        price=Sum("price"),
        no_fk=Count("pk", filter=Q(category__isnull=True) | Q(store__isnull=True)),
    )
    if totals["quantity"] != dataset.quantity_sum or totals["no_fk"]:
        return f"totals {totals}, expected quantity {dataset.quantity_sum} and no missing FK"
    # SQLite sums REAL values: compare to the cent.
    if abs(Decimal(totals["price"]) - Decimal(dataset.price_sum)) > Decimal("0.01"):
        return f"sum of prices {totals['price']}, expected {dataset.price_sum}"
    return _verify_sample(dataset)


def _verify_sample(dataset: data.Dataset) -> str | None:
    from shop.models import Product  # noqa: PLC0415

    wanted = {row["sku"]: row for row in dataset.sample}
    found = {
        p["sku"]: p
        for p in Product.objects.filter(sku__in=wanted).values(
            "sku", "name", "price", "quantity", "category__name", "store__name", "available_from"
        )
    }
    for sku, row in wanted.items():
        got = found.get(sku)
        expected = {
            "sku": sku,
            "name": row["name"],
            "price": Decimal(row["price"]),
            "quantity": int(row["quantity"]),
            "category__name": row["category"],
            "store__name": row["store"],
            "available_from": date.fromisoformat(row["available_from"]),
        }
        if got != expected:
            return f"row {sku}: {got}, expected {expected}"
    return None


def rss_mb() -> float:
    # Linux reports kilobytes (macOS bytes; not a target here).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, csv_path: Path) -> dict[str, Any]:
    from bench.contenders import CONTENDERS, prepare  # noqa: PLC0415

    contender = CONTENDERS[name]
    dataset = data.load(csv_path)
    try:
        prepare(contender)
    except ImportError as exc:
        return {"status": "unavailable", "error": f"{exc} (install the bench group)"}
    reset_database()
    baseline = rss_mb()
    started = time.perf_counter()
    try:
        contender.run(csv_path, dataset.rows)
    except Exception as exc:  # reported, not raised
        traceback.print_exc(file=sys.stderr)
        return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:500]}
    seconds = time.perf_counter() - started
    peak = rss_mb()
    problem = verify(dataset, writes=contender.writes)
    if problem:
        return {"status": "failed", "error": problem[:500], "seconds_unchecked": seconds}
    return {
        "status": "ok",
        "seconds": seconds,
        "peak_rss_mb": round(peak, 1),
        "baseline_rss_mb": round(baseline, 1),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.measure")
    parser.add_argument("--setup", action="store_true", help="migrate an empty database")
    parser.add_argument("--contender")
    parser.add_argument("--csv", type=Path)
    args = parser.parse_args(argv)
    django.setup()
    if args.setup:
        setup_schema()
        print(json.dumps({"status": "ok"}))
        return 0
    if not args.contender or not args.csv:
        parser.error("--contender and --csv are needed")
    outcome = measure(args.contender, args.csv)
    print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
