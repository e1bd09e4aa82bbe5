"""Import templates: what the CSV and XLSX hold, and that a filled-in template imports."""

import csv
import io
import zipfile
from collections.abc import Iterator

import fastexcel
import polars as pl
import pytest
from shop.importers import CatalogueImporter
from shop.models import Product

from winiadmin.cleaning import CleaningDF
from winiadmin.exceptions import WiniadminError
from winiadmin.importers import Importer, register
from winiadmin.importers.registry import unregister
from winiadmin.importers.template_file import (
    template_columns,
    template_csv,
    template_file_name,
    template_xlsx,
)
from winiadmin.pipeline import BulksByModel
from winiadmin.results import ImportStatus
from winiadmin.spreadsheets import Sheet, xlsx_bytes

CATALOGUE_HEADER = ["sku", "name", "price", "quantity", "category", "store", "available_from"]


class EveryTypeCleaningDF(CleaningDF):
    DATE_FORMATS = ("%d.%m.%Y",)

    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {
            "code": pl.Utf8,
            "count": pl.Int32,
            "ratio": pl.Float64,
            "amount": pl.Decimal,
            "active": pl.Boolean,
            "day": pl.Date,
            "at": pl.Datetime,
            "clock": pl.Time,
        }

    @classmethod
    def get_rename_map(cls) -> dict[str, str]:
        return {"code": "Product code"}

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ("code",)


class EveryTypeImporter(Importer):
    name = "tests.every_type"
    models = (Product,)
    cleaning_df_cls = EveryTypeCleaningDF
    example_row = {"code": "007", "ratio": -0.25}

    def get_bulks_by_model(self, df: pl.DataFrame) -> BulksByModel:
        return {Product: []}  # only the cleaning matters here


@pytest.fixture
def every_type() -> Iterator[type[EveryTypeImporter]]:
    register(EveryTypeImporter)
    yield EveryTypeImporter
    unregister(EveryTypeImporter)


def xlsx_sheet(data: bytes, sheet: str | int = 0) -> list[list[str | None]]:
    loaded = fastexcel.read_excel(data).load_sheet(sheet, header_row=None, dtypes="string")
    return [list(row) for row in loaded.to_polars().rows()]


def test_columns_follow_the_cleaning_class(every_type: type[Importer]) -> None:
    columns = {c.header: c for c in template_columns(every_type)}
    assert list(columns) == [
        "Product code", "count", "ratio", "amount", "active", "day", "at", "clock",
    ]  # fmt: skip
    assert columns["Product code"].required and not columns["count"].required
    assert columns["Product code"].example == "007"  # the importer's own example
    assert columns["ratio"].example == -0.25
    assert columns["count"].kind == "whole number" and columns["count"].example == 1
    assert columns["day"].kind == "date (DD.MM.YYYY)" and columns["day"].example == "31.01.2024"
    assert columns["amount"].kind == "decimal number"
    assert columns["Product code"].note == "text, required; e.g. 007"


def test_csv_is_the_header_and_one_example_row(every_type: type[Importer]) -> None:
    rows = list(csv.reader(io.StringIO(template_csv(every_type))))
    assert rows == [
        ["Product code", "count", "ratio", "amount", "active", "day", "at", "clock"],
        # -0.25 is a number, not a formula: no apostrophe.
        ["007", "1", "-0.25", "12.50", "true", "31.01.2024", "2024-01-31 13:45:00", "13:45:00"],
    ]


def test_xlsx_has_the_data_sheet_first_and_a_help_sheet(every_type: type[Importer]) -> None:
    data = template_xlsx(every_type)
    assert fastexcel.read_excel(data).sheet_names == ["Data", "Help"]
    header, example = xlsx_sheet(data, "Data")
    assert header == ["Product code", "count", "ratio", "amount", "active", "day", "at", "clock"]
    assert example[0] == "007" and example[4] == "true"
    help_rows = xlsx_sheet(data, "Help")
    assert help_rows[0] == ["column", "type", "required", "example"]
    assert help_rows[1] == ["Product code", "text", "yes", "007"]
    assert ["day", "date (DD.MM.YYYY)", "no", "31.01.2024"] in help_rows
    # The types are also comments on the header cells.
    assert b"whole number, optional" in _zip_member(data, "xl/comments1.xml")


def _zip_member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def test_each_template_imports_as_it_is(every_type: type[Importer], db: None) -> None:
    for content in (template_csv(every_type).encode(), template_xlsx(every_type)):
        result = every_type().run(content, dry_run=True, file_name="t")
        assert result.problems.error_count == 0, [p.message for p in result.problems]
        assert result.status == ImportStatus.DRY_RUN
        row = result.cleaned_frame.row(0, named=True)
        assert (row["code"], row["count"], row["active"], str(row["day"])) == (
            "007", 1, True, "2024-01-31",
        )  # fmt: skip


def test_a_filled_in_csv_template_imports(db: None) -> None:
    header = next(csv.reader(io.StringIO(template_csv(CatalogueImporter))))
    filled = io.StringIO()
    writer = csv.writer(filled)
    writer.writerow(header)
    writer.writerow(["A-1", "Lamp", "12.5", "3", "Lights", "Main", "2024-02-01"])
    writer.writerow(["A-2", "Bulb", "2", "", "Lights", "", ""])
    result = CatalogueImporter().run(filled.getvalue().encode(), file_name="filled.csv")
    assert result.status == ImportStatus.SUCCEEDED, result.error
    assert sorted(Product.objects.values_list("sku", "quantity")) == [("A-1", 3), ("A-2", 0)]


def test_a_filled_in_xlsx_template_imports(db: None) -> None:
    assert xlsx_sheet(template_xlsx(CatalogueImporter))[0] == CATALOGUE_HEADER
    result = CatalogueImporter().run(_filled_xlsx(), file_name="filled.xlsx")
    assert result.status == ImportStatus.SUCCEEDED, result.error
    assert sorted(Product.objects.values_list("sku", "quantity")) == [("A-1", 3), ("A-2", 0)]


def _filled_xlsx() -> bytes:
    rows = [
        ["A-1", "Lamp", 12.5, 3, "Lights", "Main", "2024-02-01"],
        ["A-2", "Bulb", 2, None, "Lights", None, None],
    ]
    return xlsx_bytes([Sheet("Data", CATALOGUE_HEADER, rows)])


def test_an_importer_without_cleaning_class_has_no_template() -> None:
    class Bare(Importer):
        name = "tests.bare"

    with pytest.raises(WiniadminError, match="declares no cleaning_df_cls"):
        template_csv(Bare)


def test_a_workbook_importer_has_a_sheet_per_declared_sheet(db: None) -> None:
    from tests.pipeline.test_workbook import OrdersWorkbook

    data = template_xlsx(OrdersWorkbook)
    assert fastexcel.read_excel(data).sheet_names == ["Order lines", "Orders", "Customers", "Help"]
    assert xlsx_sheet(data, "Orders")[0] == ["order_id", "customer", "amount"]
    assert xlsx_sheet(data, "Help")[0] == ["sheet", "column", "type", "required", "example"]
    with pytest.raises(WiniadminError, match="its template is an Excel file"):
        template_csv(OrdersWorkbook)
    # As it is, the template checks: each sheet's example row is read and cleaned.
    result = OrdersWorkbook().run(data, dry_run=True, file_name="t.xlsx")
    # (The example "text" is no email: the models' own rules refuse it on the Customers sheet,
    # and the rows pointing at it are named on theirs.)
    assert {p.sheet for p in result.problems.errors()} <= {"Order lines", "Orders", "Customers"}
    assert result.rows.read == 3


def test_file_name_is_safe() -> None:
    assert template_file_name(CatalogueImporter, "xlsx") == "shop.catalogue-template.xlsx"
