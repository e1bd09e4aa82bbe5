import codecs

import polars as pl
import pytest

from tests.readers.conftest import WriteFile
from winiadmin.exceptions import FileReadError
from winiadmin.readers import ReadOptions, read_table, sniff_delimiter
from winiadmin.readers.delimited import choose_delimiter, head_sample

CAFE = "name,price\nCafé crème,3€\nThé,2\n"


def rows(table_frame: pl.DataFrame) -> list[tuple[object, ...]]:
    return table_frame.rows()


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CAFE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + CAFE.encode("utf-8"), "utf-8-sig"),
        (CAFE.encode("utf-16"), "utf-16"),
        (CAFE.encode("utf-16-le"), "utf-16-le"),
        (CAFE.encode("cp1252"), "cp1252"),
    ],
)
def test_csv_in_each_encoding(write_file: WriteFile, data: bytes, encoding: str) -> None:
    table = read_table(write_file("cafe.csv", data))
    assert (table.format, table.encoding, table.delimiter) == ("csv", encoding, ",")
    assert table.frame.columns == ["name", "price"]
    assert rows(table.frame) == [("Café crème", "3€"), ("Thé", "2")]
    assert table.row_numbers.to_list() == [2, 3]


def test_latin1_when_a_byte_is_undefined_in_cp1252(write_file: WriteFile) -> None:
    # 0x8D is a control character in Latin-1 and undefined in cp1252.
    table = read_table(write_file("l1.csv", "code,name\n1,\x8dÉté\n".encode("latin-1")))
    assert table.encoding == "latin-1"
    assert rows(table.frame) == [("1", "\x8dÉté")]


def test_a_given_encoding_wins(write_file: WriteFile) -> None:
    path = write_file("l1.csv", "name\nÉté\n".encode("latin-1"))
    table = read_table(path, ReadOptions(encoding="latin-1"))
    assert (table.encoding, rows(table.frame)) == ("latin-1", [("Été",)])


def test_utf8_given_for_a_latin1_file_reports_the_cells(write_file: WriteFile) -> None:
    path = write_file("l1.csv", "name\nok\nÉté\n".encode("latin-1"))
    table = read_table(path, ReadOptions(encoding="utf-8"))
    assert rows(table.frame) == [("ok",), ("\\xc9t\\xe9",)]
    assert [(p.row, p.column, p.value) for p in table.problems] == [(3, "name", "\\xc9t\\xe9")]


def test_utf8_with_a_few_bad_bytes_keeps_every_good_character(write_file: WriteFile) -> None:
    data = "sku,name,note\nA,Café,Thé\n".encode() + b"B,Caf\xe9,ok\nC,x,\xff\xfe\n"
    table = read_table(write_file("mixed.csv", data))
    assert table.encoding == "utf-8"
    assert rows(table.frame) == [
        ("A", "Café", "Thé"),
        ("B", "Caf\\xe9", "ok"),
        ("C", "x", "\\xff\\xfe"),
    ]
    assert [(p.row, p.column, p.value, p.message) for p in table.problems] == [
        (3, "name", "Caf\\xe9", "This value has bytes that are not valid UTF-8 text."),
        (4, "note", "\\xff\\xfe", "This value has bytes that are not valid UTF-8 text."),
    ]


def test_a_nul_byte_in_a_text_file_is_a_cell_problem(write_file: WriteFile) -> None:
    table = read_table(write_file("nul.csv", b"sku,name\nA,ok\nB,bad\x00name\n"))
    assert rows(table.frame) == [("A", "ok"), ("B", "bad\\x00name")]
    (problem,) = table.problems
    assert (problem.row, problem.column, problem.value) == (3, "name", "bad\\x00name")
    assert "NUL" in problem.message


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_sniffed_delimiters(write_file: WriteFile, delimiter: str) -> None:
    text = "\n".join(delimiter.join(row) for row in [["sku", "price"], ["A", "1,5"], ["B", "2"]])
    # The comma in "1,5" must not fool the sniffer (quoted when comma is the delimiter).
    text = text.replace("1,5", '"1,5"') if delimiter == "," else text
    table = read_table(write_file("data.txt", text.encode()))
    assert table.delimiter == delimiter
    assert rows(table.frame) == [("A", "1,5"), ("B", "2")]


def test_tab_delimited_is_reported_as_tsv(write_file: WriteFile) -> None:
    table = read_table(write_file("data.csv", b"a\tb\n1\t2\n"))
    assert (table.format, table.delimiter) == ("tsv", "\t")


def test_tsv_extension_reads_a_single_column_with_tab(write_file: WriteFile) -> None:
    table = read_table(write_file("data.tsv", b"name\nx, y\n"))
    assert (table.format, table.delimiter) == ("tsv", "\t")
    assert rows(table.frame) == [("x, y",)]


def test_tsv_extension_gives_way_when_the_content_clearly_uses_another(
    write_file: WriteFile,
) -> None:
    table = read_table(write_file("data.tsv", b"a;b\n1;2\n3;4\n"))
    assert (table.format, table.delimiter) == ("tsv", ";")
    assert rows(table.frame) == [("1", "2"), ("3", "4")]


def test_a_given_delimiter_wins(write_file: WriteFile) -> None:
    table = read_table(write_file("d.csv", b"a;b,c\n1;2,3\n"), ReadOptions(delimiter=","))
    assert table.frame.columns == ["a;b", "c"]


def test_a_non_ascii_delimiter_goes_through_the_csv_module(write_file: WriteFile) -> None:
    table = read_table(write_file("d.csv", "a¦b\n1¦2\n".encode()), ReadOptions(delimiter="¦"))
    assert rows(table.frame) == [("1", "2")]


def test_a_long_delimiter_is_refused(write_file: WriteFile) -> None:
    with pytest.raises(FileReadError, match="single character"):
        read_table(write_file("d.csv", b"a::b\n"), ReadOptions(delimiter="::"))


def test_values_stay_raw_text_and_empty_fields_are_null(write_file: WriteFile) -> None:
    data = b'sku,price,note,qty\n007,"1,5",N/A,\n0012, 3.50 ,"",1e3\n'
    table = read_table(write_file("raw.csv", data))
    assert table.frame.schema == pl.Schema(
        dict.fromkeys(["sku", "price", "note", "qty"], pl.String)
    )
    assert rows(table.frame) == [("007", "1,5", "N/A", None), ("0012", " 3.50 ", None, "1e3")]


def test_quoted_newlines_count_as_one_row(write_file: WriteFile) -> None:
    data = b'id,text\n1,"two\nlines"\n2,"three\r\nlines\nhere"\n3,plain\n'
    table = read_table(write_file("q.csv", data))
    assert rows(table.frame) == [("1", "two\nlines"), ("2", "three\nlines\nhere"), ("3", "plain")]
    assert table.row_numbers.to_list() == [2, 3, 4]


def test_mixed_line_endings(write_file: WriteFile) -> None:
    table = read_table(write_file("m.csv", b"a,b\r\n1,2\n3,4\r5,6\r\n7,8"))
    assert rows(table.frame) == [("1", "2"), ("3", "4"), ("5", "6"), ("7", "8")]
    assert table.row_numbers.to_list() == [2, 3, 4, 5]


def test_blank_lines_are_skipped_but_keep_row_numbers(write_file: WriteFile) -> None:
    data = b"\n\na,b\n1,2\n\n,\n3,4\n\n\n"
    table = read_table(write_file("b.csv", data))
    assert rows(table.frame) == [("1", "2"), ("3", "4")]
    # Rows 1-2 are blank, the header is row 3; rows 5 (blank) and 6 (",") give no row.
    assert table.row_numbers.to_list() == [4, 7]
    assert table.row_numbers.dtype == pl.Int64


def test_single_column_with_blank_lines(write_file: WriteFile) -> None:
    table = read_table(write_file("one.csv", b"name\nx\n\ny\n"))
    assert (table.delimiter, rows(table.frame)) == (",", [("x",), ("y",)])
    assert table.row_numbers.to_list() == [2, 4]


def test_header_only_keeps_the_columns(write_file: WriteFile) -> None:
    table = read_table(write_file("h.csv", b"sku,name\n"))
    assert table.frame.columns == ["sku", "name"]
    assert table.frame.height == 0
    assert table.row_numbers.to_list() == []
    assert table.row_numbers.dtype == pl.Int64


def test_duplicate_and_blank_headers(write_file: WriteFile) -> None:
    table = read_table(write_file("h.csv", b"sku,,name,sku, ,sku\n1,2,3,4,5,6\n"))
    assert table.frame.columns == ["sku", "column_2", "name", "sku_2", "column_5", "sku_3"]


@pytest.mark.parametrize("data", [b"", b"  \r\n\n ", codecs.BOM_UTF8, b",,\n,,\n"])
def test_empty_file(write_file: WriteFile, data: bytes) -> None:
    with pytest.raises(FileReadError, match=r"^The file is empty\.$"):
        read_table(write_file("e.csv", data), ReadOptions(format="csv"))


def problems_of(table: object) -> list[tuple[object, ...]]:
    return [(p.row, p.column, p.value, p.message) for p in table.problems]  # type: ignore[attr-defined]


def test_a_row_with_too_many_values(write_file: WriteFile) -> None:
    data = b"a,b,c,d\n1,2,3,4\n\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4,5,6\n"
    table = read_table(write_file("r.csv", data))
    assert table.frame.columns == ["a", "b", "c", "d"]
    assert table.frame.height == 5
    assert problems_of(table) == [
        (7, None, "5,6", "Row 7 has 6 values; the header has 4: columns E, F are extra.")
    ]


def test_a_row_with_too_few_values(write_file: WriteFile) -> None:
    data = b'a,b,c\n1,"x\ny",3\n1,2\n4,5,6\n'
    table = read_table(write_file("r.csv", data))
    assert rows(table.frame) == [("1", "x\ny", "3"), ("1", "2", None), ("4", "5", "6")]
    assert problems_of(table) == [
        (3, "c", None, "Row 3 has 2 values; the header has 3: column C (c) is missing.")
    ]


def test_a_row_with_one_value(write_file: WriteFile) -> None:
    table = read_table(write_file("r.csv", b"a;b;c\nx\n1;2;3\n"), ReadOptions(delimiter=";"))
    assert problems_of(table) == [
        (2, "b, c", None, "Row 2 has 1 value; the header has 3: columns B (b), C (c) are missing.")
    ]


def test_a_short_title_line_above_the_header_is_not_a_ragged_row(write_file: WriteFile) -> None:
    data = b"Catalogue export\n\nsku,name,price\nA,Lamp,1\nB,Desk\n"
    table = read_table(write_file("t.csv", data))
    assert table.header_row == 3
    assert problems_of(table) == [
        (5, "price", None, "Row 5 has 2 values; the header has 3: column C (price) is missing.")
    ]


def test_an_empty_last_value_is_not_a_short_row(write_file: WriteFile) -> None:
    table = read_table(write_file("r.csv", b"a,b,c\n1,2,\n3,4,5\n"))
    assert rows(table.frame) == [("1", "2", None), ("3", "4", "5")]


def test_a_quote_inside_an_unquoted_value_is_text(write_file: WriteFile) -> None:
    table = read_table(write_file("q.csv", b'item,qty\n12" screen,5\n\nlamp,1\n'))
    assert rows(table.frame) == [('12" screen', "5"), ("lamp", "1")]
    assert table.row_numbers.to_list() == [2, 4]


def test_an_unclosed_quote_is_an_error(write_file: WriteFile) -> None:
    with pytest.raises(FileReadError, match=r"delimited text: .* starting on line 3"):
        read_table(write_file("q.csv", b'a,b\n\n1,"never closed\n2,3\n'))


def test_a_large_file_stays_fast(write_file: WriteFile) -> None:
    lines = "\n".join(f"{i:06d},name {i},{i}.5," for i in range(100_000))
    table = read_table(write_file("big.csv", f"id,name,price,note\n{lines}\n".encode()))
    assert table.frame.height == 100_000
    assert table.frame.row(0) == ("000000", "name 0", "0.5", None)
    assert table.row_numbers[-1] == 100_001


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1,5;2,5;3\n4;5;6\n", ";"),
        ('name,note\n"x; y; z",1\n"a;b",2\n', ","),
        ('a|b\n"multi\nline; with; semicolons"|2\n', "|"),
        ("single\ncolumn\n", ","),
        ("", ","),
        ("a\tb;c\n1\t2;3\n4\t5\n", "\t"),
    ],
)
def test_sniff_delimiter(text: str, expected: str) -> None:
    assert sniff_delimiter(text) == expected


def test_choose_delimiter_prefers_tab_for_tsv() -> None:
    assert choose_delimiter("a b\n", prefer_tab=True) == "\t"
    assert choose_delimiter("a;b\n1;2\n", prefer_tab=True) == ";"
    # Not clear: the semicolon count varies.
    assert choose_delimiter("a;b\n1;2;3\n4\n", prefer_tab=True) == "\t"
    assert choose_delimiter("a;b\n1;2\n", prefer_tab=False) == ";"


def test_head_sample_drops_a_cut_last_line() -> None:
    assert head_sample("ab\ncd\nef", 7) == "ab\ncd"
    assert head_sample("ab\ncd", 99) == "ab\ncd"
    assert head_sample("abcdef", 3) == "abc"


def test_sniffing_only_looks_at_sniff_bytes(write_file: WriteFile) -> None:
    # The first lines say ";", later ones would say ",": only the start is looked at.
    data = b"a;b\n" + b"1;2\n" * 10 + b"x,y,z,w;1\n" * 100
    table = read_table(write_file("s.csv", data), ReadOptions(sniff_bytes=30))
    assert table.delimiter == ";"


def test_a_value_too_long_for_the_csv_module_does_not_break_the_short_row_check(
    write_file: WriteFile,
) -> None:
    data = b"a,b\n" + b"x" * 200_000 + b",\n"
    table = read_table(write_file("long.csv", data))
    assert table.frame.row(0) == ("x" * 200_000, None)


def test_empty_extra_values_are_no_problem(write_file: WriteFile) -> None:
    """A trailing delimiter (some exports write one on every row) loses nothing."""
    table = read_table(write_file("t.csv", b"a,b\n1,2,\n3,4,,\n5,6,x\n"))
    assert table.frame.columns == ["a", "b"]
    assert rows(table.frame) == [("1", "2"), ("3", "4"), ("5", "6")]
    assert problems_of(table) == [
        (4, None, "x", "Row 4 has 3 values; the header has 2: column C is extra.")
    ]
