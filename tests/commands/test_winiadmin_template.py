"""``manage.py winiadmin_template``: an importer's empty file, then imported with the command."""

from io import StringIO
from pathlib import Path

import fastexcel
import pytest
from django.core.management import CommandError, call_command
from shop.models import Product

HEADER = "sku,name,price,quantity,category,store,available_from"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("winiadmin_template", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_csv_to_standard_output() -> None:
    out, _ = run("shop.catalogue")
    example = "SKU-0001,Golden Puzzle,66.67,6,Books,Berlin Mitte,2026-06-19"
    assert out.splitlines() == [HEADER, example]


def test_xlsx_to_a_file_chosen_by_its_suffix(tmp_path: Path) -> None:
    target = tmp_path / "catalogue.xlsx"
    _, err = run("shop.catalogue", "-o", str(target))
    assert f"Wrote the XLSX template of shop.catalogue to {target}." in err
    reader = fastexcel.read_excel(target.read_bytes())
    assert reader.sheet_names == ["Data", "Help"]
    assert reader.load_sheet("Data").to_polars().columns == HEADER.split(",")


@pytest.mark.django_db
def test_a_filled_in_template_imports_with_the_import_command(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    run("shop.catalogue", "--format", "csv", "--output", str(target))
    header = target.read_text().splitlines()[0]
    target.write_text(f"{header}\nZ-1,Chair,45,2,Furniture,,\n")
    call_command("winiadmin_import", "shop.catalogue", str(target), stdout=StringIO())
    assert list(Product.objects.values_list("sku", "category__name")) == [("Z-1", "Furniture")]


def test_mistakes_are_command_errors(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"shop\.nothing"):
        run("shop.nothing")
    with pytest.raises(CommandError, match="give --output FILE"):
        run("shop.catalogue", "--format", "xlsx")
    with pytest.raises(CommandError, match="Cannot write"):
        run("shop.catalogue", "-o", str(tmp_path / "missing-dir" / "t.csv"))
