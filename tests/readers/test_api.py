import io
from pathlib import Path
from typing import BinaryIO, cast

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import winiadmin.readers
from tests.readers.conftest import WriteFile
from winiadmin.exceptions import FileReadError
from winiadmin.readers import READERS, RawTable, ReadOptions, read_table
from winiadmin.readers.grid import row_numbers


def test_public_api() -> None:
    assert set(winiadmin.readers.__all__) >= {
        "READERS", "RawTable", "ReadOptions", "Source", "detect_encoding", "detect_format",
        "read_table", "sniff_delimiter",
    }  # fmt: skip
    assert set(READERS) == {"csv", "tsv", "excel", "json", "ndjson", "parquet"}
    assert ReadOptions().sniff_bytes == 64 * 1024


def test_read_a_path_given_as_str_or_path(write_file: WriteFile) -> None:
    path = write_file("a.csv", b"a\n1\n")
    assert read_table(str(path)).frame.rows() == read_table(path).frame.rows() == [("1",)]


def test_bytes_take_their_extension_from_name() -> None:
    table = read_table(b"name\nx, y\n", name="upload.tsv")
    assert (table.format, table.delimiter) == ("tsv", "\t")


def test_a_file_object_is_read_from_the_start() -> None:
    handle = io.BytesIO(b"a;b\n1;2\n")
    handle.read()  # a form may have looked at it already
    assert read_table(handle).frame.rows() == [("1", "2")]


def test_a_django_upload_gives_its_name() -> None:
    upload = SimpleUploadedFile("items.jsonl", b'{"a": 1}\n')
    # An UploadedFile is a binary file at run time, though not a typing.BinaryIO subclass.
    assert read_table(cast("BinaryIO", upload)).format == "ndjson"


def test_a_non_seekable_stream() -> None:
    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

        def seek(self, offset: int, whence: int = 0, /) -> int:
            raise io.UnsupportedOperation

    assert read_table(Pipe(b"a\n1\n")).frame.rows() == [("1",)]


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(
        FileReadError, match=r"^The file 'nope.csv' could not be opened: No such file"
    ):
        read_table(tmp_path / "nope.csv")


@pytest.mark.parametrize("fmt", [None, "excel", "parquet", "json"])
def test_an_empty_file(write_file: WriteFile, fmt: str | None) -> None:
    with pytest.raises(FileReadError, match=r"^The file is empty\.$"):
        read_table(write_file("e.xlsx", b" \n"), ReadOptions(format=fmt))


def test_a_forced_format_skips_detection() -> None:
    table = read_table(b'[{"a": 1}]', ReadOptions(format="csv", delimiter="|"))
    assert (table.format, table.frame.columns) == ("csv", ['[{"a": 1}]'])


def test_an_unknown_format() -> None:
    with pytest.raises(
        FileReadError,
        match=r"^Unknown file format 'xml'; the formats that can be read: csv, tsv, excel",
    ):
        read_table(b"<x/>", ReadOptions(format="xml"))


def test_callers_may_add_a_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    def read_fixed(data: bytes, options: ReadOptions) -> RawTable:
        lines = data.decode().splitlines()
        frame = pl.DataFrame({"code": [line[:3] for line in lines]})
        return RawTable(frame, row_numbers(1, len(lines)), "fixed")

    monkeypatch.setitem(READERS, "fixed", read_fixed)
    table = read_table(b"ABC123\nDEF456\n", ReadOptions(format="fixed"))
    assert table.frame.rows() == [("ABC",), ("DEF",)]


def test_library_errors_never_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes, options: ReadOptions) -> RawTable:
        raise pl.exceptions.ComputeError("boom\nwith details")

    monkeypatch.setitem(READERS, "broken", broken)
    with pytest.raises(
        FileReadError, match=r"^This file could not be read as broken: boom$"
    ) as info:
        read_table(b"x", ReadOptions(format="broken"))
    assert isinstance(info.value.__cause__, pl.exceptions.ComputeError)


def test_bugs_are_not_disguised(monkeypatch: pytest.MonkeyPatch) -> None:
    def buggy(data: bytes, options: ReadOptions) -> RawTable:
        raise KeyError("bug")

    monkeypatch.setitem(READERS, "buggy", buggy)
    with pytest.raises(KeyError):
        read_table(b"x", ReadOptions(format="buggy"))
