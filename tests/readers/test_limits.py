"""The size limits refuse a file with a message saying which limit and by how much."""

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from django.test import override_settings

from winiadmin.exceptions import FileReadError
from winiadmin.readers import ReadOptions, read_table
from winiadmin.readers.limits import RATIO_FLOOR, ReadLimits

DEFAULTS = ReadLimits.from_settings()


def options(**limits: int) -> ReadOptions:
    return ReadOptions(limits=replace(DEFAULTS, **limits))


def workbook(rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    book.close()
    return buffer.getvalue()


def parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def test_the_defaults_are_safe_and_come_from_the_settings() -> None:
    assert (
        ReadLimits(
            file_size=100 * 1024 * 1024,
            rows=5_000_000,
            columns=16_384,
            cell_length=1_000_000,
            decompressed_size=500 * 1024 * 1024,
            compression_ratio=200,
            cells=50_000_000,
        )
        == DEFAULTS
    )
    with override_settings(WINIADMIN={"MAX_ROWS": 2}), pytest.raises(FileReadError) as info:
        read_table(b"a\n1\n2\n3\n")
    assert str(info.value) == "The table has more than 2 rows; split it into smaller files."


@pytest.mark.parametrize("kind", ["bytes", "path", "file"])
def test_file_size_is_refused_before_reading(kind: str, tmp_path: Path) -> None:
    data = b"a,b\n" + b"1,2\n" * 300
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    source = {"bytes": data, "path": path, "file": io.BytesIO(data)}[kind]
    with pytest.raises(FileReadError, match=r"The file is 1\.2.KB; the largest accepted is 1000"):
        read_table(source, options(file_size=1000))  # type: ignore[arg-type]
    assert read_table(source, options(file_size=len(data))).frame.height == 300  # type: ignore[arg-type]


class _Unseekable(io.RawIOBase):
    """A pipe-like stream that cannot say how long it is."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self.data.read(size)


def test_a_stream_that_cannot_seek_is_read_one_byte_past_the_limit_only() -> None:
    stream = _Unseekable(b"a\n" + b"1\n" * 1000)
    with pytest.raises(FileReadError, match="the largest accepted is 100"):
        read_table(stream, options(file_size=100))  # type: ignore[arg-type]
    assert stream.data.tell() == 101


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"a,b,c\n1,2,3\n", "csv"),
        (b"a\tb\tc\n1\t2\t3\n", "tsv"),
        (json.dumps([{"a": 1, "b": 2, "c": 3}]).encode(), "json"),
        (b'{"a": 1, "b": 2, "c": 3}\n{"a": 1}\n', "ndjson"),
        (workbook([["a", "b", "c"], [1, 2, 3]]), "excel"),
        (parquet(pl.DataFrame({"a": [1], "b": [2], "c": [3]})), "parquet"),
    ],
)
def test_columns_and_rows_are_limited_in_every_format(data: bytes, fmt: str) -> None:
    with pytest.raises(FileReadError) as info:
        read_table(data, options(columns=2))
    assert str(info.value) == "The table has 3 columns; the most accepted is 2."
    assert read_table(data, options(columns=3)).format == fmt
    many = {
        "csv": b"a\n" + b"1\n" * 5,
        "tsv": b"a\tb\n" + b"1\t2\n" * 5,
        "json": json.dumps([{"a": 1}] * 5).encode(),
        "ndjson": b'{"a": 1}\n' * 5,
        "excel": workbook([["a"], *[[1]] * 5]),
        "parquet": parquet(pl.DataFrame({"a": [1] * 5})),
    }[fmt]
    with pytest.raises(FileReadError, match="more than 4 rows"):
        read_table(many, options(rows=4))
    assert read_table(many, options(rows=5)).frame.height == 5


def test_the_header_is_counted_before_the_rows_are_parsed() -> None:
    # A 20 000-column header over rows that polars would choke on: the columns are refused first.
    data = (",".join(f"c{i}" for i in range(20_000)) + "\n").encode() + b'"unclosed\n' * 3
    message = "The table has 20000 columns; the most accepted is 16384"
    with pytest.raises(FileReadError, match=message):
        read_table(data)


def test_a_wide_table_is_read_when_its_cells_fit() -> None:
    """An ERP export of 1 000 columns is a shape, not a cost: it is read."""
    header = ",".join(f"c{i}" for i in range(1000))
    data = (header + "\n" + ",".join(str(i) for i in range(1000)) + "\n").encode()
    table = read_table(data)
    assert table.frame.width == 1000
    assert table.frame.row(0)[999] == "999"


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"a,b,c\n" + b"1,2,3\n" * 4, "csv"),
        (json.dumps([{"a": 1, "b": 2, "c": 3}] * 4).encode(), "json"),
        (workbook([["a", "b", "c"], *[[1, 2, 3]] * 4]), "excel"),
        (parquet(pl.DataFrame({"a": [1] * 4, "b": [2] * 4, "c": [3] * 4})), "parquet"),
    ],
)
def test_cells_are_limited_in_every_format(data: bytes, fmt: str) -> None:
    with pytest.raises(FileReadError) as info:
        read_table(data, options(cells=11))
    assert str(info.value).startswith("The table has ")
    assert "more than 11 cells; split it into smaller files, or leave out the columns" in str(
        info.value
    )
    assert read_table(data, options(cells=12)).format == fmt


def test_a_csv_is_parsed_no_further_than_the_cell_budget() -> None:
    data = b"a,b\n" + b"1,2\n" * 1000
    with pytest.raises(FileReadError, match="The table has 6 rows of 2 columns, more than 10"):
        read_table(data, options(cells=10))


def test_a_long_cell_names_its_row_and_column() -> None:
    data = b"sku,note\nA,short\nB," + b"x" * 101 + b"\n"
    with pytest.raises(FileReadError) as info:
        read_table(data, options(cell_length=100))
    assert str(info.value) == (
        "Row 3, column 'note': the value is 101 characters long; the longest accepted is 100."
    )
    assert read_table(data, options(cell_length=101)).frame.height == 2


def bomb(unpacked: int, *, chunk: int = 1024 * 1024) -> bytes:
    """A zip whose one member unpacks to ``unpacked`` bytes of spaces (written in chunks)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(unpacked // chunk):
                member.write(b" " * chunk)
    return buffer.getvalue()


def test_a_workbook_unpacking_past_the_limit_is_refused_unopened() -> None:
    data = bomb(20 * 1024 * 1024)
    assert len(data) < 100_000
    with pytest.raises(FileReadError) as info:
        read_table(data, options(decompressed_size=10 * 1024 * 1024), name="bomb.xlsx")
    assert str(info.value).startswith(
        "This workbook unpacks to 20.0\xa0MB; the most accepted is 10.0\xa0MB. It may be a zip bomb"
    )
    with pytest.raises(FileReadError) as info:
        read_table(data, name="bomb.xlsx")  # within the size: the ratio gives it away
    message = str(info.value)
    assert message.startswith("This workbook's part 'xl/worksheets/sheet1.xml' is compressed 10")
    assert message.endswith(" times; the most accepted is 200. It looks like a zip bomb.")


def test_small_parts_are_not_judged_by_their_ratio() -> None:
    data = bomb(RATIO_FLOOR, chunk=RATIO_FLOOR)  # exactly the floor: not above it
    with pytest.raises(FileReadError, match="could not be opened: it is damaged"):
        read_table(data, name="book.xlsx")  # passes the limits; calamine then refuses it
