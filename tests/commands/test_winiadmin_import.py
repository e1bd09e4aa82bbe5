"""The generic command runs any registered importer headless."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from shop.models import Category, Product

from winiadmin.commands.progress import TerminalProgressBar, render
from winiadmin.progress import Progress
from winiadmin.results import Stage

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("winiadmin_import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_and_prints_a_summary_table(samples: Path) -> None:
    out, _ = run("shop.catalogue", str(samples / "catalogue.csv"))
    assert Product.objects.count() == 40
    assert "Read 40 rows (format csv, encoding UTF-8" in out
    assert "shop.Product" in out and "Created" in out
    assert "Imported 50 objects." in out


def test_dry_run(samples: Path) -> None:
    out, _ = run("shop.catalogue", str(samples / "catalogue.csv"), "--dry_run")
    assert "Would create" in out and "DRY RUN: nothing was written." in out
    assert Product.objects.count() == 0


def test_errors_exit_non_zero_and_list_problems(samples: Path) -> None:
    err = StringIO()
    with pytest.raises(CommandError, match="must be fixed first"):
        call_command(
            "winiadmin_import",
            "shop.catalogue",
            str(samples / "catalogue_with_mistakes.csv"),
            stdout=StringIO(),
            stderr=err,
        )
    assert "Row 3, column 'price', value '12,50 EUR': Not a number." in err.getvalue()
    assert Product.objects.count() == 0


def test_options_are_parsed_and_checked(tmp_path: Path) -> None:
    Category.objects.create(name="Books")
    csv = tmp_path / "c.csv"
    csv.write_text("sku,name,price,quantity,category,store,available_from\nX-1,Thing,1.00,1,,,\n")
    run("shop.catalogue", str(csv), "-o", "default_category=Books")
    assert Product.objects.filter(category__name="Books").count() == 1
    with pytest.raises(CommandError, match="no category with name 'Nope'"):
        run("shop.catalogue", str(csv), "-o", "default_category=Nope")
    with pytest.raises(CommandError, match="Unknown option"):
        run("shop.catalogue", str(csv), "-o", "colour=red")


def test_unknown_importer_lists_the_known_ones(samples: Path) -> None:
    with pytest.raises(
        CommandError,
        match=r"No importer is named .nope. \(known: shop.catalogue, shop.order_lines, "
        r"shop.orders, shop.products, ",
    ):
        run("nope", str(samples / "catalogue.csv"))


def test_european_csv_is_detected(samples: Path) -> None:
    out, _ = run("shop.catalogue", str(samples / "catalogue_excel_export.csv"))
    assert "encoding Windows-1252 (no UTF-8 found)" in out and "delimiter ';'" in out
    assert Product.objects.filter(name__contains="€").count() == 10


def test_list_importers() -> None:
    out = StringIO()
    call_command("winiadmin_importers", stdout=out)
    assert "shop.catalogue" in out.getvalue() and "-o default_category=" in out.getvalue()


def test_progress_bar_renders_and_redraws_on_a_terminal() -> None:
    assert render(Progress(Stage.LOAD, 5, 10, "shop.Product")).startswith(
        "load      ███████████████"
    )
    assert "50% 5/10 shop.Product" in render(Progress(Stage.LOAD, 5, 10, "shop.Product"))
    assert render(Progress(Stage.READ, 0)) == "read     "
    stream = StringIO()
    bar = TerminalProgressBar(stream, enabled=True)
    bar(Progress(Stage.LOAD, 10, 10))
    bar.close()
    assert stream.getvalue().startswith("\r") and stream.getvalue().endswith("\n")
    silent = StringIO()
    TerminalProgressBar(silent)(Progress(Stage.LOAD, 1, 2))
    assert silent.getvalue() == ""


STOCK_HEADER = ["sku", "name", "price", "quantity", "category", "store", "available_from"]


def _two_sheet_workbook(path: Path) -> Path:
    """Sheet "Notes" first; sheet "Stock": a title row, then the table from row 3."""
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("Notes").write(0, 0, "See the Stock sheet")
    stock = workbook.add_worksheet("Stock")
    stock.write(0, 0, "Stock on 2026-01-02")
    stock.write_row(2, 0, STOCK_HEADER)
    stock.write_row(3, 0, ["W-1", "Wok", 30, 2, "Kitchen", "Online"])
    stock.write_row(4, 0, ["W-2", "Pan", "n/a", 1, "Kitchen", "Online"])
    stock.write_row(5, 0, STOCK_HEADER)
    workbook.close()
    return path


def test_sheet_and_detected_header_row(tmp_path: Path) -> None:
    path = _two_sheet_workbook(tmp_path / "stock.xlsx")
    err = StringIO()
    with pytest.raises(CommandError, match="must be fixed first"):
        call_command(
            "winiadmin_import", "shop.catalogue", str(path), "--sheet", "Stock",
            "--dry_run", stdout=StringIO(), stderr=err,
        )  # fmt: skip
    # The problems name the spreadsheet's rows: the table starts at row 3.
    assert "Row 5, column 'price', value 'n/a': Not a number." in err.getvalue()


def test_header_row_option(tmp_path: Path) -> None:
    path = _two_sheet_workbook(tmp_path / "stock.xlsx")
    # Row 6 repeats the headers: read from there, the table has no rows.
    out, _ = run("shop.catalogue", str(path), "--sheet", "1", "--header-row", "6", "--dry_run")
    assert "header row 6 (chosen)" in out and "Read 0 rows" in out
    with pytest.raises(CommandError, match="--header-row: must be at least 1, not 0"):
        run("shop.catalogue", str(path), "--header_row", "0")


def test_odd_headers_matched_automatically_and_the_rest_by_column_map(samples: Path) -> None:
    out, _ = run(
        "shop.catalogue",
        str(samples / "catalogue_odd_headers.csv"),
        "--column_map",
        "Shop=store",
        "--column_map",
        "Notes=",
    )
    assert Product.objects.count() == 10
    assert "Column mapping (file header → column, how):" in out
    assert "'Prix' → price (a declared alias)" in out
    assert "'SKU' → sku (same name apart from case, accents or spacing)" in out
    assert "'Availble From' → available_from (close spelling, 96% alike)" in out
    assert "'Shop' → store (chosen)" in out
    assert "'Notes' → (ignored) (ignored)" in out
    assert Product.objects.get(sku="SKU-0002").store.name == "Online"  # type: ignore[union-attr]


def test_unmatched_columns_name_the_closest_file_headers(samples: Path, tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("sku,name,price,qty,category,Shop,Stock place,available\nA,Lamp,2,1,Books,,,\n")
    with pytest.raises(CommandError) as caught:
        run("shop.catalogue", str(odd))
    message = str(caught.value)
    assert message.startswith(
        "No file column matches: store (closest file headers: 'Stock place', 'Shop'); "
        "available_from (closest file headers: 'available')."
    )
    assert "--column_map 'File header=store'" in message
    assert Product.objects.count() == 0


def test_column_map_file(samples: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"Shop": "store", "Notes": null, "Prix": "name"}', encoding="utf-8")
    # The command line wins over the file.
    out, _ = run(
        "shop.catalogue",
        str(samples / "catalogue_odd_headers.csv"),
        "--column_map_file",
        str(mapping),
        "--column_map",
        "Prix=price",
        "--dry_run",
    )
    assert "'Shop' → store (chosen)" in out and "'Prix' → price (chosen)" in out
    assert "DRY RUN" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--column_map", "Shop"], "Expected 'File header=column', not 'Shop'"),
        (["--column_map", "Shop=warehouse"], "'warehouse', which the importer does not expect"),
        (["--column_map", "Magasin=store"], "'Magasin', which is not a column of the file"),
        (["--column_map_file", "/nonexistent/map.json"], "Cannot read the column map file"),
    ],
)
def test_bad_column_maps_are_command_errors(samples: Path, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("shop.catalogue", str(samples / "catalogue_odd_headers.csv"), *args)
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"), [("{nope", "is not valid JSON"), ('["a"]', "must hold one JSON object")]
)
def test_bad_column_map_files(samples: Path, tmp_path: Path, content: str, message: str) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run("shop.catalogue", str(samples / "catalogue.csv"), "--column_map_file", str(mapping))


def test_an_upsert_prints_updated_and_unchanged_columns(samples: Path) -> None:
    run("shop.catalogue", str(samples / "catalogue.csv"))
    out, _ = run("shop.catalogue", str(samples / "catalogue_update.csv"))
    lines = out.splitlines()
    assert any(line.split() == ["Model", "Created", "Updated", "Unchanged"] for line in lines)
    assert any(line.split() == ["shop.Product", "2", "3", "7"] for line in lines)
    assert "Imported 2 objects. Updated 3." in out
    assert Product.objects.get(sku="SKU-0002").price == Decimal("9.49")


def test_the_summary_accounts_for_every_row_of_the_file(samples: Path) -> None:
    out, _ = run("shop.catalogue", str(samples / "catalogue.csv"))
    assert "Rows: 40 read = 40 imported + 0 updated + 0 unchanged + 0 skipped + 0 rejected." in out
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "winiadmin_import",
            "shop.catalogue",
            str(samples / "catalogue_with_mistakes.csv"),
            stdout=(out_io := StringIO()),
            stderr=err,
        )
    assert (
        # The valid rows are stored already, as they are: unchanged.
        "Rows (nothing written; what the import would do): 12 read = 0 imported + 0 updated + "
        "6 unchanged + 1 skipped (1 of them dropped by the cleaning rules: repeated or empty "
        "rows) + 5 rejected." in out_io.getvalue()
    )
