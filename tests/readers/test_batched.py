"""batch_plan / read_batches: which files stream, and rows numbered as read_table numbers them."""

from pathlib import Path

import pytest

from winiadmin.exceptions import FileReadError
from winiadmin.readers import ReadOptions, read_table
from winiadmin.readers.batched import batch_plan, read_batches


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_batches_number_rows_like_the_whole_file_reader(tmp_path: Path) -> None:
    data = b'a;b;a\n1;"two\nlines";x\n2;;y\n3;z;\n;;\n4;w;v\n'
    path = write(tmp_path / "t.csv", data)
    plan = batch_plan(path, ReadOptions(), threshold=1)
    assert plan is not None
    assert plan.delimiter == ";"
    batches = list(read_batches(plan, batch_rows=2))
    whole = read_table(path)
    assert next(b.frame.columns for b in batches) == whole.frame.columns == ["a", "b", "a_2"]
    rows = [n for b in batches for n in b.row_numbers.to_list()]
    assert rows == whole.row_numbers.to_list() == [2, 3, 4, 6]
    values = [r for b in batches for r in b.frame.rows()]
    assert values == whole.frame.rows()
    assert values[0] == ("1", "two\nlines", "x")
    assert values[1] == ("2", None, "y")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("blank.csv", b"a,b\n1,2\n\n3,4\n"),
        ("crlf-blank.csv", b"a,b\r\n1,2\r\n\r\n3,4\r\n"),
        ("latin.csv", "a,b\nä,ö\n".encode("cp1252")),
        ("old-mac.csv", b"a,b\r1,2\r"),
        ("data.json", b'[{"a": 1}]'),
    ],
)
def test_files_read_whole(tmp_path: Path, name: str, data: bytes) -> None:
    assert batch_plan(write(tmp_path / name, data), ReadOptions(), threshold=1) is None


def test_small_files_bytes_and_no_threshold_are_read_whole(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", b"a,b\n1,2\n")
    assert batch_plan(path, ReadOptions(), threshold=1) is not None
    assert batch_plan(path, ReadOptions(), threshold=1_000) is None
    assert batch_plan(path, ReadOptions(), threshold=None) is None
    assert batch_plan(path.read_bytes(), ReadOptions(), threshold=1) is None
    assert batch_plan(tmp_path / "missing.csv", ReadOptions(), threshold=1) is None


def test_crlf_and_bom_stream(tmp_path: Path) -> None:
    path = write(tmp_path / "t.tsv", b"\xef\xbb\xbfa\tb\r\n1\t2\r\n")
    plan = batch_plan(path, ReadOptions(), threshold=1)
    assert plan is not None
    assert (plan.format, plan.delimiter) == ("tsv", "\t")
    (batch,) = read_batches(plan, batch_rows=10)
    assert batch.frame.columns == ["a", "b"]
    assert batch.frame.rows() == [("1", "2")]


def test_a_ragged_record_is_a_read_error(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", b"a,b\n1,2\n3,4,5\n")
    plan = batch_plan(path, ReadOptions(), threshold=1)
    assert plan is not None
    with pytest.raises(FileReadError, match="could not be read as csv"):
        list(read_batches(plan, batch_rows=10))
