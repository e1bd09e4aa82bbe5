"""The corpus: files real users upload, each built at test time, each with its expected outcome.

Every case goes through the pipeline, the command and the admin (test_corpus.py) and must end
the same way in all three: imported with exactly these values, invalid with problems naming
row, column and value (nothing written), or refused with a message (nothing written).

The cleaning rules the outcomes follow (the corpus importer: code and name text, quantity
Int64, price Float64 into a DecimalField, day Date with formats ISO, 31.01.2024, 01/31/2024):

- numbers are plain: the dot is the decimal point, no thousand separators; ``12,50``,
  ``1,234.50`` and ``1.234,50`` are refused ("Not a number"); ``1.000`` in an integer column
  is one (a whole number written with decimals, as spreadsheets export ``12.0``);
- ``NaN``, ``inf``, ``-Infinity`` are refused for numbers;
- integers beyond 64 bits are refused ("Out of range for Int64");
- text stays text: ``007`` stays ``007`` in a CharField; formulas (``=cmd|…``) and markup are
  stored as typed (escaped in pages, neutralised in downloads);
- dates: the formats declared; an Excel serial number (``45322``) in a *text* file is refused,
  a date *cell* of a workbook (.xlsx, .xls) is a date;
- Unicode is normalised to NFC (headers and cells), so ``Cafe\\u0301`` is stored as ``Café``.
"""

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import xlsxwriter

from tests.reliability.ole import encrypted_workbook, xls

HEADER = ["code", "name", "quantity", "price", "day"]
FORMULA = "=cmd|' /C calc'!A0"
SCRIPT = "<script>alert(1)</script>"


@dataclass(frozen=True, slots=True)
class Imported:
    """Succeeds; the table holds exactly these rows (code → field values)."""

    rows: dict[str, dict[str, object]]


@dataclass(frozen=True, slots=True)
class Invalid:
    """Blocked by row problems: (row, column, value, reason) for each error; nothing written."""

    #: A problem of a whole row (too few values) has no value, or no column (too many values).
    errors: tuple[tuple[int, str | None, str | None, str], ...]
    #: Problems of the whole file (no row), as their text starts.
    file_errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Refused:
    """The file itself is refused with this message (its start); nothing written."""

    message: str
    #: The admin's upload form refuses some files itself, with its own message.
    admin_form_error: str | None = None


@dataclass(frozen=True, slots=True)
class Failed:
    """The importer's own code raised: status FAILED, nothing written; the result and the job
    say ``message``, the command's one-line ``CommandError`` says ``command_message``."""

    message: str
    command_message: str


Outcome = Imported | Invalid | Refused | Failed


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    filename: str
    build: Callable[[], bytes]
    outcome: Outcome
    #: Read options as the command and the form take them (encoding, delimiter, sheet).
    read_options: dict[str, Any] = field(default_factory=dict)
    #: The registered importer that imports it (see importers.py, conftest.py).
    importer: str = "tests.corpus"
    #: Every row of the file accounted for, as ``ImportResult.rows`` counts them (the terms
    #: given; the others are 0): read, imported, updated, unchanged, skipped, rejected, dropped.
    rows: dict[str, int] | None = None


def text_file(
    rows: Sequence[Sequence[object]],
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
    delimiter: str = ",",
) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue().encode(encoding)


def item(
    name: str, quantity: int | None = None, price: str | None = None, day: object = None
) -> dict[str, object]:
    return {
        "name": name,
        "quantity": quantity,
        "price": Decimal(price) if price is not None else None,
        "day": day,
    }


def workbook(
    rows: Sequence[Sequence[object]], *, dates: Sequence[tuple[int, int, dt.date]] = ()
) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("Items")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for index, row in enumerate(rows):
        for col, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(index, col, value)  # text, even "007" and "=..."
            elif value is not None:
                sheet.write(index, col, value)
    for row_index, col, day in dates:
        sheet.write_datetime(row_index, col, day, date_format)
    book.close()
    return buffer.getvalue()


def styled_empty_rows(count: int = 1_000_000) -> bytes:
    """A workbook whose formatting reaches row ``count``: one data row, the rest styled empty."""
    base = workbook([HEADER, ["A-1", "Widget", 2, 1.5]])
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                rows = "".join(
                    f'<row r="{r}" s="1" customFormat="1">'
                    f'<c r="A{r}" s="1"/><c r="B{r}" s="1"/></row>'
                    for r in range(3, count + 1)
                )
                body = body.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            target.writestr(info.filename, body)
    return out.getvalue()


def zip_bomb(unpacked: int = 40 * 1024 * 1024) -> bytes:
    """An .xlsx-looking zip whose sheet unpacks to ``unpacked`` bytes of spaces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def binary_junk() -> bytes:
    # Deterministic noise with NUL bytes: what a renamed program or image looks like.
    return bytes((i * 7919 + 13) % 256 for i in range(4096))


def _many_columns() -> bytes:
    return text_file([[f"c{i}" for i in range(20_000)], list(range(20_000))])


def _big_cell() -> bytes:
    return text_file([HEADER, ["A-1", "x" * (10 * 1024 * 1024), "1", "1.00", ""]])


def _erp_export() -> bytes:
    """1,000 columns, of which the importer uses five: a shape, not a cost."""
    header = [f"ERP_FIELD_{i}" for i in range(1000)]
    row = [f"v{i}" for i in range(1000)]
    for position, (name, value) in enumerate(
        zip(HEADER, ["E-1", "Lamp", "3", "1.50", ""], strict=True)
    ):
        header[position * 199 + 7], row[position * 199 + 7] = name, value
    return text_file([header, row])


OK_ROWS = [HEADER, ["001", "Café", "12", "9.90", "2024-01-31"], ["002", "Thé", "", "", ""]]
OK_ITEMS = {
    "001": item("Café", 12, "9.90", dt.date(2024, 1, 31)),
    "002": item("Thé"),
}

#: Issue 12 §5, the readers: a file that is UTF-8 but for a few bytes, duplicate headers, ragged
#: rows, a NUL byte, a wide export. (One block, so that other additions merge beside it.)
READER_HOLES: list[Case] = [
    Case(
        "utf-8 with a few invalid bytes",
        "items.csv",
        lambda: text_file(OK_ROWS[:2]) + b"003,Th\xe9 vert,1,,\n004,Cr\xc3\xa8me,2,,\n",
        Invalid(  # every correct "é" stays "é" (never "Ã©"): only the bad row is named
            ((3, "name", "Th\\xe9 vert", "This value has bytes that are not valid UTF-8 text"),)
        ),
    ),
    Case(
        "windows-1252 chosen for a mixed file",
        "items.csv",
        lambda: text_file([HEADER, ["001", "Caf\u00e9", "", "", ""]]) + b"002,Th\xe9,,,\n",
        Imported({"001": item("CafÃ©"), "002": item("Thé")}),  # what the person asked for
        read_options={"encoding": "cp1252"},
    ),
    Case(
        "duplicate header names",
        "items.csv",
        lambda: b"code,name,quantity,price,name,day\nA,first,3,,second,\n",
        Invalid((), file_errors=("The header 'name' appears in columns B and E; rename one",)),
    ),
    Case(
        "headers the matching takes for the same",
        "items.csv",
        lambda: b"code,Name,quantity,price,day,name \nA,first,3,,,second\n",
        Invalid(
            (),
            file_errors=(
                "The headers 'Name' (column B) and 'name ' (column F) both match the column "
                "'name'; rename one of them (or choose in the column mapping which one feeds "
                "'name').",
            ),
        ),
    ),
    Case(
        "rows with too few or too many values",
        "items.csv",
        lambda: (
            b"code,name,quantity,price,day\nA,one,1,1.5,2024-01-31\nB,two,2\n"
            b"C,three,3,1,2024-01-31,extra\nD,four,,,\n"
        ),
        Invalid(
            (
                (
                    3,
                    "price, day",
                    None,
                    "Row 3 has 3 values; the header has 5: columns D (price), E (day) are missing.",
                ),
                (4, None, "extra", "Row 4 has 6 values; the header has 5: column F is extra."),
            )
        ),
    ),
    Case(
        "a NUL byte in a text file",
        "items.csv",
        lambda: b"code,name,quantity,price,day\nA,one,,,\nB,bad\x00name,,,\n",
        Invalid(
            (
                (
                    3,
                    "name",
                    "bad\\x00name",
                    "This value holds a NUL character (\\x00), which a database cannot store",
                ),
            )
        ),
    ),
    Case(
        "an ERP export of 1000 columns",
        "erp.csv",
        _erp_export,
        Imported({"E-1": item("Lamp", 3, "1.50")}),
    ),
]

CASES: list[Case] = [
    # -- encodings, BOMs, line endings, quoting -------------------------------------------------
    Case("utf-8", "items.csv", lambda: text_file(OK_ROWS), Imported(OK_ITEMS)),
    Case(
        "utf-8 with BOM",
        "items.csv",
        lambda: codecs.BOM_UTF8 + text_file(OK_ROWS),
        Imported(OK_ITEMS),
    ),
    Case(
        "utf-16 with BOM",
        "items.csv",
        lambda: text_file(OK_ROWS, encoding="utf-16"),
        Imported(OK_ITEMS),
    ),
    Case(
        "utf-16-le without BOM",
        "items.csv",
        lambda: text_file(OK_ROWS, encoding="utf-16-le"),
        Imported(OK_ITEMS),
    ),
    Case(
        "windows-1252",
        "items.csv",
        lambda: text_file(OK_ROWS, encoding="cp1252"),
        Imported(OK_ITEMS),
    ),
    Case(
        "semicolons, CRLF",
        "items.csv",
        lambda: text_file(OK_ROWS, newline="\r\n", delimiter=";"),
        Imported(OK_ITEMS),
    ),
    Case(
        "windows-1252 read as the utf-8 the user chose",
        "items.csv",
        lambda: text_file(OK_ROWS, encoding="cp1252"),
        Invalid(  # the bytes the user's encoding cannot read are named, never reinterpreted
            (
                (2, "name", "Caf\\xe9", "This value has bytes that are not valid UTF-8 text"),
                (3, "name", "Th\\xe9", "This value has bytes that are not valid UTF-8 text"),
            )
        ),
        read_options={"encoding": "utf-8"},
    ),
    Case(
        "mixed line endings",
        "items.csv",
        lambda: b"code,name,quantity,price,day\r\nA,one,,,\nB,two,,,\rC,three,,,\r\n",
        Imported({"A": item("one"), "B": item("two"), "C": item("three")}),
    ),
    Case(
        "quoted newlines",
        "items.csv",
        lambda: (
            b'code,name,quantity,price,day\nA,"first line\r\nsecond line",,,\nB,"say ""hi""",,,\n'
        ),
        Imported({"A": item("first line\nsecond line"), "B": item('say "hi"')}),
    ),
    Case(
        "unbalanced quotes",
        "items.csv",
        lambda: b'code,name\nA,"never closed\nB,two\n',
        Refused(
            "The file could not be read as delimited text: unexpected end of data in the row "
            "starting on line 2."
        ),
    ),
    # -- empty and odd headers ------------------------------------------------------------------
    Case(
        "empty file",
        "items.csv",
        lambda: b"",
        Refused("The file is empty.", "The submitted file is empty."),
    ),
    Case("only blank lines", "items.csv", lambda: b"\r\n\n  \n", Refused("The file is empty.")),
    Case("header only", "items.csv", lambda: b"code,name,quantity,price,day\n", Imported({})),
    Case(
        "blank headers",
        "items.csv",
        lambda: b"code,name,,quantity,price,day\nA,first,x,3,,\n",
        Imported({"A": item("first", 3)}),  # column_3 is unexpected: a warning
    ),
    Case(
        "missing required column",
        "items.csv",
        lambda: b"code,quantity,price\nA,3,1\n",
        Invalid(
            (),
            file_errors=(
                "Column 'name': Column 'name' is missing. The file has: code, quantity, price.",
                "Column 'day': Column 'day' is missing.",
            ),
        ),
    ),
    # -- sizes ----------------------------------------------------------------------------------
    Case(
        "20000 columns",
        "wide.csv",
        _many_columns,
        Refused("The table has 20000 columns; the most accepted is 16384."),
    ),
    Case(
        "a 10 MB cell",
        "big.csv",
        _big_cell,
        Refused(
            "Row 2, column 'name': the value is 10485760 characters long; "
            "the longest accepted is 1000000."
        ),
    ),
    # -- not tables -----------------------------------------------------------------------------
    Case(
        "binary junk named .csv",
        "items.csv",
        binary_junk,
        Refused("This file cannot be read as a table: it holds binary data, not text."),
    ),
    Case(
        "a PDF named .csv",
        "items.csv",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        Refused("This file cannot be read as a table: it looks like a PDF document."),
    ),
    Case(
        "a CSV named .xlsx",
        "items.xlsx",
        lambda: text_file(OK_ROWS),
        Imported(OK_ITEMS),  # the content decides, not the name
    ),
    Case(
        "xlsx zip bomb",
        "items.xlsx",
        zip_bomb,
        Refused("This workbook's part 'xl/worksheets/sheet1.xml' is compressed"),
    ),
    Case(
        "xlsx with a million empty styled rows",
        "items.xlsx",
        styled_empty_rows,
        Imported({"A-1": item("Widget", 2, "1.50")}),
    ),
    Case(
        "password-protected workbook",
        "items.xlsx",
        encrypted_workbook,
        Refused("This workbook is encrypted (password protected); save it without a password"),
    ),
    Case(
        "old .xls with a date cell",
        "items.xls",
        lambda: xls(
            [HEADER, ["007", "Café", 12, 9.9, ("date", 45322)], ["008", "Thé", 1.0, None, None]]
        ),
        Imported({"007": item("Café", 12, "9.90", dt.date(2024, 1, 31)), "008": item("Thé", 1)}),
    ),
    # -- hostile content ------------------------------------------------------------------------
    Case(
        "formula cells",
        "items.csv",
        lambda: text_file(
            [
                HEADER,
                ["A", FORMULA, "", "", ""],
                ["B", "+1+1", "", "", ""],
                ["C", "@SUM(A1)", "", "", ""],
            ]
        ),
        Imported({"A": item(FORMULA), "B": item("+1+1"), "C": item("@SUM(A1)")}),
    ),
    Case(
        "formula cells in a workbook",
        "items.xlsx",
        lambda: workbook([HEADER, ["A", FORMULA], ["B", "-2+3"]]),
        Imported({"A": item(FORMULA), "B": item("-2+3")}),
    ),
    Case(
        "HTML and JavaScript in cells and headers",
        "items.csv",
        lambda: text_file(
            [
                [*HEADER, SCRIPT],
                ["A", SCRIPT, "", "", "", SCRIPT],
                ["B", '<img src=x onerror="alert(1)">', "", "", "", ""],
            ]
        ),
        Imported({"A": item(SCRIPT), "B": item('<img src=x onerror="alert(1)">')}),
    ),
    # -- numbers --------------------------------------------------------------------------------
    Case(
        "thousand separators and decimal commas",
        "items.csv",
        lambda: text_file(
            [
                HEADER,
                ["A", "a", "1,000", "1,234.50", ""],
                ["B", "b", "1.000", "12,50", ""],
                ["C", "c", "2", "1.234,50", ""],
            ]
        ),
        Invalid(
            (
                (2, "quantity", "1,000", "Not a whole number"),
                (2, "price", "1,234.50", "Not a number"),
                (3, "price", "12,50", "Not a number"),
                (4, "price", "1.234,50", "Not a number"),
            )
        ),
    ),
    Case(
        "NaN and infinities",
        "items.csv",
        lambda: text_file(
            [
                HEADER,
                ["A", "a", "", "NaN", ""],
                ["B", "b", "", "inf", ""],
                ["C", "c", "", "-Infinity", ""],
                ["D", "d", "nan", "", ""],
            ]
        ),
        Invalid(
            (
                (2, "price", "NaN", "Not a number"),
                (3, "price", "inf", "Not a number"),
                (4, "price", "-Infinity", "Not a number"),
                (5, "quantity", "nan", "Not a whole number"),
            )
        ),
    ),
    Case(
        "integers beyond 64 bits",
        "items.csv",
        lambda: text_file(
            [
                HEADER,
                ["A", "a", "9223372036854775807", "", ""],
                ["B", "b", "99999999999999999999", "", ""],
                ["C", "c", "-9223372036854775809", "", ""],
            ]
        ),
        Invalid(
            (
                (3, "quantity", "99999999999999999999", "Out of range for Int64"),
                (4, "quantity", "-9223372036854775809", "Out of range for Int64"),
            )
        ),
    ),
    Case(
        "leading zeros stay text",
        "items.csv",
        lambda: text_file(
            [
                HEADER,
                ["007", "a", "007", "", ""],
                ["0", "b", "", "", ""],
                ["00123456789012345678901", "c", "", "", ""],
            ]
        ),
        Imported({"007": item("a", 7), "0": item("b"), "00123456789012345678901": item("c")}),
    ),
    Case(
        "leading zeros in a workbook",
        "items.xlsx",
        lambda: workbook([HEADER, ["007", "text cell"], [7, "number cell"]]),
        Imported({"007": item("text cell"), "7": item("number cell")}),
    ),
    # -- dates ----------------------------------------------------------------------------------
    Case(
        "dates in several formats",
        "items.csv",
        lambda: text_file(
            [
                HEADER,
                ["A", "a", "", "", "2024-01-31"],
                ["B", "b", "", "", "31.01.2024"],
                ["C", "c", "", "", "01/31/2024"],
                ["D", "d", "", "", "2024-01-31 00:00:00"],
            ]
        ),
        Imported({code: item(code.lower(), day=dt.date(2024, 1, 31)) for code in "ABCD"}),
    ),
    Case(
        "impossible dates and serial numbers in text",
        "items.csv",
        lambda: text_file(
            [
                HEADER,
                ["A", "a", "", "", "2024-02-30"],
                ["B", "b", "", "", "45322"],
                ["C", "c", "", "", "31/01/2024"],
            ]
        ),
        Invalid(
            (
                (2, "day", "2024-02-30", "Not a date"),
                (3, "day", "45322", "Not a date"),
                (4, "day", "31/01/2024", "Not a date"),
            )
        ),
    ),
    Case(
        "Excel date cells",
        "items.xlsx",
        lambda: workbook(
            [HEADER, ["A", "a"], ["B", "b"]],
            dates=[(1, 4, dt.date(2024, 1, 31)), (2, 4, dt.date(1999, 12, 31))],
        ),
        Imported(
            {"A": item("a", day=dt.date(2024, 1, 31)), "B": item("b", day=dt.date(1999, 12, 31))}
        ),
    ),
    # -- Unicode --------------------------------------------------------------------------------
    Case(
        "Unicode that normalises differently",
        "items.csv",
        lambda: text_file(
            [
                HEADER,
                ["Cafe\u0301", "Cafe\u0301 au lait", "", "", ""],  # NFD: e + combining accent
                ["\uff21\uff11", "ﬁne", "", "", ""],  # compatibility forms: NFC keeps them
            ]
        ),
        Imported({"Café": item("Café au lait"), "\uff21\uff11": item("ﬁne")}),
    ),
    Case(
        "the same code in NFC and NFD is one code",
        "items.csv",
        lambda: text_file(
            [
                HEADER,
                ["Caf\u00e9", "composed", "", "", ""],
                ["Cafe\u0301", "decomposed", "", "", ""],
            ]
        ),
        # One code, two names: neither row is guessed to be the right one.
        Invalid(
            (
                (2, "code", "Café", "Rows 2 and 3 have the same code 'Café' but different name"),
                (3, "code", "Café", "Rows 2 and 3 have the same code 'Café' but different name"),
            )
        ),
    ),
    # -- issue 12: input that must never be changed silently (readers) ---------------------------
    *READER_HOLES,
    # -- rows with the same key, every row accounted for, importer code that raises ----------
    # (issue 12 §5; the importers are in importers.py: tests.corpus keys rows by code)
    Case(
        "same code, different values",
        "items.csv",
        lambda: text_file(
            [
                HEADER,
                ["A", "first", "1", "", ""],
                ["B", "other", "", "x", ""],
                ["A", "second", "2", "", ""],
                ["C", "fine", "", "", ""],
            ]
        ),
        Invalid(
            (
                (
                    2,
                    "code",
                    "A",
                    "Rows 2 and 4 have the same code 'A' but different name, quantity",
                ),
                (3, "price", "x", "Not a number"),
                (
                    4,
                    "code",
                    "A",
                    "Rows 2 and 4 have the same code 'A' but different name, quantity",
                ),
            )
        ),
        rows={"read": 4, "imported": 1, "rejected": 3},
    ),
    Case(
        "same code, same values",
        "items.csv",
        lambda: text_file([HEADER, ["A", "one", "1", "", ""], ["A", "one", "1", "", ""]]),
        Imported({"A": item("one", 1)}),  # the repeat is dropped with a warning
        rows={"read": 2, "imported": 1, "skipped": 1, "dropped": 1},
    ),
    Case(
        "same code, the importer lets the last row win",
        "items.csv",
        lambda: text_file(
            [HEADER, ["A", "old", "1", "", ""], ["B", "b", "", "", ""], ["A", "new", "2", "", ""]]
        ),
        Imported({"A": item("new", 2), "B": item("b")}),
        importer="tests.corpus_last",
        rows={"read": 3, "imported": 2, "skipped": 1, "dropped": 1},
    ),
    Case(
        "same code, the importer lets the first row win",
        "items.csv",
        lambda: text_file(
            [HEADER, ["A", "old", "1", "", ""], ["B", "b", "", "", ""], ["A", "new", "2", "", ""]]
        ),
        Imported({"A": item("old", 1), "B": item("b")}),
        importer="tests.corpus_first",
        rows={"read": 3, "imported": 2, "skipped": 1, "dropped": 1},
    ),
    Case(
        "importer code raises in get_bulks_by_model",
        "items.csv",
        lambda: text_file(OK_ROWS),
        Failed(
            "The importer 'tests.broken_objects' failed with an error in its code: "
            "KeyError: 'prices'. Nothing was written. The details are in the server log.",
            "Importer 'tests.broken_objects' failed: KeyError: 'prices' "
            "(run with --traceback for details)",
        ),
        importer="tests.broken_objects",
        rows={"read": 2, "rejected": 2},
    ),
    Case(
        "importer code raises in get_frames_by_model",
        "items.csv",
        lambda: text_file(OK_ROWS),
        Failed(
            "The importer 'tests.broken_frames' failed with an error in its code: "
            "KeyError: 'prices'. Nothing was written.",
            "Importer 'tests.broken_frames' failed: KeyError: 'prices' "
            "(run with --traceback for details)",
        ),
        importer="tests.broken_frames",
    ),
    Case(
        "importer code raises while the loader pulls its objects",
        "items.csv",
        lambda: text_file(OK_ROWS),
        Failed(
            "The importer 'tests.broken_lazy' failed with an error in its code: "
            "ZeroDivisionError: integer division or modulo by zero. Nothing was written.",
            "Importer 'tests.broken_lazy' failed: ZeroDivisionError: integer division or modulo "
            "by zero (run with --traceback for details)",
        ),
        importer="tests.broken_lazy",
    ),
    Case(
        "a hook of the importer's cleaning class raises",
        "items.csv",
        lambda: text_file(OK_ROWS),
        Failed(
            "The importer 'tests.broken_cleaning' failed with an error in its code: TypeError: ",
            "Importer 'tests.broken_cleaning' failed: TypeError: ",
        ),
        importer="tests.broken_cleaning",
    ),
    # -- end of issue 12's duplicate keys, row accounting, importer code that raises ------------
]
