"""Legacy Office files built at test time: a Compound File (OLE2) container and a BIFF8 .xls.

Small writers for what the tests need, following [MS-CFB] and [MS-XLS]: 512-byte sectors, one
FAT sector, one directory sector, streams of at least 4 096 bytes (so no mini stream).
"""

import struct
from collections.abc import Sequence

_SECTOR = 512
_END_OF_CHAIN = 0xFFFFFFFE
_FAT_SECTOR = 0xFFFFFFFD
_FREE = 0xFFFFFFFF
_NO_STREAM = 0xFFFFFFFF
_MINI_CUTOFF = 4096
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _dir_entry(name: str, kind: int, *, child: int, right: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)  # length, type, colour black
        + struct.pack("<III", _NO_STREAM, right, child)  # left, right sibling, child
        + bytes(16 + 4 + 8 + 8)  # clsid, state bits, creation and modification times
        + struct.pack("<IQ", start, size)
    )


def compound_file(streams: Sequence[tuple[str, bytes]]) -> bytes:
    """A CFB v3 file holding ``streams`` (at most 3) in its root storage."""
    assert len(streams) <= 3
    padded = [data.ljust(_MINI_CUTOFF, b"\0") for _, data in streams]
    sectors = [-(-len(data) // _SECTOR) for data in padded]
    fat = [_FAT_SECTOR, _END_OF_CHAIN]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for count in sectors:
        starts.append(len(fat))
        fat.extend(range(len(fat) + 1, len(fat) + count))
        fat.append(_END_OF_CHAIN)
    assert len(fat) <= _SECTOR // 4
    entries = [_dir_entry("Root Entry", 5, child=1, right=_NO_STREAM, start=_END_OF_CHAIN, size=0)]
    names = [name for name, _ in streams]
    for index, (name, data, start) in enumerate(zip(names, padded, starts, strict=True)):
        right = index + 2 if index + 1 < len(streams) else _NO_STREAM
        entry = _dir_entry(name, 2, child=_NO_STREAM, right=right, start=start, size=len(data))
        entries.append(entry)
    while len(entries) < 4:
        entries.append(_dir_entry("", 0, child=_NO_STREAM, right=_NO_STREAM, start=0, size=0))
    header = (
        MAGIC
        + bytes(16)
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, _MINI_CUTOFF, _END_OF_CHAIN, 0, _END_OF_CHAIN, 0)
        + struct.pack("<I", 0)  # DIFAT[0]: the FAT is sector 0
        + struct.pack("<I", _FREE) * 108
    )
    fat_sector = b"".join(struct.pack("<I", n) for n in fat).ljust(_SECTOR, b"\xff")
    body = b"".join(data.ljust(n * _SECTOR, b"\0") for data, n in zip(padded, sectors, strict=True))
    return header + fat_sector + b"".join(entries) + body


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def _xf(number_format: int) -> bytes:
    # Font 0, the number format, a cell (not style) XF; the rest (alignment, borders) zero.
    return _record(0x00E0, struct.pack("<HHH", 0, number_format, 0x0001).ljust(20, b"\0"))


def _cell(row: int, col: int, value: object) -> bytes:
    if isinstance(value, str):
        text = value.encode("utf-16-le")
        return _record(0x0204, struct.pack("<HHHHB", row, col, 0, len(value), 1) + text)
    if isinstance(value, tuple):  # ("date", serial): a number shown with the date format
        return _record(0x0203, struct.pack("<HHHd", row, col, 16, float(value[1])))
    assert isinstance(value, int | float)
    return _record(0x0203, struct.pack("<HHHd", row, col, 0, float(value)))


def xls(rows: Sequence[Sequence[object]], sheet: str = "Sheet1") -> bytes:
    """An Excel 97-2003 workbook (BIFF8) with one sheet of text, numbers and ("date", serial)."""
    # 16 XFs: Excel readers expect the 15 style XFs before the cell XFs; XF 16 shows a date
    # (built-in number format 14, m/d/yyyy).
    xfs = b"".join(_xf(0) for _ in range(16)) + _xf(14)
    name = sheet.encode("utf-16-le")

    def globals_stream(sheet_offset: int) -> bytes:
        boundsheet = struct.pack("<IBBBB", sheet_offset, 0, 0, len(sheet), 1) + name
        return (
            _bof(0x0005)
            + _record(0x0042, struct.pack("<H", 1200))
            + xfs
            + _record(0x0085, boundsheet)
            + _record(0x000A)
        )

    head = globals_stream(0)
    width = max((len(row) for row in rows), default=0)
    dimensions = struct.pack("<IIHHH", 0, len(rows), 0, width, 0)
    cells = b"".join(
        _cell(r, c, value)
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if value is not None
    )
    worksheet = _bof(0x0010) + _record(0x0200, dimensions) + cells + _record(0x000A)
    return compound_file([("Workbook", globals_stream(len(head)) + worksheet)])


def encrypted_workbook() -> bytes:
    """What Excel writes for a password-protected .xlsx: an OLE container, not a zip."""
    info = struct.pack("<HHI", 4, 4, 0x40) + bytes(200)  # agile encryption, version 4.4
    return compound_file([("EncryptionInfo", info), ("EncryptedPackage", bytes(4096))])
