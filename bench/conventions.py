"""``python -m bench.conventions``: what reading a column in the file's conventions costs.

Example::

    python -m bench.conventions --rows 1000000 --repeat 7

For a column of ``--rows`` values it parses, as the clean stage does (the same function:
normalisation in the convention, then the dtype's parser), the same numbers written in the
default convention (``1234.50``) and in the German one (``1.234,50``, decimal comma and
thousands dot), and the same dates as ISO (``2026-12-31``) and as ``31.12.2026``. It prints the
median seconds of each and the ratio convention / default (the budget is 1.2), with the
machine's load average; ``--json`` writes them. With nothing declared, it times the evidence a
check gathers for a proposal (:mod:`winiadmin.cleaning.detection`) against the column's parse:
for a refused column, and for columns the default reads (what every check pays).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django  # noqa: PLC0415

    django.setup()


def _columns(rows: int) -> dict[str, Any]:
    import polars as pl  # noqa: PLC0415

    numbers = pl.int_range(0, rows, eager=True) * 7919 % 10_000_000
    whole, cents = numbers // 100, numbers % 100
    cents_text = cents.cast(pl.String).str.zfill(2)
    plain = (whole.cast(pl.String) + "." + cents_text).alias("price")
    # polars' regex has no look-ahead: group the thousands with Python once, outside the clock.
    german_whole = pl.Series([f"{w:,}".replace(",", ".") for w in whole.to_list()])
    german = (german_whole + "," + cents_text).alias("price")
    days = pl.date_range(
        pl.date(2000, 1, 1), pl.date(2000, 1, 1) + pl.duration(days=rows - 1), eager=True
    ).alias("day")
    return {
        "numbers": (plain, german),
        "dates": (days.dt.strftime("%Y-%m-%d"), days.dt.strftime("%d.%m.%Y")),
    }


def _medians(default: Any, convention: Any, repeat: int) -> tuple[float, float]:
    """Median seconds of each, the two run alternately (a busy machine's noise hits both)."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for run, spent in ((default, times[0]), (convention, times[1])):
            started = time.perf_counter()
            run()
            spent.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def _compared(
    baseline: str, base: Callable[[], object], convention: Callable[[], object], repeat: int
) -> dict[str, float]:
    """Medians of ``base`` (reported as ``baseline``) and ``convention``, and their ratio."""
    base_s, convention_s = _medians(base, convention, repeat)
    return {
        baseline: round(base_s, 4),
        "convention_s": round(convention_s, 4),
        "ratio": round(convention_s / base_s, 2),
    }


def measure(rows: int, repeat: int) -> dict[str, Any]:
    _setup()
    import polars as pl  # noqa: PLC0415

    from winiadmin.cleaning.coerce import ParseFormats  # noqa: PLC0415
    from winiadmin.cleaning.conventions import FileConventions  # noqa: PLC0415
    from winiadmin.cleaning.detection import ConventionEvidence  # noqa: PLC0415
    from winiadmin.cleaning.stage import _add_evidence, _parse_column  # noqa: PLC0415
    from winiadmin.importers.field_parsers import decimal_parser  # noqa: PLC0415

    german = FileConventions(
        decimal_separator=",", thousands_separator=".", date_formats=("%d.%m.%Y",)
    )
    comma = FileConventions(decimal_separator=",")
    columns = _columns(rows)
    plain_numbers, german_numbers = columns["numbers"]
    comma_numbers = plain_numbers.str.replace(".", ",", literal=True)
    plain_dates, german_dates = columns["dates"]
    formats = ParseFormats()
    decimal = decimal_parser(12, 2)
    cases = {
        "float 1.234,50": (pl.Float64(), None, plain_numbers, german_numbers, german),
        "float 1234,50": (pl.Float64(), None, plain_numbers, comma_numbers, comma),
        "decimal 1.234,50 (ModelImporter)": (
            pl.Decimal(12, 2),
            decimal,
            plain_numbers,
            german_numbers,
            german,
        ),
        "date 31.12.2026": (pl.Date(), None, plain_dates, german_dates, german),
    }
    figures: dict[str, Any] = {"rows": rows, "repeat": repeat}
    for label, (dtype, parser, plain, written, conventions) in cases.items():
        check = _parse_column(written, dtype, formats, parser, conventions)
        assert not check.failed.any(), label
        figures[label] = _compared(
            "default_s",
            partial(_parse_column, plain, dtype, formats, parser, None),
            partial(_parse_column, written, dtype, formats, parser, conventions),
            repeat,
        )
    # The same features in another country's convention: ``1,234.50`` (thousands comma declared)
    # against ``1.234,50``. What the convention itself costs, apart from the separators' work.
    english = FileConventions(thousands_separator=",")
    english_numbers = german_numbers.str.replace_all(".", "#", literal=True).str.replace_all(
        ",", ".", literal=True
    )
    english_numbers = english_numbers.str.replace_all("#", ",", literal=True)
    for label, dtype, parser in (
        ("float 1.234,50 against 1,234.50", pl.Float64(), None),
        ("decimal 1.234,50 against 1,234.50", pl.Decimal(12, 2), decimal),
    ):
        figures[label] = _compared(
            "english_s",
            partial(_parse_column, english_numbers, dtype, formats, parser, english),
            partial(_parse_column, german_numbers, dtype, formats, parser, german),
            repeat,
        )

    # Nothing declared: what examining a column for a proposal costs, once per batch of the
    # check — a refused column (every candidate tried on every cell), and a column the default
    # reads (every check pays it: the candidates tried on one cell of each shape or date).
    def examine(frame: pl.DataFrame, dtype: pl.DataType, failed: pl.Series) -> None:
        """The evidence of one batch and the decision (the parse that found ``failed`` is the
        clean stage's own: not counted)."""
        name = frame.columns[0]
        evidence = ConventionEvidence()
        failures = {name: failed} if failed.any() else {}
        readers: tuple[ParseFormats, dict[str, Any], None] = (formats, {}, None)
        _add_evidence(frame, {name: dtype}, readers, failures, (evidence, {name: name}))
        evidence.proposals()

    examined = {
        "proposal for a refused float column": (german_numbers, pl.Float64()),
        "evidence of a float column read by default": (plain_numbers, pl.Float64()),
        "evidence of a date column read by default": (plain_dates, pl.Date()),
    }
    for label, (column, dtype) in examined.items():
        failed = _parse_column(column, dtype, formats, None, None).failed
        parse_s, propose_s = _medians(
            partial(_parse_column, column, dtype, formats, None, None),
            partial(examine, pl.DataFrame({column.name: column}), dtype, failed),
            repeat,
        )
        figures[label] = {
            "parse_s": round(parse_s, 4),
            "propose_s": round(propose_s, 4),
            "ratio": round(propose_s / parse_s, 2),
        }
    figures["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = measure(args.rows, args.repeat)
    for label, value in figures.items():
        print(f"{label}: {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
