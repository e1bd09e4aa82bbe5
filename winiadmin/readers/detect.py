"""Which reader a file needs: by its content first, by its extension second.

Content wins because names lie: a CSV saved as ``.xlsx``, a PDF renamed ``.csv``. The
extension only settles what the content leaves open: TSV rather than CSV (``.tsv``, ``.tab``),
and JSON Lines rather than JSON (``.ndjson``, ``.jsonl``).
"""

import codecs
import json
import re
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from winiadmin.exceptions import FileReadError
from winiadmin.readers.delimited import head_sample, sniff_delimiter
from winiadmin.readers.encoding import BINARY_MESSAGE, detect_encoding
from winiadmin.readers.excel import CFB_MAGIC, ZIP_MAGIC
from winiadmin.readers.parquet import PARQUET_MAGIC

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

# An OpenDocument file's first zip entry is "mimetype", stored uncompressed.
#: How much of an upload tells its type: its start, and for a zip its end too.
_HEAD_BYTES = 64 * 1024
_ZIP_TAIL_BYTES = 256 * 1024


def head_and_tail(upload: "UploadedFile[bytes]") -> bytes:
    """The bytes that tell an upload's type (:func:`detect_format`): its start, and for a zip
    (a workbook?) its end too, where the names of its entries are listed. The wizard's upload
    form and the API read an upload's type the same way."""
    upload.seek(0)
    head = bytes(upload.read(_HEAD_BYTES))
    if head.startswith(ZIP_MAGIC) and (upload.size or 0) > _HEAD_BYTES:
        upload.seek(max(_HEAD_BYTES, (upload.size or 0) - _ZIP_TAIL_BYTES))
        head += bytes(upload.read())
    upload.seek(0)
    return head


_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_NOT_TABLE = _("This file cannot be read as a table: it looks like %(kind)s.")
_EXTRACT = _("a ZIP archive; extract it and upload the table inside")
_WORD = _("a Word document")

_BINARY_MAGIC: tuple[tuple[bytes, str | Promise], ...] = (
    (b"%PDF", _("a PDF document")),
    (b"\x89PNG", _("a PNG image")),
    (b"\xff\xd8\xff", _("a JPEG image")),
    (b"GIF87a", _("a GIF image")),
    (b"GIF89a", _("a GIF image")),
    (b"\x1f\x8b", _("a gzip-compressed file; decompress it and upload the table inside")),
    (b"Rar!\x1a\x07", _("a RAR archive; extract it and upload the table inside")),
    (b"7z\xbc\xaf\x27\x1c", _("a 7-Zip archive; extract it and upload the table inside")),
    (b"\x7fELF", _("a program")),
)
# Zip entry names (stored as plain bytes) or mimetypes of office files that are not workbooks.
_ZIP_DOCUMENTS: tuple[tuple[bytes, str | Promise], ...] = (
    (b"word/document.xml", _WORD),
    (b"ppt/presentation.xml", _("a PowerPoint presentation")),
    (b"application/vnd.oasis.opendocument.text", _("an OpenDocument text document")),
)
# OLE stream names are UTF-16: a Word .doc holds "WordDocument".
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_HTML = _("a web page (HTML); open it in Excel and save it as .xlsx")
_TEXT_MARKUP: tuple[tuple[str, str | Promise], ...] = (
    ("<!doctype html", _HTML),
    ("<html", _HTML),
    ("<?xml", _("an XML document")),
)
# Control characters that text tables do not contain (tab, line breaks and form feeds do).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_TSV_EXTENSIONS = frozenset({".tsv", ".tab"})
_NDJSON_EXTENSIONS = frozenset({".ndjson", ".jsonl"})
_TEXT_SAMPLE = 64 * 1024


def detect_format(head: bytes, name: str | None) -> str:
    """The reader for a file: "csv", "tsv", "excel", "json", "ndjson" or "parquet".

    ``head`` is the start of the file, or all of it (a zip is recognised more surely from the
    whole file: its entry names are also at the end). ``name`` gives the extension.
    """
    if not head or head.isspace():  # isspace: no copy of a large file
        raise FileReadError(str(_("The file is empty.")))
    if head.startswith(ZIP_MAGIC):
        return _zip_format(head)
    if head.startswith(CFB_MAGIC):
        return _ole_format(head)
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            raise FileReadError(_not_table(kind))
    return _text_format(head, extension(name))


def extension(name: str | None) -> str:
    """The lower-case extension of a file name, with its dot; "" without one."""
    return PurePath(name).suffix.lower() if name else ""


def _zip_format(head: bytes) -> str:
    if b"xl/workbook." in head or _ODS_MIMETYPE in head[:256]:
        return "excel"
    for marker, kind in _ZIP_DOCUMENTS:
        if marker in head:
            raise FileReadError(_not_table(kind))
    raise FileReadError(_not_table(_EXTRACT))


def _not_table(kind: str | Promise) -> str:
    return str(_NOT_TABLE) % {"kind": kind}


def _ole_format(head: bytes) -> str:
    # An old .xls, or an encrypted .xlsx/.xls: the Excel reader tells them apart.
    if _WORD_STREAM in head:
        raise FileReadError(_not_table(_WORD))
    return "excel"


def _text_format(head: bytes, ext: str) -> str:
    text = _sample_text(head)
    if len(_CONTROL.findall(text)) > max(len(text) // 100, 1):
        raise FileReadError(str(BINARY_MESSAGE))
    start = text.lstrip()
    if start.startswith("["):
        return "json"
    if start.startswith("{"):
        return "ndjson" if _is_ndjson(start, ext) else "json"
    for markup, kind in _TEXT_MARKUP:
        if start[: len(markup)].lower() == markup:
            raise FileReadError(_not_table(kind))
    if ext in _TSV_EXTENSIONS or sniff_delimiter(text) == "\t":
        return "tsv"
    return "csv"


def _sample_text(head: bytes) -> str:
    """The first complete lines of the file as text (raises for binary data)."""
    encoding = detect_encoding(head[:_TEXT_SAMPLE])
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(head[:_TEXT_SAMPLE]).removeprefix("\ufeff")
    return head_sample(text, len(text) - 1) if len(head) > _TEXT_SAMPLE else text


def _is_ndjson(text: str, ext: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()][:2]
    if not _is_json_object(lines[0]):
        return False  # a pretty-printed object
    return ext in _NDJSON_EXTENSIONS or (len(lines) == 2 and _is_json_object(lines[1]))


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
