"""Reader behaviour the corpus relies on: library panics, Unicode normalisation, .xls files."""

import struct

import pytest

from tests.reliability.ole import xls
from winiadmin.exceptions import FileReadError
from winiadmin.readers import read_table


def test_a_workbook_that_makes_calamine_panic_is_a_read_error() -> None:
    data = bytearray(xls([["code"], ["A"]]))
    # The Workbook stream's directory entry now says 100 bytes: calamine looks for it in a mini
    # stream the file does not have and panics (a Rust panic: pyo3's PanicException, which is a
    # BaseException and would otherwise escape every ``except Exception``).
    size_at = 512 + 512 + 128 + 120
    data[size_at : size_at + 8] = struct.pack("<Q", 100)
    with pytest.raises(FileReadError) as info:
        read_table(bytes(data), name="old.xls")
    assert str(info.value).startswith("This workbook could not be opened: it is damaged")
    assert type(info.value.__cause__).__name__ == "PanicException"


def test_headers_and_cells_are_normalised_to_nfc() -> None:
    table = read_table("Re\u0301f,Caf\u00e9\nCafe\u0301,x\n".encode())
    assert table.frame.columns == ["Réf", "Café"]
    assert [len(name) for name in table.frame.columns] == [3, 4]
    assert table.frame.row(0) == ("Café", "x")
    # Two headers equal once normalised stay two columns.
    assert read_table("Caf\u00e9,Cafe\u0301\n1,2\n".encode()).frame.columns == ["Café", "Café_2"]


def test_an_old_xls_is_read_with_its_date_cells() -> None:
    table = read_table(xls([["code", "day", "n"], ["007", ("date", 45322), 1.5]]), name="a.xls")
    assert table.format == "excel"
    assert table.frame.row(0) == ("007", "2024-01-31", "1.5")
