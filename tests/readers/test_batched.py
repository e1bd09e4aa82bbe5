"""batch_plan / read_batches: which files stream, and rows numbered as read_table numbers them."""

from dataclasses import replace
from pathlib import Path

import pytest

from winiadmin.exceptions import FileReadError
from winiadmin.readers import ReadOptions, read_table
from winiadmin.readers.base import RawTable
from winiadmin.readers.batched import BLOCK_BYTES, batch_plan, read_batches, record_blocks
from winiadmin.readers.limits import ReadLimits

pytestmark = pytest.mark.django_db  # the limits' defaults come from the settings


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


def problems(tables: list[RawTable]) -> list[tuple[object, ...]]:
    return [(p.row, p.column, p.value, p.message) for t in tables for p in t.problems]


@pytest.mark.parametrize("block_bytes", [8, 20, BLOCK_BYTES])
def test_ragged_records_are_row_problems_as_in_the_whole_file(
    tmp_path: Path, block_bytes: int
) -> None:
    data = b"a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12,13\n14,15,16\n17\n"
    path = write(tmp_path / "t.csv", data)
    plan = batch_plan(path, ReadOptions(sniff_bytes=8), threshold=1)
    assert plan is not None
    batches = list(read_batches(plan, batch_rows=2, block_bytes=block_bytes))
    whole = read_table(path)
    assert (
        problems(batches)
        == problems([whole])
        == [
            (3, "c", None, "Row 3 has 2 values; the header has 3: column C (c) is missing."),
            (5, None, "12,13", "Row 5 has 5 values; the header has 3: columns D, E are extra."),
            (
                7,
                "b, c",
                None,
                "Row 7 has 1 value; the header has 3: columns B (b), C (c) are missing.",
            ),
        ]
    )
    assert [r for b in batches for r in b.frame.rows()] == whole.frame.rows()
    assert [n for b in batches for n in b.row_numbers] == whole.row_numbers.to_list()


def test_bad_bytes_and_nul_stream_like_the_whole_file(tmp_path: Path) -> None:
    data = "sku,name\nA,Café\n".encode() + b"B,Caf\xe9\nC,x\x00y\nD,ok\n"
    path = write(tmp_path / "t.csv", data)
    plan = batch_plan(path, ReadOptions(), threshold=1)
    assert plan is not None
    assert not plan.valid_utf8
    batches = list(read_batches(plan, batch_rows=2, block_bytes=12))
    whole = read_table(path)
    assert problems(batches) == problems([whole])
    assert [(p.row, p.value) for p in whole.problems] == [(3, "Caf\\xe9"), (4, "x\\x00y")]
    assert [r for b in batches for r in b.frame.rows()] == whole.frame.rows()


def test_a_single_byte_file_is_read_whole(tmp_path: Path) -> None:
    # Accents only after the sample, no UTF-8 anywhere: Windows-1252, as the whole-file reader.
    path = write(tmp_path / "t.csv", b"a,b\n" + b"1,2\n" * 100 + b"3,caf\xe9\n")
    assert batch_plan(path, ReadOptions(sniff_bytes=8), threshold=1) is None
    assert read_table(path).encoding == "cp1252"


def limited(**limits: int) -> ReadOptions:
    return ReadOptions(limits=replace(ReadLimits.from_settings(), **limits))


def test_title_rows_or_a_chosen_header_row_are_read_whole(tmp_path: Path) -> None:
    """Only the whole-file reader skips title rows or takes the header from another row."""
    titled = write(tmp_path / "titled.csv", b"Price list,,\n,,\na,b,c\n1,2,3\n4,5,6\n")
    assert read_table(titled).header_row == 3
    assert batch_plan(titled, ReadOptions(), threshold=1) is None
    plain = write(tmp_path / "plain.csv", b"a,b,c\n1,2,3\n4,5,6\n")
    assert batch_plan(plain, ReadOptions(header_row=2), threshold=1) is None
    assert batch_plan(plain, ReadOptions(header_row=1), threshold=1) is not None


def test_a_file_over_the_size_limit_is_left_to_the_whole_file_reader(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", b"a,b\n1,2\n3,4\n")
    options = limited(file_size=10)
    assert batch_plan(path, options, threshold=1) is None
    with pytest.raises(FileReadError, match="the largest accepted is 10"):
        read_table(path, options)


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"columns": 2}, "3 columns"),
        ({"rows": 4}, "more than 4 rows"),
        ({"cell_length": 5}, "Row 6, column 'c'"),
    ],
)
def test_batches_keep_the_limits(tmp_path: Path, limits: dict[str, int], message: str) -> None:
    data = b"a,b,c\n" + b"".join(b"%d,x,y\n" % n for n in range(4)) + b"9,x,longer\n"
    path = write(tmp_path / "t.csv", data)
    with pytest.raises(FileReadError, match=message):  # read whole: the same message
        read_table(path, limited(**limits))
    plan = batch_plan(path, ReadOptions(), threshold=1)
    assert plan is not None
    # Limits a sample of the file does not break yet: the batches find it.
    plan = replace(plan, limits=limited(**limits).get_limits())
    with pytest.raises(FileReadError, match=message):
        list(read_batches(plan, batch_rows=2))


def test_batches_are_in_unicode_nfc(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "name,cafe\u0301\nCafe\u0301,1\n".encode())
    plan = batch_plan(path, ReadOptions(), threshold=1)
    assert plan is not None
    (batch,) = read_batches(plan, batch_rows=10)
    assert batch.frame.columns == ["name", "caf\u00e9"]
    assert batch.frame.rows() == [("Caf\u00e9", "1")]


@pytest.mark.parametrize("block_bytes", [1, 5, 7, 13, 64, 1 << 20])
def test_records_are_never_cut_between_blocks(block_bytes: int, tmp_path: Path) -> None:
    """Quoted line breaks and escaped quotes straddle blocks; no record is split or lost."""
    data = (
        b'a,b,c\n1,"two\nlines, and ""quotes""",x\n2,,y\r\n3,"""",\n'
        b'4,"a much longer value than any block, across\nthree\nlines",z\n5,w,"v"'
    )
    path = write(tmp_path / "t.csv", data)
    blocks = list(record_blocks(path, block_bytes))
    assert b"".join(blocks) == data
    assert all(b.count(b'"') % 2 == 0 for b in blocks)
    plan = batch_plan(path, ReadOptions(), threshold=1)
    assert plan is not None
    batches = list(read_batches(plan, batch_rows=2, block_bytes=block_bytes))
    whole = read_table(path)
    assert [r for b in batches for r in b.frame.rows()] == whole.frame.rows()
    assert [n for b in batches for n in b.row_numbers] == whole.row_numbers.to_list()
    # batch_rows records each, the header included in the first, whatever the blocks.
    assert [b.frame.height for b in batches] == [1, 2, 2]


def test_a_long_record_in_a_later_block_is_a_row_problem(tmp_path: Path) -> None:
    ragged = write(tmp_path / "ragged.csv", b"a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n")
    plan = batch_plan(ragged, ReadOptions(sniff_bytes=8), threshold=1)
    assert plan is not None
    batches = list(read_batches(plan, batch_rows=10, block_bytes=8))
    assert problems(batches) == [
        (4, None, "10", "Row 4 has 4 values; the header has 3: column D is extra.")
    ]


@pytest.mark.parametrize("block_bytes", [6, BLOCK_BYTES])
def test_an_empty_last_value_is_not_a_short_row(tmp_path: Path, block_bytes: int) -> None:
    path = write(tmp_path / "t.csv", b"a,b,c\n1,2,\n3,4,5\n6,,\n7,8\n")
    plan = batch_plan(path, ReadOptions(sniff_bytes=8), threshold=1)
    assert plan is not None
    batches = list(read_batches(plan, batch_rows=10, block_bytes=block_bytes))
    assert [r for b in batches for r in b.frame.rows()] == [
        ("1", "2", None),
        ("3", "4", "5"),
        ("6", None, None),
        ("7", "8", None),
    ]
    assert [p.row for b in batches for p in b.problems] == [5]


@pytest.mark.parametrize("block_bytes", [6, BLOCK_BYTES])
def test_empty_extra_values_stream_like_the_whole_file(tmp_path: Path, block_bytes: int) -> None:
    path = write(tmp_path / "t.csv", b"a,b\n1,2,\n3,4,,\n5,6,x\n7,8\n")
    plan = batch_plan(path, ReadOptions(sniff_bytes=8), threshold=1)
    assert plan is not None
    batches = list(read_batches(plan, batch_rows=10, block_bytes=block_bytes))
    whole = read_table(path)
    assert problems(batches) == problems([whole])
    assert [p.row for p in whole.problems] == [4]
    assert [r for b in batches for r in b.frame.rows()] == whole.frame.rows()
