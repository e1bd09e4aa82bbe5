"""CSV and TSV files: decode, sniff the delimiter, parse with polars, every value kept as text.

Row numbers are what a spreadsheet shows when it opens the file: the header is row 1, each
record is one row (a quoted value spanning several lines is still one row), and a blank line is
a row too. Blank lines, and records whose fields are all empty, give no table row, but the rows
after them keep their true numbers; blank lines before the header count as well, so the header
may be row 3. Line endings may be mixed (``\\r\\n``, ``\\n``, ``\\r``); line breaks inside quoted
values come out as ``\\n``.
"""

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import polars as pl

from winiadmin.exceptions import FileReadError
from winiadmin.readers.base import RawTable, ReadOptions
from winiadmin.readers.encoding import decode_text
from winiadmin.readers.grid import table_from_grid

if TYPE_CHECKING:
    import _csv

_CANDIDATES = (",", ";", "\t", "|")
# A quoted value, its escaped quotes ("") included, as two adjacent matches; may span lines.
_QUOTED = re.compile(r'"[^"]*"')
_NEWLINES = re.compile(r"\r\n?")
#: Lines the sniffer compares; enough to see a pattern, few enough to stay instant.
_SNIFF_LINES = 200


def read_csv(data: bytes, options: ReadOptions) -> RawTable:
    return _read_delimited(data, options, "csv")


def read_tsv(data: bytes, options: ReadOptions) -> RawTable:
    return _read_delimited(data, options, "tsv")


def sniff_delimiter(text: str) -> str:
    """The delimiter among ``,`` ``;`` tab ``|`` that splits the lines most consistently.

    Counts each candidate on every line outside double quotes, and picks the one whose most
    common count is above zero and shared by the most lines (ties: the higher count, then the
    order above). ``,`` when none appears: a single-column file.
    """
    lines = _sniff_lines(text)
    best = max(_CANDIDATES, key=lambda candidate: _consistency(candidate, lines))
    return best if _consistency(best, lines) > (0.0, 0) else ","


def choose_delimiter(sample: str, *, prefer_tab: bool) -> str:
    """The sniffed delimiter; for a TSV, tab unless the sample clearly uses another one."""
    sniffed = sniff_delimiter(sample)
    if not prefer_tab or sniffed == "\t":
        return sniffed
    lines = _sniff_lines(sample)
    clearly_other = "\t" not in sample and _consistency(sniffed, lines)[0] == 1.0
    return sniffed if clearly_other else "\t"


def head_sample(text: str, size: int) -> str:
    """The first ``size`` characters, without the last line when it was cut."""
    if len(text) <= size:
        return text
    sample = text[:size]
    cut = sample.rfind("\n")
    return sample[:cut] if cut > 0 else sample


def _sniff_lines(text: str) -> list[str]:
    lines = _QUOTED.sub("", text).splitlines()
    return [line for line in lines if line.strip()][:_SNIFF_LINES]


def _consistency(candidate: str, lines: Sequence[str]) -> tuple[float, int]:
    counts = Counter(line.count(candidate) for line in lines)
    if not counts:
        return (0.0, 0)
    count, lines_with_count = counts.most_common(1)[0]
    if count == 0:
        return (0.0, 0)
    return (lines_with_count / len(lines), count)


def _read_delimited(data: bytes, options: ReadOptions, fmt: str) -> RawTable:
    text, encoding = decode_text(data, options.encoding, sample_size=options.sniff_bytes)
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    if not text or text.isspace():
        raise FileReadError("The file is empty.")
    delimiter = options.delimiter or choose_delimiter(
        head_sample(text, options.sniff_bytes), prefer_tab=fmt == "tsv"
    )
    if len(delimiter) != 1:
        msg = f"The delimiter must be a single character, such as ',' or ';', not {delimiter!r}."
        raise FileReadError(msg)
    # polars skips blank lines before the header; strip them here to count them.
    body = text.lstrip("\n")
    first_row = len(text) - len(body) + 1
    limits = options.get_limits()
    limits.check_columns(_header_width(head_sample(body, options.sniff_bytes), delimiter))
    grid = _parse(body, delimiter, first_row, max_records=limits.rows + 2)
    limits.check_rows(grid.height - 1)  # the header is one of them
    table = table_from_grid(grid, first_row=first_row, header_row=options.header_row)
    if table is None:
        raise FileReadError("The file is empty.")
    frame, numbers = table.frame, table.row_numbers
    if frame.height and frame.get_column(frame.columns[-1]).null_count():
        # polars fills missing trailing fields with nulls: only a real scan tells a short row
        # from an empty last value. Needed only when the last column has empty values.
        _raise_if_ragged(_records(body, delimiter), first_row)
    return RawTable(
        frame,
        numbers,
        fmt,
        encoding=encoding,
        delimiter=delimiter,
        header_row=table.header_row,
        header_detected=options.header_row is None,
    )


def _header_width(sample: str, delimiter: str) -> int:
    """Values in the first record (the header), without parsing the rest of the file."""
    try:
        return len(next(_records(sample, delimiter), []))
    except csv.Error:
        return 0  # an unclosed quote in the sample: the parse reports it


def _parse(body: str, delimiter: str, first_row: int, max_records: int) -> pl.DataFrame:
    """The records as rows of text (the header included), blank lines as all-null rows.

    At most ``max_records``: the row limit needs to see only one record too many.
    """
    if delimiter.isascii():  # polars takes a one-byte separator only
        try:
            return pl.read_csv(
                body.encode("utf-8"),
                has_header=False,
                separator=delimiter,
                infer_schema=False,
                truncate_ragged_lines=False,
                n_rows=max_records,
            )
        except pl.exceptions.PolarsError as exc:
            # Too many fields, or a quote inside an unquoted value (12" screen) that polars
            # refuses and spreadsheets keep as text: Python's csv module decides.
            return _parse_with_csv_module(body, delimiter, first_row, exc, max_records)
    return _parse_with_csv_module(body, delimiter, first_row, None, max_records)


def _parse_with_csv_module(
    body: str, delimiter: str, first_row: int, cause: Exception | None, max_records: int
) -> pl.DataFrame:
    reader = _records(body, delimiter)
    records: list[list[str]] = []
    lines_read = 0
    try:
        for record in reader:  # one by one, to know on which line a failing record starts
            records.append(record)
            lines_read = reader.line_num
            if len(records) >= max_records:
                break
    except csv.Error as exc:
        line = first_row + lines_read
        msg = (
            f"The file could not be read as delimited text: {exc} in the row starting on "
            f'line {line}. Check its double quotes (").'
        )
        raise FileReadError(msg) from (cause or exc)
    _raise_if_ragged(records, first_row)
    width = max((len(record) for record in records), default=0)
    # A blank line is an empty record: pad it so that it becomes an all-null row.
    rows = [record or [""] * width for record in records]
    return pl.DataFrame(rows, schema=[f"c{i}" for i in range(width)], orient="row")


def _records(body: str, delimiter: str) -> "_csv.Reader":
    # strict: an unclosed quote is an error, not a value swallowing the rest of the file.
    return csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=True)


def _raise_if_ragged(records: Iterable[list[str]], first_row: int) -> None:
    """Raise for the first record whose number of values differs from the header's."""
    header_size: int | None = None
    try:
        for row, record in enumerate(records, start=first_row):
            if not record:  # a blank line
                continue
            if header_size is None:
                header_size = len(record)
            elif len(record) != header_size:
                raise FileReadError(_ragged_message(row, len(record), header_size))
    except csv.Error:
        # The scan only looks for a more precise message; polars' table stands.
        return


def _ragged_message(row: int, values: int, columns: int) -> str:
    value_word = "value" if values == 1 else "values"
    column_word = "column" if columns == 1 else "columns"
    return f"Row {row} has {values} {value_word} but the header has {columns} {column_word}."
