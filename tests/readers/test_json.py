import polars as pl
import pytest

from tests.readers.conftest import WriteFile
from winiadmin.exceptions import FileReadError
from winiadmin.readers import ReadOptions, read_table

RECORDS = (
    b'[{"sku": "007", "qty": 12, "price": 12.50, "big": 1e3, "ok": true, "none": null},\n'
    b' {"sku": "B", "tags": ["x", 1.0, {"k": false}], "dims": {"w": 2, "h": null}, "": "e"}]'
)


def test_array_of_records(write_file: WriteFile) -> None:
    table = read_table(write_file("items.json", RECORDS))
    assert (table.format, table.encoding) == ("json", "utf-8")
    assert table.frame.columns == [
        "sku",
        "qty",
        "price",
        "big",
        "ok",
        "none",
        "tags",
        "dims",
        "column_9",
    ]
    assert all(dtype == pl.String for dtype in table.frame.dtypes)
    assert table.frame.rows() == [
        ("007", "12", "12.50", "1e3", "true", None, None, None, None),
        ("B", None, None, None, None, None, '["x",1.0,{"k":false}]', '{"w":2,"h":null}', "e"),
    ]
    assert table.row_numbers.to_list() == [2, 3]
    assert table.row_numbers.dtype == pl.Int64


def test_object_wrapping_one_list_of_records(write_file: WriteFile) -> None:
    data = '{"count": 2, "products": [{"name": "Thé"}, {"name": "Café"}]}'.encode("utf-16")
    table = read_table(write_file("p.json", data))
    assert (table.encoding, table.frame.rows()) == ("utf-16", [("Thé",), ("Café",)])


def test_empty_list(write_file: WriteFile) -> None:
    table = read_table(write_file("e.json", b"[]"))
    assert (table.frame.shape, table.row_numbers.to_list()) == ((0, 0), [])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'[{"a": 1},\n {"a": 2,}]',
            r"^This JSON file is not valid: Expecting property name .* at line 2, column 10\.$",
        ),
        (b'{"a": [{"x": 1}], "b": [{"y": 2}]}', r"several lists of records \(a, b\)"),
        (b'{"a": 1}', r"holds no list of records"),
        (b'[{"a": 1}, 2]', r"^Record 2 of the JSON list is not an object"),
        (b"[{}, {}]", r"no fields"),
    ],
)
def test_json_errors(write_file: WriteFile, data: bytes, message: str) -> None:
    with pytest.raises(FileReadError, match=message):
        read_table(write_file("bad.json", data))


def test_a_json_scalar_is_not_a_table() -> None:
    with pytest.raises(FileReadError, match="holds no list of records"):
        read_table(b'"text"', ReadOptions(format="json"))


def test_ndjson(write_file: WriteFile) -> None:
    data = b'{"id": 1, "name": "a"}\r\n\n{"id": 2.0, "extra": [1, 2]}\n'
    table = read_table(write_file("items.jsonl", data))
    assert table.format == "ndjson"
    assert table.frame.rows() == [("1", "a", None), ("2.0", None, "[1,2]")]
    # Record index + 2: the blank line is not counted.
    assert table.row_numbers.to_list() == [2, 3]


def test_ndjson_recognised_by_content(write_file: WriteFile) -> None:
    table = read_table(write_file("items.txt", b'{"a": 1}\n{"a": 2}\n'))
    assert (table.format, table.frame.rows()) == ("ndjson", [("1",), ("2",)])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1}\n{"a": \n', r"^Line 2 is not valid JSON: Expecting value \(column 7\)\.$"),
        (b'{"a": 1}\n[1]\n', r"^Line 2 is not a JSON object"),
    ],
)
def test_ndjson_errors(write_file: WriteFile, data: bytes, message: str) -> None:
    with pytest.raises(FileReadError, match=message):
        read_table(write_file("bad.ndjson", data))


def test_bytes_that_are_not_utf8_in_a_json_string_are_a_cell_problem() -> None:
    data = '[{"sku": "A", "name": "Café"}, {"sku": "B", "name": "Th'.encode() + b'\xe9"}]'
    table = read_table(data)
    assert table.encoding == "utf-8"
    assert table.frame.rows() == [("A", "Café"), ("B", "Th\\xe9")]
    assert [(p.row, p.column, p.value) for p in table.problems] == [(3, "name", "Th\\xe9")]
