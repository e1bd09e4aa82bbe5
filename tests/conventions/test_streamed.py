"""A streamed file (read and cleaned in batches) is proposed conventions from its *whole*
columns: every batch adds its evidence, and the proposal is decided at the end of the check, so a
cell in a later batch that contradicts a reading rules it out, and the counts are the file's."""

from pathlib import Path
from typing import Any

import pytest
from shop.importers import CatalogueImporter
from shop.models import Product

from winiadmin.cleaning.conventions import FileConventions
from winiadmin.results import ImportResult, ImportStatus

pytestmark = pytest.mark.django_db

HEADER = "sku,name,price,quantity,category,store,available_from\n"
ROWS = 25  # batches of 4: seven batches


@pytest.fixture(autouse=True)
def streamed(settings: Any) -> None:
    settings.WINIADMIN = {"STREAM_THRESHOLD_BYTES": 1, "STREAM_BATCH_ROWS": 4}


def catalogue(
    tmp_path: Path, *, price: str = "{n}.25", day: str = "2024-01-02", last: str = ""
) -> Path:
    """``ROWS`` products, their price and date written as ``price``/``day`` say; ``last``
    replaces the last row (the seventh batch)."""
    lines = [
        f"SKU-{n:03d},Thing {n},{price.format(n=n + 1)},{n % 7},Cat 1,Store 1,{day}"
        for n in range(ROWS)
    ]
    if last:
        lines[-1] = last
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def proposals(result: ImportResult) -> dict[str, list[FileConventions]]:
    return {p.column: [r.conventions for r in p.readings] for p in result.proposals}


def test_every_batch_counts_and_an_ambiguous_date_is_left_to_the_user(tmp_path: Path) -> None:
    result = CatalogueImporter().run(catalogue(tmp_path, day="01/02/2024"))
    assert result.source_info["streamed"] == "4"
    assert result.status is ImportStatus.INVALID
    (proposal,) = result.proposals
    assert proposal.column == "available_from"
    assert proposal.cells == ROWS  # every batch's refused cells, not the first batch's 4
    formats = [r.conventions.date_formats for r in proposal.readings]
    assert formats == [("%d/%m/%Y",), ("%m/%d/%Y",)]  # both read every value: the user says
    assert not Product.objects.exists()


def test_a_day_above_12_in_the_last_batch_rules_month_first_out(tmp_path: Path) -> None:
    last = "SKU-999,Last,1.25,1,Cat 1,Store 1,13/02/2024"
    result = CatalogueImporter().run(catalogue(tmp_path, day="01/02/2024", last=last))
    (proposal,) = result.proposals
    assert [r.conventions.date_formats for r in proposal.readings] == [("%d/%m/%Y",)]
    assert proposal.readings[0].examples[0] == ("01/02/2024", "2024-02-01")
    assert proposal.cells == ROWS


def test_a_thousands_dot_in_the_last_batch_changes_the_proposal(tmp_path: Path) -> None:
    plain = CatalogueImporter().run(catalogue(tmp_path, price='"{n},25"'))
    assert proposals(plain)["price"] == [
        FileConventions(decimal_separator=",", thousands_separator="")
    ]
    last = 'SKU-999,Last,"1.234,50",1,Cat 1,Store 1,2024-01-02'
    result = CatalogueImporter().run(catalogue(tmp_path, price='"{n},25"', last=last))
    assert proposals(result)["price"] == [
        FileConventions(decimal_separator=",", thousands_separator=".")
    ]
    (proposal,) = result.proposals
    assert proposal.cells == ROWS


def test_a_decimal_point_read_in_the_first_batch_prevents_a_decimal_comma_proposal(
    tmp_path: Path,
) -> None:
    # The first six batches write 1.25 (read by default); the last writes 1,25: no convention
    # reads the whole column, so none is proposed (the first failing batch alone would say
    # "decimal comma").
    last = 'SKU-999,Last,"7,25",1,Cat 1,Store 1,2024-01-02'
    result = CatalogueImporter().run(catalogue(tmp_path, last=last))
    assert result.status is ImportStatus.INVALID
    assert [(p.row, p.column) for p in result.problems.errors()] == [(ROWS + 1, "price")]
    assert result.proposals == []


def test_accepting_the_proposal_reads_every_batch(tmp_path: Path) -> None:
    path = catalogue(tmp_path, price='"{n},25"', day="13/02/2024")
    result = CatalogueImporter().run(path)
    accepted = FileConventions(
        columns={p.column: p.readings[0].conventions for p in result.proposals}
    )
    done = CatalogueImporter().run(path, conventions=accepted)
    assert done.status is ImportStatus.SUCCEEDED, [str(p) for p in done.problems]
    assert Product.objects.count() == ROWS
    assert str(Product.objects.get(sku="SKU-024").price) == "25.25"
