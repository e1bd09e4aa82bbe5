"""``winiadmin_import`` with a workbook importer (a sheet per model): problems name the sheet."""

from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from shop.models import Customer

from tests.pipeline.test_workbook import CUSTOMERS, LINES, ORDERS, OrdersWorkbook, workbook
from winiadmin.importers import register
from winiadmin.importers.registry import unregister

pytestmark = pytest.mark.django_db


class Orders(OrdersWorkbook):
    name = "tests.orders_command"


@pytest.fixture
def registered() -> Iterator[None]:
    register(Orders)
    yield
    unregister(Orders)


@pytest.mark.usefixtures("registered")
def test_problems_are_printed_with_their_sheet(tmp_path: Path) -> None:
    orders: list[list[object]] = [*ORDERS, ["O-4", "eve@example.com", 2.0]]
    path = workbook(
        tmp_path / "o.xlsx", {"Customers": CUSTOMERS, "Orders": orders, "Order lines": LINES}
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("winiadmin_import", "tests.orders_command", str(path), stdout=out, stderr=err)
    assert "error: Sheet 'Orders', row 4, column 'customer', value 'eve@example.com'" in (
        err.getvalue()
    )
    assert not Customer.objects.exists()
