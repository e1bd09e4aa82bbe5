"""XLSX written directly (winiadmin.exports.xlsx): the cells the previous writer (xlsxwriter, as
:func:`winiadmin.spreadsheets.xlsx_bytes` still writes them) wrote, for tricky text, numbers,
dates, decimals, durations, JSON, NULLs; the file imports back unchanged; the limits are
refusals naming the cell. Both databases."""

from __future__ import annotations

import datetime as dt
import uuid
import zipfile
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

import fastexcel
import polars as pl
import pytest
from django.db import connection
from shop.models import Category, Product, Store

from tests.testapp.models import Gadget, Restaurant, Ruled
from winiadmin.exceptions import WiniadminError
from winiadmin.exports import ExportOptions, export_columns, export_queryset
from winiadmin.exports.database_csv import database_csv
from winiadmin.exports.stream import _orm_rows
from winiadmin.exports.writers import check_rows
from winiadmin.exports.xlsx import MAX_ROWS, SheetWriter, column_letter
from winiadmin.importers import get_importer, model_importer
from winiadmin.importers.model import ModelImporter
from winiadmin.spreadsheets import Sheet, xlsx_bytes

if TYPE_CHECKING:
    from pathlib import Path

    from django.db.models import Model, QuerySet

    from winiadmin.exports import ExportColumns

pytestmark = pytest.mark.django_db


class Gadgets(ModelImporter):
    model = Gadget
    name = "tests.export_gadgets"
    upsert_key = ("name",)
    fields: ClassVar = [
        "name", "notes", "slug", "email", "url", "ref", "small", "count", "big", "price",
        "ratio", "active", "day", "moment", "clock", "span", "data", "ip", "size", "level",
    ]  # fmt: skip


TRICKY = [
    'say "hi"',
    "<b>a & b</b> &amp;",
    "line\nnext\r\nlast",
    "=1+1",
    "+49 30",
    "-x",
    "@SUM(A1)",
    "\ttabbed",
    "bell\x07 vt\x0b us\x1f",
    "_x0041_ stays literal",
    "Grüße, 日本, emoji 😀",
    " leading and trailing ",
    "x" * 32_767,
    "😀" * 16_383,
]


@pytest.fixture
def gadgets() -> None:
    for i, notes in enumerate(TRICKY):
        Gadget.objects.create(
            name=f"g{i:02d}", notes=notes, price=Decimal("12.50") if i % 2 else None,
            ratio=i / 3 if i % 3 else None, active=bool(i % 2), big=i * 10**15 or None,
            day=dt.date(2026, 1, i + 1), clock=dt.time(1, 2, i),
            moment=dt.datetime(2025, 3, 30, 1, 30, i, 123456, tzinfo=dt.UTC),
            span=dt.timedelta(days=1, seconds=i), data={"k": [i, "<&>"]},
        )  # fmt: skip
    Gadget.objects.create(name="empty")  # every nullable field NULL, text empty


def _export(tmp_path: Path, fmt: str) -> Path:
    out = tmp_path / f"gadgets.{fmt}"
    queryset = Gadget.objects.order_by("name")
    export_queryset(queryset, export_columns(Gadgets), out, ExportOptions(fmt))
    return out


def _read(data: bytes) -> pl.DataFrame:
    return fastexcel.read_excel(data).load_sheet(0).to_polars()


def _previous_writer(tmp_path: Path) -> bytes:
    """The same cells (the Parquet export's frame) through xlsxwriter, as before."""
    columns = export_columns(Gadgets).columns
    frame = pl.read_parquet(_export(tmp_path, "parquet"))
    numbers = [c.header for c in columns if c.kind == "decimal" and c.digits <= 15]
    typed = frame.with_columns(pl.col(numbers).cast(pl.Float64))
    return xlsx_bytes([Sheet("Data", frame.columns, list(typed.iter_rows()))])


def test_the_cells_are_the_previous_writers(gadgets: None, tmp_path: Path) -> None:
    new = _read(_export(tmp_path, "xlsx").read_bytes())
    old = _read(_previous_writer(tmp_path))
    assert new.schema == old.schema
    assert new.height == len(TRICKY) + 1
    # Floats: the previous writer kept 16 digits, now the float itself (its shortest form).
    floats = [name for name, dtype in new.schema.items() if dtype == pl.Float64]
    assert new.drop(floats).equals(old.drop(floats))
    for name in floats:
        assert new[name].is_null().equals(old[name].is_null())
        assert ((new[name] - old[name]).abs() <= new[name].abs() * 1e-15).all()
    notes = new["notes"].to_list()  # "empty" first, then g00, g01, …
    assert notes[0] is None  # an empty text: no cell
    assert notes[1:] == TRICKY  # every character back, the formula-like ones too
    assert new["ratio"][2] == 1 / 3  # exactly the stored float


def test_the_file_imports_back_unchanged(gadgets: None, tmp_path: Path) -> None:
    before = list(Gadget.objects.order_by("name").values_list())
    # The importer trims the whitespace around a cell (the file keeps it, test above): stored
    # trimmed here, so that every row is unchanged. Floats come back exactly (the previous
    # writer's 16 digits changed 1/3's last bit).
    for gadget in Gadget.objects.all():
        Gadget.objects.filter(pk=gadget.pk).update(notes=gadget.notes.strip())
    before = list(Gadget.objects.order_by("name").values_list())
    result = Gadgets().run(_export(tmp_path, "xlsx"))
    assert result.ok, result.error
    assert (result.rows.unchanged, result.rows.updated, result.rows.imported) == (
        len(TRICKY) + 1,
        0,
        0,
    )
    assert list(Gadget.objects.order_by("name").values_list()) == before


def test_the_parts_and_the_sheet(gadgets: None, tmp_path: Path) -> None:
    with zipfile.ZipFile(_export(tmp_path, "xlsx")) as xlsx:
        assert sorted(xlsx.namelist()) == [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/workbook.xml",
            "xl/worksheets/sheet1.xml",
        ]
        sheet = xlsx.read("xl/worksheets/sheet1.xml").decode()
    assert '<sheet name="Data"' in xlsx_workbook(tmp_path)
    assert '<c r="A1" s="1" t="inlineStr">' in sheet  # the bold header
    assert "<f>" not in sheet  # never a formula
    assert "_x0007_" in sheet
    assert "_x005F_x0041_" in sheet
    assert "&lt;b&gt;a &amp; b&lt;/b&gt; &amp;amp;" in sheet
    names = fastexcel.read_excel(_export(tmp_path, "xlsx").read_bytes()).sheet_names
    assert names == ["Data"]


def xlsx_workbook(tmp_path: Path) -> str:
    with zipfile.ZipFile(tmp_path / "gadgets.xlsx") as xlsx:
        return xlsx.read("xl/workbook.xml").decode()


def test_a_cell_longer_than_a_spreadsheet_holds_is_refused(tmp_path: Path) -> None:
    Gadget.objects.create(name="a", notes="short")
    Gadget.objects.create(name="b", notes="x" * 32_768)
    with pytest.raises(WiniadminError) as refused:
        _export(tmp_path, "xlsx")
    message = str(refused.value)
    assert message.startswith("Row 3, column B (notes): 32768 characters, more than the 32,767")
    # Counted as a spreadsheet counts them: an emoji is two.
    Gadget.objects.filter(name="b").update(notes="😀" * 16_384)
    with pytest.raises(WiniadminError, match="Row 3, column B"):
        _export(tmp_path, "xlsx")


def test_a_float_a_spreadsheet_cannot_hold_is_refused(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores NaN as NULL")
    Gadget.objects.create(name="a", ratio=float("nan"))
    with pytest.raises(WiniadminError, match=r"Row 2, column \w+ \(ratio\): nan"):
        _export(tmp_path, "xlsx")


def test_more_rows_than_a_sheet_holds_are_refused(tmp_path: Path) -> None:
    check_rows("xlsx", MAX_ROWS - 1)  # the header and 1,048,575 rows: full
    check_rows("csv", MAX_ROWS)
    with pytest.raises(WiniadminError, match="1,048,576 rows are more than a spreadsheet sheet"):
        check_rows("xlsx", MAX_ROWS)
    writer = SheetWriter(tmp_path / "full.xlsx", "Data", ["n"])
    writer.write(pl.DataFrame({"n": [1]}))
    with pytest.raises(WiniadminError, match="1,048,576 rows"):
        writer.write(pl.DataFrame({"n": range(MAX_ROWS - 1)}))
    writer.close()
    assert _read((tmp_path / "full.xlsx").read_bytes())["n"].to_list() == [1]


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def _by_database_and_orm(
    queryset: QuerySet[Model], columns: ExportColumns, tmp_path: Path
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The XLSX of the database's cells (export_queryset's path) and of the ORM's rows."""
    assert database_csv(queryset, columns.columns, frames=True) is not None
    fast, orm = tmp_path / "fast.xlsx", tmp_path / "orm.xlsx"
    count = export_queryset(queryset, columns, fast, ExportOptions("xlsx", chunk_size=3))
    assert _orm_rows(queryset, columns, orm, ExportOptions("xlsx", chunk_size=3), count) == count
    return _read(fast.read_bytes()), _read(orm.read_bytes())


def test_products_by_the_database_are_the_orms_cells(tmp_path: Path) -> None:
    books = Category.objects.create(name="=Books & <more>")
    berlin = Store.objects.create(name="Berlin, Mitte")
    names = [n for n in TRICKY if len(n) <= 200]
    for index, name in enumerate(names):
        Product.objects.create(
            sku=f"SKU-{index:02d}", name=name, price=Decimal(index) + Decimal("0.5"),
            quantity=index, category=books if index % 2 else None,
            store=berlin if index % 3 else None,
            available_from=dt.date(999 + index, 1, 2) if index % 4 else None,
        )  # fmt: skip
    columns = export_columns(get_importer("shop.catalogue"))
    fast, orm = _by_database_and_orm(Product.objects.order_by("sku"), columns, tmp_path)
    assert fast.equals(orm)
    assert fast["name"].to_list() == names  # unguarded: a typed string, never a formula
    assert fast["category"][1] == "=Books & <more>"
    assert fast["price"][2] == 2.5  # a number
    assert fast["available_from"][1] == "1000-01-02"  # the ISO text, as before


def test_booleans_uuids_and_decimals_by_the_database(tmp_path: Path) -> None:
    token = uuid.UUID("12345678-1234-5678-9abc-def012345678")
    Ruled.objects.create(code="a", label="=x", amount=Decimal("-1.05"), token=token, level=3)
    Ruled.objects.create(code="b", email="b@example.com", amount=None, token=None)
    Restaurant.objects.create(name="+Pizza", serves_pizza=True)
    Restaurant.objects.create(name="Salad", serves_pizza=False)
    ruled = export_columns(model_importer(Ruled)).chosen(
        ["code", "label", "level", "amount", "email", "token"]
    )
    fast, orm = _by_database_and_orm(Ruled.objects.order_by("code"), ruled, tmp_path)
    assert fast.equals(orm)
    assert fast.row(0) == ("a", "=x", 3.0, -1.05, None, "12345678-1234-5678-9abc-def012345678")
    places = export_columns(model_importer(Restaurant))
    fast, orm = _by_database_and_orm(Restaurant.objects.order_by("name"), places, tmp_path)
    assert fast.equals(orm)
    assert fast["serves_pizza"].to_list() == [True, False]


def test_chunks_bigger_than_a_slice_keep_their_rows(tmp_path: Path) -> None:
    writer = SheetWriter(tmp_path / "many.xlsx", "Data", ["n", "text"])
    for start in (0, 12_000):
        n = pl.Series("n", range(start, start + 12_000), dtype=pl.Int64)
        writer.write(pl.DataFrame([n, n.cast(pl.String).alias("text")]))
    writer.close()
    frame = _read((tmp_path / "many.xlsx").read_bytes())
    assert frame["n"].to_list() == list(range(24_000))
    assert frame["text"].to_list() == [str(i) for i in range(24_000)]
