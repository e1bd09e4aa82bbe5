"""Find the file rows behind a value, for problems found after cleaning (transform, load)."""

import operator
from collections.abc import Sequence
from functools import reduce

import polars as pl


def rows_with_values(
    frame: pl.DataFrame, rows: pl.Series, columns: Sequence[str], values: Sequence[object]
) -> list[int]:
    """File rows whose ``columns`` hold ``values`` (compared as text); [] if a column is absent."""
    if not columns or not all(c in frame.columns for c in columns):
        return []
    match = reduce(
        operator.and_,
        (pl.col(c).cast(pl.String) == str(v) for c, v in zip(columns, values, strict=True)),
    )
    hits = frame.select(*columns).with_columns(rows.alias("__row__")).filter(match)
    return [int(r) for r in hits.get_column("__row__")]
