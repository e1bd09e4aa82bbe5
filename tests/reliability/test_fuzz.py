"""Generated files through the readers, the cleaning and the whole pipeline.

The only acceptable failure is a clean one: ``read_table`` returns a table or raises
``FileReadError``; cleaning returns problems; ``run_import`` returns a result (never raises).
Deterministic (``derandomize``, no example database), and small enough to take seconds.
"""

import codecs
import json
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.importers import CorpusCleaningDF, CorpusImporter
from tests.testapp.models import CorpusItem
from winiadmin.cleaning.stage import clean_table
from winiadmin.exceptions import FileReadError
from winiadmin.readers import RawTable, read_table
from winiadmin.results import ImportStatus

FUZZ = settings(
    max_examples=80,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Cells that look like what tables hold, and what breaks parsers: quotes, delimiters, line
# breaks, control characters, markup, numbers in every spelling, non-ASCII.
_CELL_PIECES = st.sampled_from(
    ['"', "'", ",", ";", "\t", "|", "\n", "\r", "\r\n", "\x00", "\x1b", "\ufeff", "=", "<b>",
     "007", "1,5", "1.000", "NaN", "-inf", "99999999999999999999", "2024-02-30", "é", "e\u0301",
     "€", "😀", " ", ""]
)  # fmt: skip
CELL = st.lists(st.one_of(_CELL_PIECES, st.text(max_size=6)), max_size=4).map("".join)
ENCODING = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"])
NEWLINE = st.sampled_from(["\n", "\r\n", "\r"])
DELIMITER = st.sampled_from([",", ";", "\t", "|"])


def _quote(cell: str, delimiter: str, *, sloppy: bool) -> str:
    if sloppy:  # what hand-made exports do: no quoting at all, or half of it
        return cell
    return '"' + cell.replace('"', '""') + '"' if set(cell) & {'"', delimiter, "\n", "\r"} else cell


@st.composite
def delimited_files(draw: st.DrawFn, header: list[str] | None = None) -> bytes:
    """CSV/TSV-like bytes: any header (or the one given), ragged rows, sloppy quoting."""
    delimiter, newline = draw(DELIMITER), draw(NEWLINE)
    sloppy = draw(st.booleans())
    width = len(header) if header else draw(st.integers(1, 6))
    header = header or draw(st.lists(CELL, min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=width + 2), max_size=8))
    lines = [
        delimiter.join(_quote(c, delimiter, sloppy=sloppy) for c in r) for r in [header, *rows]
    ]
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    return text.encode(draw(ENCODING), errors="replace")


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def json_files(draw: st.DrawFn) -> bytes:
    records = draw(
        st.lists(st.dictionaries(st.text(max_size=6), JSON_VALUE, max_size=4), max_size=5)
    )
    if draw(st.booleans()):
        text = "\n".join(json.dumps(r) for r in records)  # NDJSON
    else:
        text = json.dumps(draw(st.sampled_from([records, {"items": records}])))
    if draw(st.booleans()):  # truncated: what an interrupted download leaves
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode(draw(ENCODING), errors="replace")


def read_cleanly(data: bytes, name: str) -> RawTable | None:
    try:
        return read_table(data, name=name)
    except FileReadError as exc:
        message = str(exc)
    assert message.strip(), "a read error must say something"
    assert "Traceback" not in message
    return None


@FUZZ
@given(data=delimited_files(), name=st.sampled_from(["f.csv", "f.tsv", "f.txt", "f", "f.xlsx"]))
def test_delimited_text_reads_or_says_why(data: bytes, name: str) -> None:
    table = read_cleanly(data, name)
    if table is not None:
        assert table.frame.height == len(table.row_numbers)
        assert all(dtype == pl.String for dtype in table.frame.dtypes)


@FUZZ
@given(data=json_files(), name=st.sampled_from(["f.json", "f.ndjson", "f.csv"]))
def test_json_reads_or_says_why(data: bytes, name: str) -> None:
    read_cleanly(data, name)


@FUZZ
@given(
    data=st.binary(max_size=2048),
    name=st.sampled_from(["f.csv", "f.xlsx", "f.xls", "f.parquet", "f.json"]),
)
def test_any_bytes_read_or_say_why(data: bytes, name: str) -> None:
    read_cleanly(data, name)


@FUZZ
@given(
    prefix=st.sampled_from(
        [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PAR1", codecs.BOM_UTF16_LE]
    ),
    rest=st.binary(max_size=2048),
)
def test_damaged_containers_read_or_say_why(prefix: bytes, rest: bytes) -> None:
    read_cleanly(prefix + rest, "f.xlsx")


COLUMNS = ["code", "name", "quantity", "price", "day"]


@FUZZ
@given(
    values=st.lists(st.lists(st.one_of(st.none(), CELL), min_size=5, max_size=5), max_size=12),
    columns=st.permutations(COLUMNS),
)
def test_cleaning_reports_problems_and_never_raises(
    values: list[list[Any]], columns: list[str]
) -> None:
    frame = pl.DataFrame(values, schema=dict.fromkeys(columns, pl.String), orient="row")
    outcome = clean_table(frame, CorpusCleaningDF)
    kept = set(outcome.row_numbers.to_list())
    assert kept <= set(range(2, frame.height + 2))  # rows come from the file, none invented
    assert not kept & set(outcome.invalid_rows)
    for problem in outcome.problems:
        assert problem.message
        if problem.row is not None and problem.is_error:
            assert problem.column in COLUMNS


@pytest.mark.django_db
@FUZZ
@given(data=st.one_of(delimited_files(header=COLUMNS), delimited_files()))
def test_the_pipeline_returns_a_result_for_any_file(data: bytes) -> None:
    result = CorpusImporter().run(data, dry_run=True, file_name="fuzz.csv")
    assert result.status in {ImportStatus.INVALID, ImportStatus.DRY_RUN}, result.error
    if result.status is ImportStatus.INVALID:
        assert result.error
    assert not CorpusItem.objects.exists()  # a dry run, whatever happened
