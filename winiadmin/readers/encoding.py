"""Detect a text file's encoding and decode it.

No third-party detector (chardet, charset-normalizer): their statistical guesses differ between
versions and often mislabel short files, whereas the few encodings people's tables really come in
can be told apart by rules that always give the same answer:

1. a byte order mark (UTF-8, UTF-16, UTF-32);
2. NUL bytes at every other position: UTF-16 without a BOM (mostly-ASCII text);
3. valid UTF-8 (almost never true by accident for anything else);
4. Windows-1252 (what Excel writes on Western Windows), unless it uses one of the five bytes
   cp1252 leaves undefined;
5. Latin-1, which accepts any byte.
"""

import codecs

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

BINARY_MESSAGE = "This file cannot be read as a table: it holds binary data, not text."


def detect_encoding(data: bytes) -> str:
    """The encoding of ``data`` (the whole file or its start: a cut character at the end is fine).

    Raises ``FileReadError`` for binary data (NUL bytes that are not UTF-16).
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if b"\x00" in data:
        return _utf16_without_bom(data[:_SAMPLE])
    if _decodes(data, "utf-8"):
        return "utf-8"
    if _decodes(data, "cp1252"):
        return "cp1252"
    return "latin-1"


def decode_text(
    data: bytes, encoding: str | None = None, *, sample_size: int = _SAMPLE
) -> tuple[str, str]:
    """The text of ``data`` and the encoding used (``encoding`` if given, else detected)."""
    if encoding is None:
        # Guess from the first ``sample_size`` bytes, the cheap case; a non-UTF-8 byte further
        # on re-detects on the whole file (so a cp1252 "é" on line 10 000 does not fail).
        encoding = detect_encoding(data[:sample_size])
        if encoding == "utf-8" and not _decodes(data, "utf-8"):
            encoding = detect_encoding(data)
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        msg = f"Unknown text encoding {encoding!r}."
        raise FileReadError(msg) from exc
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


def _utf16_without_bom(sample: bytes) -> str:
    sample = sample[: len(sample) // 2 * 2]
    half = max(len(sample) // 2, 1)
    nul_even = sample[0::2].count(0) / half
    nul_odd = sample[1::2].count(0) / half
    # ASCII text in UTF-16 has a NUL as the high byte of (nearly) every character.
    if nul_odd > 0.3 and nul_even < 0.05 and _decodes(sample, "utf-16-le"):
        return "utf-16-le"
    if nul_even > 0.3 and nul_odd < 0.05 and _decodes(sample, "utf-16-be"):
        return "utf-16-be"
    raise FileReadError(BINARY_MESSAGE)


def _undecodable_message(data: bytes, encoding: str, exc: UnicodeDecodeError) -> str:
    row = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
    byte = data[exc.start : exc.start + 1].hex().upper()
    return (
        f"The file is not valid {encoding} text: byte 0x{byte} at position {exc.start} "
        f"(row {row}) cannot be read. Choose another encoding, for example utf-8 or cp1252."
    )
