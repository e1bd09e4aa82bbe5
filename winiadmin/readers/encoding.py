"""Detect a text file's encoding and decode it.

No third-party detector (chardet, charset-normalizer): their statistical guesses differ between
versions and often mislabel short files, whereas the few encodings people's tables really come in
can be told apart by rules that always give the same answer:

1. a byte order mark (UTF-8, UTF-16, UTF-32);
2. NUL bytes at every other position: UTF-16 without a BOM (mostly-ASCII text);
3. UTF-8 when the file holds a valid multi-byte UTF-8 sequence (almost never true by accident
   for anything else), even when a few bytes are not valid: those are *marked* (see
   :data:`BAD_BYTE_MARK`) and become row problems, never characters the user did not type;
4. only a file without any valid multi-byte UTF-8 sequence is single-byte: Windows-1252 (what
   Excel writes on Western Windows), unless it uses one of the five bytes cp1252 leaves
   undefined;
5. Latin-1, which accepts any byte.

A few NUL bytes in a text file are data (reported per cell, PostgreSQL cannot store them); only
many of them, not in the UTF-16 pattern, make a file binary.
"""

import codecs
import re

from django.utils.translation import gettext, gettext_lazy

from winiadmin.exceptions import FileReadError

# UTF-32 LE's BOM starts with UTF-16 LE's, so it is tried first.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Bytes looked at for the UTF-16 pattern and for the first guess of :func:`decode_text`.
_SAMPLE = 64 * 1024

BINARY_MESSAGE = gettext_lazy(
    "This file cannot be read as a table: it holds binary data, not text."
)

#: Put before the two hex digits of each byte that is not valid UTF-8 when decoding a file that
#: is UTF-8 otherwise: a Unicode noncharacter, never in real text, so that the cell holding it can
#: be found after parsing and reported (``winiadmin.readers.cells``), the byte written ``\\xe9``.
BAD_BYTE_MARK = "\ufdd0"
_MARKING = "winiadmin-mark-bad-bytes"

#: One valid multi-byte UTF-8 sequence (2, 3 or 4 bytes, no overlong form, no surrogate).
_MULTIBYTE_UTF8 = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
#: Codec names that mean UTF-8 without a BOM (a given encoding is looked up under its own name).
_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf_8", "u8", "utf"})
#: The names people know encodings by, for the preview ("Read as Windows-1252").
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with BOM)",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "utf-32": "UTF-32",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
}
#: What detection falls back to when a file has no valid multi-byte UTF-8 sequence at all.
SINGLE_BYTE = frozenset({"cp1252", "latin-1"})


def _mark_bad_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    # No backslash here: in a JSON string it would start an escape.
    return "".join(f"{BAD_BYTE_MARK}{byte:02x}" for byte in bad), exc.end


codecs.register_error(_MARKING, _mark_bad_bytes)


def encoding_label(encoding: str | None, *, chosen: bool) -> str:
    """How the preview names the encoding: "UTF-8", "Windows-1252 (no UTF-8 found)"."""
    if not encoding:
        return ""
    label = ENCODING_LABELS.get(encoding, encoding)
    if chosen:
        return f"{label} (chosen)"
    return f"{label} (no UTF-8 found)" if encoding in SINGLE_BYTE else label


def has_multibyte_utf8(data: bytes) -> bool:
    """Whether ``data`` holds at least one valid multi-byte UTF-8 sequence."""
    return _MULTIBYTE_UTF8.search(data) is not None


def detect_encoding(data: bytes) -> str:
    """The encoding of ``data`` (the whole file or its start: a cut character at the end is fine).

    Raises ``FileReadError`` for binary data (many NUL bytes that are not UTF-16). "utf-8" is
    also the answer for UTF-8 text with a few invalid bytes (:func:`decode_text` marks them).
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data[:_SAMPLE])
        if utf16 is not None:
            return utf16
        sample = data[:_SAMPLE]
        if sample.count(0) > max(len(sample) // 100, 1):
            raise FileReadError(str(BINARY_MESSAGE))
    if _decodes(data, "utf-8") or has_multibyte_utf8(data):
        return "utf-8"
    if _decodes(data, "cp1252"):
        return "cp1252"
    return "latin-1"


def decode_text(
    data: bytes, encoding: str | None = None, *, sample_size: int = _SAMPLE
) -> tuple[str, str]:
    """The text of ``data`` and the encoding used (``encoding`` if given, else detected).

    UTF-8 (detected, or given) never fails on a few invalid bytes: each becomes
    :data:`BAD_BYTE_MARK` and its two hex digits, for the reader to report the cells holding them.
    """
    if encoding is None:
        # Guess from the first ``sample_size`` bytes, the cheap case; a non-UTF-8 byte further
        # on re-detects on the whole file (so a cp1252 "é" on line 10 000 does not fail, while
        # one bad byte in a UTF-8 file does not turn every "é" of the file into "Ã©").
        encoding = detect_encoding(data[:sample_size])
        if encoding == "utf-8" and not _decodes(data, "utf-8"):
            encoding = detect_encoding(data)
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        msg = gettext("Unknown text encoding %(encoding)r.") % {"encoding": encoding}
        raise FileReadError(msg) from exc
    if encoding.lower() in _UTF8_NAMES:
        return data.decode(encoding, errors=_MARKING).removeprefix("\ufeff"), encoding
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FileReadError(_undecodable_message(data, encoding, exc)) from exc
    # A BOM left by a given encoding ("utf-8" for a "utf-8-sig" file) is never data.
    return text.removeprefix("\ufeff"), encoding


def _decodes(data: bytes, encoding: str) -> bool:
    # Incremental and not final: an incomplete multibyte character at the end of a sample is
    # not an error, only bad bytes before it are.
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _utf16_without_bom(sample: bytes) -> str | None:
    sample = sample[: len(sample) // 2 * 2]
    half = max(len(sample) // 2, 1)
    nul_even = sample[0::2].count(0) / half
    nul_odd = sample[1::2].count(0) / half
    # ASCII text in UTF-16 has a NUL as the high byte of (nearly) every character.
    if nul_odd > 0.3 and nul_even < 0.05 and _decodes(sample, "utf-16-le"):
        return "utf-16-le"
    if nul_even > 0.3 and nul_odd < 0.05 and _decodes(sample, "utf-16-be"):
        return "utf-16-be"
    return None


def _undecodable_message(data: bytes, encoding: str, exc: UnicodeDecodeError) -> str:
    row = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
    byte = data[exc.start : exc.start + 1].hex().upper()
    return gettext(
        "The file is not valid %(encoding)s text: byte 0x%(byte)s at position %(position)s "
        "(row %(row)s) cannot be read. Choose another encoding, for example utf-8 or cp1252."
    ) % {"encoding": encoding, "byte": byte, "position": exc.start, "row": row}
