"""Downloads never hand a spreadsheet a formula: every cell starting =, +, -, @, tab or CR.

The problems CSV is the one download (docs/security.md); it repeats the file's own header and
rows, so both are attacker-controlled.
"""

import csv
import io

import pytest
from django.test import Client

from tests.admin.helpers import job_url, uploaded_job
from winiadmin.spreadsheets import FORMULA_STARTS


def is_plain_number(cell: str) -> bool:
    """``-5``, ``+1.5``: signed numbers are data, left as they are."""
    if not cell.startswith(("-", "+")) or not cell[1:2].isdigit():
        return False
    try:
        float(cell)
    except ValueError:
        return False
    return True


pytestmark = pytest.mark.django_db

DANGEROUS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
COLUMNS = ["sku", "name", "price", "quantity", "category", "store", "available_from"]


def hostile_file() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, '=HYPERLINK("http://x")', "@header"])  # unexpected columns
    for index, value in enumerate(DANGEROUS):
        # An invalid price puts every row into the problems, with its original cells.
        writer.writerow([f"X-{index}", value, value, "1", "", "", "", value, value])
    return out.getvalue().encode()


def test_the_problems_csv_neutralises_every_formula(su_client: Client) -> None:
    job = uploaded_job(su_client, content=hostile_file(), name="hostile.csv")
    response = su_client.get(job_url(job, "problems_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="problems-{job.pk}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS) and not is_plain_number(c)]
    header = rows[0]
    assert header[-2:] == ['\'=HYPERLINK("http://x")', "'@header"]
    invalid_prices = [row for row in rows[1:] if row[4] == "price"]
    assert len(invalid_prices) == len(DANGEROUS)
    for index, (row, value) in enumerate(zip(invalid_prices, DANGEROUS, strict=True)):
        shown = "'" + value.replace("\r", "\n")  # the reader's line break inside a value
        assert row[5] == shown  # the problem's value
        assert row[7:] == [f"X-{index}", shown, shown, "1", "", "", "", shown, shown]  # the row
