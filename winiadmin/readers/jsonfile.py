"""JSON and NDJSON (JSON Lines) files: a list of records, every value as the text written.

JSON: ``[{...}, {...}]``, or an object holding one list of records (``{"products": [...]}``).
NDJSON: one object per non-empty line. Columns are the keys, in the order first seen.

Values: numbers exactly as written (``12``, ``12.50``, ``1e3``), ``true``/``false``, ``null``
as null, strings as they are, nested objects and lists as compact JSON text.

Row numbers: record index + 2 for both, as if the keys were a header on row 1 (so the first
record is row 2, as in a CSV export of the same data). For NDJSON, blank lines are not counted.
"""

import json
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.utils.translation import gettext, gettext_lazy

from winiadmin.exceptions import FileReadError
from winiadmin.readers.base import RawTable, ReadOptions
from winiadmin.readers.encoding import decode_text
from winiadmin.readers.grid import row_numbers, unique_names

Record = dict[str, Any]
_TOO_DEEP = gettext_lazy("The JSON is nested too deeply to be a table.")


class _Number(str):
    """A JSON number kept as written; a str subclass so that nested values re-serialize as-is."""

    __slots__ = ()


def read_json(data: bytes, options: ReadOptions) -> RawTable:
    text, encoding = decode_text(data, options.encoding, sample_size=options.sniff_bytes)
    try:
        document = _loads(text)
    except json.JSONDecodeError as exc:
        msg = gettext(
            "This JSON file is not valid: %(error)s at line %(line)s, column %(column)s."
        ) % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
        raise FileReadError(msg) from exc
    except RecursionError as exc:
        raise FileReadError(str(_TOO_DEEP)) from exc
    return _table(_records_of(document), "json", encoding, options)


def read_ndjson(data: bytes, options: ReadOptions) -> RawTable:
    text, encoding = decode_text(data, options.encoding, sample_size=options.sniff_bytes)
    records: list[Record] = []
    limit = options.get_limits().rows
    for line_number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if line.strip():
            records.append(_line_record(line, line_number))
            if len(records) > limit:
                break  # one too many is enough to refuse the file
    return _table(records, "ndjson", encoding, options)


def _loads(text: str) -> Any:
    return json.loads(text, parse_int=_Number, parse_float=_Number, parse_constant=_Number)


def _line_record(line: str, line_number: int) -> Record:
    try:
        value = _loads(line)
    except json.JSONDecodeError as exc:
        msg = gettext("Line %(line)s is not valid JSON: %(error)s (column %(column)s).") % {
            "line": line_number,
            "error": exc.msg,
            "column": exc.colno,
        }
        raise FileReadError(msg) from exc
    except RecursionError as exc:
        msg = gettext("Line %(line)s: %(error)s") % {"line": line_number, "error": _TOO_DEEP}
        raise FileReadError(msg) from exc
    if not isinstance(value, dict):
        msg = gettext(
            "Line %(line)s is not a JSON object ({...}); each line must be one record."
        ) % {"line": line_number}
        raise FileReadError(msg)
    return value


def _records_of(document: Any) -> list[Record]:
    if isinstance(document, dict):
        document = _only_list_of_records(document)
    if not isinstance(document, list):
        msg = gettext("This JSON file holds no list of records, such as [{...}, {...}].")
        raise FileReadError(msg)
    for index, item in enumerate(document):
        if not isinstance(item, dict):
            msg = gettext("Record %(n)s of the JSON list is not an object ({...}).") % {
                "n": index + 1
            }
            raise FileReadError(msg)
    return document


def _only_list_of_records(document: Record) -> list[Record]:
    lists = [
        key
        for key, value in document.items()
        if isinstance(value, list) and all(isinstance(item, dict) for item in value)
    ]
    if len(lists) == 1:
        records: list[Record] = document[lists[0]]
        return records
    if lists:
        msg = gettext(
            "This JSON object holds several lists of records (%(lists)s); "
            "only one table can be imported at a time."
        ) % {"lists": ", ".join(lists)}
    else:
        msg = gettext(
            'This JSON object holds no list of records, such as {"products": [{...}, ...]}.'
        )
    raise FileReadError(msg)


def _table(records: Sequence[Record], fmt: str, encoding: str, options: ReadOptions) -> RawTable:
    limits = options.get_limits()
    limits.check_rows(len(records))
    keys = list(dict.fromkeys(key for record in records for key in record))
    if records and not keys:
        raise FileReadError(gettext("The JSON records have no fields."))
    limits.check_columns(len(keys))
    limits.check_rows(len(records), len(keys))
    columns = {
        name: pl.Series(name, [_text(record.get(key)) for record in records], dtype=pl.String)
        for key, name in zip(keys, unique_names(keys), strict=True)
    }
    frame = pl.DataFrame(list(columns.values()))
    return RawTable(frame, row_numbers(2, len(records)), fmt, encoding=encoding)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # strings and _Number
        return str(value)
    if isinstance(value, dict | list):
        return _compact(value)
    return "true" if value else "false"  # the only other JSON value: a boolean


def _compact(value: Any) -> str:
    """Compact JSON text, numbers as written (``json.dumps`` would quote the _Number strings)."""
    if isinstance(value, dict):
        items = (f"{json.dumps(key, ensure_ascii=False)}:{_compact(v)}" for key, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_compact(item) for item in value) + "]"
    if isinstance(value, _Number):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
