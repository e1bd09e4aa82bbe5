import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from tests.readers.conftest import WriteFile
from winiadmin.exceptions import FileReadError
from winiadmin.readers import read_table


def test_parquet_keeps_its_dtypes(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "sku": ["007", None],
            "qty": [12, 3],
            "price": [12.5, 0.1],
            "day": [dt.date(2024, 1, 31)] * 2,
        }
    )
    # The extension says CSV: the PAR1 magic wins.
    frame.write_parquet(tmp_path / "data.csv")
    table = read_table(tmp_path / "data.csv")
    assert table.format == "parquet"
    assert table.frame.equals(frame)
    assert table.frame.schema == frame.schema
    assert table.row_numbers.to_list() == [2, 3]
    assert table.encoding is None


def test_damaged_parquet(write_file: WriteFile) -> None:
    with pytest.raises(FileReadError, match="Parquet file could not be read") as info:
        read_table(write_file("bad.parquet", b"PAR1" + b"\x01" * 100))
    assert info.value.__cause__ is not None
