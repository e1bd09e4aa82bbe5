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
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl
from django.utils.translation import gettext, ngettext

from winiadmin.exceptions import FileReadError
from winiadmin.problems import Problem, ProblemKind, Severity
from winiadmin.readers.base import RawTable, ReadOptions
from winiadmin.readers.encoding import decode_text
from winiadmin.readers.grid import column_letter, column_letters, table_from_grid

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
        raise FileReadError(gettext("The file is empty."))
    delimiter = options.delimiter or choose_delimiter(
        head_sample(text, options.sniff_bytes), prefer_tab=fmt == "tsv"
    )
    if len(delimiter) != 1:
        msg = gettext(
            "The delimiter must be a single character, such as ',' or ';', not %(delimiter)r."
        ) % {"delimiter": delimiter}
        raise FileReadError(msg)
    # polars skips blank lines before the header; strip them here to count them.
    body = text.lstrip("\n")
    first_row = len(text) - len(body) + 1
    limits = options.get_limits()
    width = _header_width(_first_line(body, options.sniff_bytes), delimiter)
    limits.check_columns(width)
    grid, lengths = _parse(body, delimiter, first_row, max_records=limits.records(width) + 2)
    limits.check_rows(grid.height - 1, width)  # the header is one of them
    table = table_from_grid(grid, first_row=first_row, header_row=options.header_row)
    if table is None:
        raise FileReadError(gettext("The file is empty."))
    raw = RawTable(
        table.frame,
        table.row_numbers,
        fmt,
        encoding=encoding,
        delimiter=delimiter,
        header_row=table.header_row,
        header_detected=options.header_row is None,
        headers=table.headers,
    )
    frame = raw.frame
    if lengths is None and frame.height and frame.get_column(frame.columns[-1]).null_count():
        # polars fills missing trailing fields with nulls: only a real scan tells a short row
        # from an empty last value. Needed only when the last column has empty values.
        lengths = _record_lengths(body, delimiter)
    return ragged_rows(raw, lengths, table.header_row - first_row) if lengths else raw


def ragged_rows(table: RawTable, lengths: Sequence[int], header_index: int) -> RawTable:
    """Rows with fewer or more values than the header, as row problems; extra values dropped.

    ``lengths`` is the number of values of each record of the file from the grid's first row
    (0 for a blank line); ``header_index`` the header's place among them. A short row keeps its
    values (the missing ones empty), a long one loses the values past the header's width: either
    way the row is an error, so it is imported only if the file is fixed, or left out when
    invalid rows are skipped. Extra values that are all empty (a trailing delimiter, as some
    exports write) are no problem: a spreadsheet shows nothing there, and nothing is lost.
    """
    header_size = lengths[header_index] if header_index < len(lengths) else table.frame.width
    frame = table.frame
    extra_columns = frame.columns[header_size:]
    wrong = {
        header_index + 1 + offset: size
        for offset, size in enumerate(lengths[header_index + 1 :])
        if size and size != header_size
    }
    problems: list[Problem] = []
    if wrong:
        first_row = int(table.header_row or 1) - header_index
        sizes = {first_row + index: size for index, size in wrong.items()}
        # A record of empty fields is a blank row: it has no table row, and nothing to report.
        placed = table.row_numbers.is_in(list(sizes))
        for row, values in zip(
            table.row_numbers.filter(placed), frame.filter(placed).iter_rows(), strict=True
        ):
            extra = list(values)[header_size : sizes[row]]
            if sizes[row] < header_size or any(extra):
                problems.append(ragged_problem(table, row, sizes[row], header_size, extra))
    if extra_columns:
        frame = frame.drop(extra_columns)
        headers = table.headers[:header_size] if table.headers else ()
        table = replace(table, frame=frame, headers=headers)
    return replace(table, problems=(*table.problems, *problems)) if problems else table


def ragged_problem(
    table: RawTable, row: int, size: int, header_size: int, extra: Sequence[str | None]
) -> Problem:
    """Row ``row`` has ``size`` values, the header ``header_size``: the missing or extra ones.

    ``extra``: the values past the header's width, shown as the problem's value.
    """
    names = table.frame.columns
    head = ngettext(
        "Row %(row)s has %(size)s value; the header has %(header)s",
        "Row %(row)s has %(size)s values; the header has %(header)s",
        size,
    ) % {"row": row, "size": size, "header": header_size}
    if size < header_size:
        indexes = list(range(size, header_size))
        letters = column_letters(table, indexes)
        listed = ", ".join(
            f"{letter} ({names[i]})" for letter, i in zip(letters, indexes, strict=True)
        )
        message = ngettext(
            "%(head)s: column %(columns)s is missing.",
            "%(head)s: columns %(columns)s are missing.",
            len(indexes),
        ) % {"head": head, "columns": listed}
        column = ", ".join(names[i] for i in indexes)
        return Problem(ProblemKind.INVALID_VALUE, Severity.ERROR, message, row, column)
    indexes = list(range(header_size, size))
    letters = [column_letter(i + 1) for i in indexes]
    message = ngettext(
        "%(head)s: column %(columns)s is extra.",
        "%(head)s: columns %(columns)s are extra.",
        len(indexes),
    ) % {"head": head, "columns": ", ".join(letters)}
    value = (table.delimiter or ",").join(v or "" for v in extra)
    return Problem(ProblemKind.INVALID_VALUE, Severity.ERROR, message, row, value=value)


def _first_line(body: str, sniff_bytes: int) -> str:
    """The first line whole (a very wide header is longer than the sniffed sample)."""
    end = body.find("\n")
    first = body if end < 0 else body[: end + 1]
    return first if '"' not in first else head_sample(body, sniff_bytes)


def _header_width(sample: str, delimiter: str) -> int:
    """Values in the first record (the header), without parsing the rest of the file."""
    try:
        return len(next(_records(sample, delimiter), []))
    except csv.Error:
        return 0  # an unclosed quote in the sample: the parse reports it


def _parse(
    body: str, delimiter: str, first_row: int, max_records: int
) -> tuple[pl.DataFrame, list[int] | None]:
    """The records as rows of text (the header included), blank lines as all-null rows.

    At most ``max_records``: the limits need to see only one record too many. With the number of
    values of each record when the parse had to count them (a row longer than the first one).
    """
    if delimiter.isascii():  # polars takes a one-byte separator only
        try:
            grid = pl.read_csv(
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
        return grid, None
    return _parse_with_csv_module(body, delimiter, first_row, None, max_records)


def _parse_with_csv_module(
    body: str, delimiter: str, first_row: int, cause: Exception | None, max_records: int
) -> tuple[pl.DataFrame, list[int]]:
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
        msg = gettext(
            "The file could not be read as delimited text: %(error)s in the row starting on "
            'line %(line)s. Check its double quotes (").'
        ) % {"error": exc, "line": line}
        raise FileReadError(msg) from (cause or exc)
    width = max((len(record) for record in records), default=0)
    # Short records (a blank line too) are padded with empty cells: ragged_rows reports them.
    rows = [record + [""] * (width - len(record)) for record in records]
    grid = pl.DataFrame(rows, schema=[f"c{i}" for i in range(width)], orient="row")
    return grid, [len(record) for record in records]


def _records(body: str, delimiter: str) -> "_csv.Reader":
    # strict: an unclosed quote is an error, not a value swallowing the rest of the file.
    return csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=True)


def _record_lengths(body: str, delimiter: str) -> list[int] | None:
    """The number of values of each record (0: a blank line); ``None`` if the scan fails."""
    try:
        return [len(record) for record in _records(body, delimiter)]
    except csv.Error:
        # The scan only looks for short rows; polars' table stands.
        return None
