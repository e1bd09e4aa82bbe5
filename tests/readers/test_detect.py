import gzip
import io
import random
import zipfile
from pathlib import Path

import pytest

from tests.readers.conftest import WriteFile
from tests.readers.test_excel import make_ods, make_workbook
from winiadmin.exceptions import FileReadError
from winiadmin.readers import detect_format, read_table
from winiadmin.readers.detect import extension
from winiadmin.readers.excel import CFB_MAGIC

NOT_A_TABLE = "^This file cannot be read as a table: it "


def zip_of(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def junk(size: int, *, nul: bool) -> bytes:
    data = random.Random(7).randbytes(size)
    return data if nul else data.replace(b"\x00", b"\x01")


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"a,b\n1,2\n", None, "csv"),
        (b"a,b\n1,2\n", "data.xlsx", "csv"),
        (b"a\tb\n1\t2\n", "data.csv", "tsv"),
        (b"a,b\n1,2\n", "data.TSV", "tsv"),
        (b"name\nx\n", "data.tab", "tsv"),
        (b'  \n[{"a": 1}]', "data.csv", "json"),
        (b'{"products": [\n{"a": 1}\n]}', None, "json"),
        (b'{\n  "a": 1\n}\n', "x.jsonl", "json"),
        (b'{"a": 1}\n\n{"a": 2}\n', None, "ndjson"),
        (b'{"a": 1}\n', "x.NDJSON", "ndjson"),
        (b'{"a": 1}\n', "x.json", "json"),
        (b'{"a": 1}\n{"a": ', "x.json", "json"),
        ('[{"a": "é"}]'.encode("utf-16"), None, "json"),
        ("a;b\n1;2\n".encode("utf-16-le"), None, "csv"),
        (b"PAR1\x15\x04", "x.csv", "parquet"),
        (CFB_MAGIC + bytes(100), "x.xls", "excel"),
        (zip_of("[Content_Types].xml", "xl/workbook.xml"), "x.zip", "excel"),
        (zip_of("xl/workbook.bin"), None, "excel"),
    ],
)
def test_detect_format(head: bytes, name: str | None, expected: str) -> None:
    assert detect_format(head, name) == expected


def test_detect_format_of_real_workbooks(tmp_path: Path) -> None:
    xlsx = make_workbook(tmp_path / "book.bin").read_bytes()
    assert detect_format(xlsx, None) == "excel"
    assert detect_format(make_ods(), "x.csv") == "excel"


@pytest.mark.parametrize(
    ("head", "looks_like"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "looks like a PDF document."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "looks like a PNG image."),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "looks like a JPEG image."),
        (b"GIF89a\x01\x00", "looks like a GIF image."),
        (gzip.compress(b"a,b\n1,2\n"), "looks like a gzip-compressed file; decompress it"),
        (zip_of("word/document.xml"), "looks like a Word document."),
        (zip_of("ppt/presentation.xml"), "looks like a PowerPoint presentation."),
        (zip_of("data.csv"), "looks like a ZIP archive; extract it"),
        (
            CFB_MAGIC + bytes(100) + "WordDocument".encode("utf-16-le"),
            "looks like a Word document.",
        ),
        (
            b"<!DOCTYPE html>\n<table><tr><td>1</td></tr></table>",
            "looks like a web page \\(HTML\\)",
        ),
        (b"  <html><body>", "looks like a web page \\(HTML\\)"),
        (b'<?xml version="1.0"?>\n<Workbook>', "looks like an XML document."),
        (junk(4000, nul=True), "holds binary data, not text."),
        (junk(4000, nul=False), "holds binary data, not text."),
    ],
)
def test_not_a_table(head: bytes, looks_like: str) -> None:
    with pytest.raises(FileReadError, match=NOT_A_TABLE + looks_like):
        detect_format(head, "x.csv")


def test_empty() -> None:
    with pytest.raises(FileReadError, match=r"^The file is empty\.$"):
        detect_format(b" \n", "x.csv")


def test_a_long_file_is_judged_on_its_complete_first_lines() -> None:
    head = b"a\tb\n" + b"1\t2\n" * 20_000 + b"x,y,z"
    assert detect_format(head, None) == "tsv"


def test_extension() -> None:
    assert (extension("a/b/Data.XLSX"), extension("noext"), extension(None)) == (".xlsx", "", "")


def test_read_table_content_wins_over_the_extension(write_file: WriteFile) -> None:
    table = read_table(write_file("products.xlsx", b"sku,qty\n007,1\n"))
    assert (table.format, table.frame.rows()) == ("csv", [("007", "1")])


@pytest.mark.parametrize(
    ("name", "data", "looks_like"),
    [
        ("report.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "looks like a PDF document."),
        ("products.xlsx", b"%PDF-1.4\n" + bytes(range(256)), "looks like a PDF document."),
        ("products.xlsx", junk(2000, nul=True), "holds binary data"),
        ("products.csv", junk(2000, nul=True), "holds binary data"),
        ("products.csv", junk(2000, nul=False), "holds binary data"),
    ],
)
def test_read_table_refuses_what_is_not_a_table(
    write_file: WriteFile, name: str, data: bytes, looks_like: str
) -> None:
    with pytest.raises(FileReadError, match=NOT_A_TABLE + looks_like):
        read_table(write_file(name, data))
