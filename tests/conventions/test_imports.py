"""Numbers and dates in the file's conventions through every door into a real database
(SQLite and PostgreSQL): an explicit importer declaring them, a ``ModelImporter``, the Python
API's ``conventions=``, and ``winiadmin_import --decimal-separator …`` with a German Excel CSV
(semicolons, decimal commas, ``31.12.2026``, cp1252 or UTF-8 with a BOM). An undeclared
convention is proposed and nothing is written."""

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import ClassVar

import polars as pl
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Model

from tests.testapp.models import CorpusItem, Gadget
from winiadmin.importers import (
    CleaningDF,
    FileConventions,
    Importer,
    ImportStatus,
    ModelImporter,
    register,
)
from winiadmin.importers.registry import unregister

pytestmark = pytest.mark.django_db

GERMAN_CSV = (
    "Code;Name;Menge;Preis;Datum\r\n"
    "A-1;Schlüssel;1.000;1.234,50;31.12.2026\r\n"
    "A-2;Größe;2;12,50;01.02.2026\r\n"
)


class ItemCleaning(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {
            "code": pl.Utf8,
            "name": pl.Utf8,
            "quantity": pl.Int64,
            "price": pl.Float64,
            "day": pl.Date,
        }

    @classmethod
    def get_rename_map(cls) -> dict[str, str]:
        return {
            "code": "Code",
            "name": "Name",
            "quantity": "Menge",
            "price": "Preis",
            "day": "Datum",
        }


class GermanItems(Importer):
    name = "tests.german_items"
    models = (CorpusItem,)
    cleaning_df_cls = ItemCleaning
    conventions: ClassVar[FileConventions | None] = FileConventions(
        decimal_separator=",", thousands_separator=".", date_formats=("%d.%m.%Y",)
    )

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {CorpusItem: [CorpusItem(**row) for row in df.iter_rows(named=True)]}


class PlainItems(GermanItems):
    name = "tests.plain_items"
    conventions = None


@pytest.fixture
def registered() -> Iterator[None]:
    register(GermanItems)
    register(PlainItems)
    yield
    unregister(GermanItems)
    unregister(PlainItems)


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "items.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def stored() -> list[tuple[str, str, int | None, Decimal | None, dt.date | None]]:
    return list(
        CorpusItem.objects.order_by("code").values_list("code", "name", "quantity", "price", "day")
    )


EXPECTED = [
    ("A-1", "Schlüssel", 1000, Decimal("1234.50"), dt.date(2026, 12, 31)),
    ("A-2", "Größe", 2, Decimal("12.50"), dt.date(2026, 2, 1)),
]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_an_importer_declaring_its_conventions_reads_a_german_excel_csv(
    tmp_path: Path, encoding: str
) -> None:
    result = GermanItems().run(write(tmp_path, GERMAN_CSV, encoding))
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    assert result.source_info.get("delimiter") == "';'"
    assert stored() == EXPECTED


def test_undeclared_the_cells_are_refused_and_a_convention_proposed(tmp_path: Path) -> None:
    result = PlainItems().run(write(tmp_path, GERMAN_CSV))
    assert result.status is ImportStatus.INVALID
    assert not CorpusItem.objects.exists()
    refused = {(p.row, p.column, p.value) for p in result.problems if p.is_error}
    assert (2, "Preis", "1.234,50") in refused
    assert (3, "Datum", "01.02.2026") in refused
    proposals = {p.column: p for p in result.proposals}
    # Menge 1.000 reads as 1 without error; a thousands dot would read 1000: offered too.
    assert set(proposals) == {"price", "day", "quantity"}
    assert proposals["quantity"].readings[0].examples == (("1.000", "1000"),)
    assert proposals["price"].readings[0].conventions == FileConventions(
        decimal_separator=",", thousands_separator="."
    )
    assert [r.conventions.date_formats for r in proposals["day"].readings] == [("%d.%m.%Y",)]


def test_the_python_api_takes_the_file_s_conventions(tmp_path: Path) -> None:
    accepted = FileConventions(
        decimal_separator=",", thousands_separator=".", date_formats=("%d.%m.%Y",)
    )
    result = PlainItems().run(write(tmp_path, GERMAN_CSV), conventions=accepted)
    assert result.status is ImportStatus.SUCCEEDED
    assert stored() == EXPECTED


def test_a_run_s_conventions_override_the_importer_s(tmp_path: Path) -> None:
    us = "Code;Name;Menge;Preis;Datum\nA-1;Key;1,000;1,234.50;12/31/2026\n"
    result = GermanItems().run(
        write(tmp_path, us),
        conventions=FileConventions(
            decimal_separator=".", thousands_separator=",", date_formats=("%m/%d/%Y",)
        ),
    )
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    assert stored() == [("A-1", "Key", 1000, Decimal("1234.50"), dt.date(2026, 12, 31))]


def command(*args: str) -> str:
    out, err = StringIO(), StringIO()
    try:
        call_command("winiadmin_import", *args, stdout=out, stderr=err)
    finally:
        command.output = out.getvalue() + err.getvalue()  # type: ignore[attr-defined]
    return out.getvalue() + err.getvalue()


@pytest.mark.usefixtures("registered")
def test_the_command_declares_the_file_s_conventions(tmp_path: Path) -> None:
    path = write(tmp_path, GERMAN_CSV, "cp1252")
    with pytest.raises(CommandError):
        command("tests.plain_items", str(path))
    shown = command.output  # type: ignore[attr-defined]
    assert "looks like" in shown
    assert "--decimal-separator ','" in shown
    assert "--date-format '%d.%m.%Y'" in shown
    assert not CorpusItem.objects.exists()
    command(
        "tests.plain_items",
        str(path),
        "--decimal-separator",
        ",",
        "--thousands-separator",
        ".",
        "--date-format",
        "%d.%m.%Y",
    )
    assert stored() == EXPECTED


def test_the_command_refuses_a_contradictory_convention(tmp_path: Path) -> None:
    path = write(tmp_path, GERMAN_CSV)
    with pytest.raises(CommandError, match="cannot be the decimal"):
        command(
            "testapp.Gadget", str(path), "--decimal-separator", ",", "--thousands-separator", ","
        )


class GadgetImporter(ModelImporter):
    model = Gadget
    fields = ("name", "price", "ratio", "count", "day", "moment")


def test_a_model_importer_reads_its_fields_in_the_conventions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name;price;ratio;count;day;moment\n"
        "a;1.234,50;0,25;1.000;31.12.2026;31.12.2026 10:30\n"
        "b;-0,5;1;2;01.02.2026;\n",
    )
    conventions = FileConventions(
        decimal_separator=",",
        thousands_separator=".",
        date_formats=("%d.%m.%Y",),
        datetime_formats=("%d.%m.%Y %H:%M",),
    )
    result = GadgetImporter().run(path, conventions=conventions)
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    a, b = Gadget.objects.order_by("name")
    assert (a.price, a.ratio, a.count, a.day) == (
        Decimal("1234.50"),
        0.25,
        1000,
        dt.date(2026, 12, 31),
    )
    assert a.moment is not None
    assert (a.moment.day, a.moment.hour, a.moment.minute) == (31, 10, 30) or a.moment.tzinfo
    assert (b.price, b.day) == (Decimal("-0.50"), dt.date(2026, 2, 1))


def test_a_model_importer_still_refuses_rounding_in_the_conventions(tmp_path: Path) -> None:
    path = write(tmp_path, "name;price\na;1,234\n")
    result = GadgetImporter().run(path, conventions=FileConventions(decimal_separator=","))
    assert result.status is ImportStatus.INVALID
    assert [p.value for p in result.problems if p.is_error] == ["1,234"]
    assert "rounding" in next(p.message for p in result.problems if p.is_error)


def test_a_model_importer_proposes_and_leaves_ambiguity_to_the_user(tmp_path: Path) -> None:
    path = write(tmp_path, 'name,count\na,"1,234"\n')
    result = GadgetImporter().run(path)
    assert result.status is ImportStatus.INVALID
    assert not Gadget.objects.exists()
    (proposal,) = result.proposals
    assert proposal.column == "count"
    # 1,234 in a whole-number column: only a thousands comma reads it (1.234 is no integer).
    assert [r.conventions.thousands_separator for r in proposal.readings] == [","]
