import codecs

import pytest

from winiadmin.exceptions import FileReadError
from winiadmin.readers import detect_encoding
from winiadmin.readers.encoding import (
    BAD_BYTE_MARK,
    decode_text,
    encoding_label,
    has_multibyte_utf8,
)

TEXT = "name;price\nCafé crème;3€\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF8 + TEXT.encode(), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-32"), "utf-32"),
        (codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"), "utf-32"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-8"), "utf-8"),
        (b"plain ascii,1\n", "utf-8"),
        (TEXT.encode("cp1252"), "cp1252"),
        # 0x81 is undefined in cp1252: only Latin-1 accepts it.
        (b"name\n\x81\xe9\n", "latin-1"),
    ],
)
def test_detect_encoding(data: bytes, expected: str) -> None:
    assert detect_encoding(data) == expected


def test_a_multibyte_character_cut_at_the_end_of_a_sample_is_still_utf8() -> None:
    data = "prix;€".encode()
    assert detect_encoding(data[:-1]) == "utf-8"


def test_utf8_with_a_bad_byte_inside_is_still_utf8() -> None:
    # A valid multi-byte sequence ("é" as C3 A9): the file is UTF-8, the bad byte is reported.
    assert detect_encoding("é".encode() + b"\xe9abc") == "utf-8"


def test_a_file_without_any_multibyte_sequence_is_single_byte() -> None:
    assert detect_encoding(b"Caf\xe9 cr\xe8me\n") == "cp1252"
    assert has_multibyte_utf8("é".encode())
    assert not has_multibyte_utf8(b"Caf\xe9\xe9\xc3(")  # C3 28: not a sequence
    assert not has_multibyte_utf8(b"\xc0\xaf \xed\xa0\x80")  # overlong, surrogate


def test_bad_bytes_in_utf8_are_marked_never_reinterpreted() -> None:
    data = "Café\n".encode() + b"Caf\xe9\n" + b"x" * 70_000 + b"\n"
    text, encoding = decode_text(data)
    assert encoding == "utf-8"
    assert text.startswith(f"Café\nCaf{BAD_BYTE_MARK}e9\n")  # never "CafÃ©"


def test_a_few_nul_bytes_are_text_many_are_binary() -> None:
    assert detect_encoding(b"a,b\n1,x\x00y\n" + b"2,z\n" * 50) == "utf-8"
    with pytest.raises(FileReadError, match="binary data"):
        detect_encoding(b"a\x00\x00b\x00c\x00\x00")


def test_encoding_labels() -> None:
    assert encoding_label("utf-8", chosen=False) == "UTF-8"
    assert encoding_label("cp1252", chosen=False) == "Windows-1252 (no UTF-8 found)"
    assert encoding_label("cp1252", chosen=True) == "Windows-1252 (chosen)"


def test_nul_bytes_that_are_not_utf16_are_binary() -> None:
    with pytest.raises(FileReadError, match="binary data"):
        detect_encoding(b"\x00\x01\x02\x03\x00\x00\xff\xfe\x10junk\x00\x00\x00")


def test_decode_text_detects_and_drops_the_bom() -> None:
    assert decode_text(codecs.BOM_UTF8 + b"a,b\n") == ("a,b\n", "utf-8-sig")


def test_decode_text_redetects_when_a_non_utf8_byte_comes_after_the_sample() -> None:
    data = b"a\n" + b"x\n" * 40_000 + "é\n".encode("cp1252")
    text, encoding = decode_text(data)
    assert encoding == "cp1252"
    assert text.endswith("é\n")


def test_a_given_encoding_is_used_as_given() -> None:
    assert decode_text("é".encode("latin-1"), "latin-1") == ("é", "latin-1")
    # A BOM left over by a given encoding is not data.
    assert decode_text(codecs.BOM_UTF8 + b"a", "utf-8") == ("a", "utf-8")


def test_a_given_encoding_that_does_not_fit_names_the_byte_and_row() -> None:
    data = b"name\nok\nCaf\x81\n"  # 0x81: undefined in Windows-1252
    with pytest.raises(FileReadError) as info:
        decode_text(data, "cp1252")
    message = str(info.value)
    assert "not valid cp1252" in message
    assert "0x81 at position 11 (row 3)" in message
    assert isinstance(info.value.__cause__, UnicodeDecodeError)


def test_utf8_given_marks_bad_bytes_too() -> None:
    assert decode_text(b"Caf\xe9", "utf-8") == (f"Caf{BAD_BYTE_MARK}e9", "utf-8")


def test_an_unknown_encoding_is_refused() -> None:
    with pytest.raises(FileReadError, match="Unknown text encoding 'klingon'"):
        decode_text(b"a", "klingon")
