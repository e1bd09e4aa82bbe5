"""``ModelImporter``: every field type read from a real file into a real database, good values
stored as typed and bad ones named by row, column and value, through the Python API and the
command; declared importers (natural keys, upsert, created keys); the registry's zero
configuration; the system check for fields without a parser."""

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from shop.models import Product

from tests.testapp.models import Blob, Gadget, Maker, UUIDChild, UUIDParent, Wide
from winiadmin.checks import check_model_importers
from winiadmin.exceptions import ImporterNotFound
from winiadmin.importers import (
    ImportStatus,
    ModelImporter,
    ProblemKind,
    find_importer,
    get_importer,
    importers_for_model,
    model_importer,
    register,
)
from winiadmin.importers.registry import unregister

pytestmark = pytest.mark.django_db


def importer_of(*fields: str, **declared: Any) -> type[ModelImporter]:
    """A ``ModelImporter`` of Gadget importing ``name`` and ``fields``."""
    attrs = {"model": Gadget, "fields": ("name", *fields), **declared}
    return type("GadgetImporter", (ModelImporter,), attrs)


def write(tmp_path: Path, text: str, name: str = "gadgets.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@pytest.fixture
def makers() -> list[Maker]:
    return [Maker.objects.create(code="m1"), Maker.objects.create(code="m2")]


UTC = dt.UTC

#: field, text in the file, value stored (as the model reads it back).
GOOD = [
    ("notes", "  some text  ", "some text"),
    ("notes", "", ""),  # blank text: an empty string, as Django stores it
    ("slug", "a-slug", "a-slug"),
    ("email", "a@example.com", "a@example.com"),
    ("url", "https://example.com/x", "https://example.com/x"),
    (
        "ref",
        "{12345678-1234-1234-1234-1234567890AB}",
        uuid.UUID("12345678-1234-1234-1234-1234567890ab"),
    ),
    ("ref", "123456781234123412341234567890ab", uuid.UUID("12345678-1234-1234-1234-1234567890ab")),
    ("ref", "", None),
    ("small", "-32768", -32768),
    ("count", "400000000", 400000000),
    ("big", "9000000000", 9000000000),
    ("big", "12.0", 12),
    ("price", "1234.50", Decimal("1234.50")),
    ("price", "-0.5", Decimal("-0.50")),
    ("price", "0012.300", Decimal("12.30")),
    ("ratio", "1.25", 1.25),
    ("ratio", "1e3", 1000.0),
    ("price", ".5", Decimal("0.50")),
    ("price", "+0001200", Decimal("1200")),  # leading zeros are not digits; trailing ones are
    ("price", "-9999.9900", Decimal("-9999.99")),  # trailing zeros after the point are not places
    ("price", "10.", Decimal("10")),
    ("active", "Yes", True),
    ("active", "x", True),
    ("active", "TRUE", True),
    ("active", "1", True),
    ("active", "no", False),
    ("active", "0", False),
    ("active", "", False),
    ("day", "2024-02-29", dt.date(2024, 2, 29)),
    ("day", "2024-02-29 00:00:00", dt.date(2024, 2, 29)),
    ("moment", "2024-01-02T10:00:00+02:00", dt.datetime(2024, 1, 2, 8, 0, tzinfo=UTC)),
    ("moment", "2024-01-02T10:00:00Z", dt.datetime(2024, 1, 2, 10, 0, tzinfo=UTC)),
    ("moment", "2024-01-02 10:00", dt.datetime(2024, 1, 2, 10, 0, tzinfo=UTC)),
    ("moment", "2024-01-02 10:00:01.5", dt.datetime(2024, 1, 2, 10, 0, 1, 500000, tzinfo=UTC)),
    ("moment", "2024-01-02", dt.datetime(2024, 1, 2, tzinfo=UTC)),
    ("clock", "10:30", dt.time(10, 30)),
    ("clock", "10:30:15", dt.time(10, 30, 15)),
    ("span", "1 02:03:04", dt.timedelta(days=1, hours=2, minutes=3, seconds=4)),
    ("span", "P2DT3H", dt.timedelta(days=2, hours=3)),
    ("span", "90", dt.timedelta(seconds=90)),
    ("data", '{"a": [1, 2], "b": null}', {"a": [1, 2], "b": None}),
    ("data", "[1, 2]", [1, 2]),
    ("data", '"text"', "text"),
    ("ip", "192.168.0.1", "192.168.0.1"),
    ("ip", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
    ("size", "L", "L"),
    ("size", "Large", "L"),
    ("size", " small ", "S"),
    ("size", "", "S"),  # the field's default
    ("level", "High", 2),
    ("level", "1", 1),
]


@pytest.mark.parametrize(("field", "text", "stored"), GOOD)
def test_good_values_are_stored_as_typed(
    tmp_path: Path, field: str, text: str, stored: object
) -> None:
    path = write(tmp_path, f"name,{field}\nfirst,{csv_cell(text)}\n")
    result = importer_of(field)().run(path)
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    assert getattr(Gadget.objects.get(name="first"), field) == stored


#: field, text in the file, what the problem says.
BAD = [
    ("ref", "12345", "Not a UUID"),
    ("small", "40000", "Out of range: from -32768 to 32767"),
    ("count", "-1", "Out of range: from 0 to 2147483647"),
    ("big", "1.5", "Not a whole number"),
    ("big", "ten", "Not a whole number"),
    ("price", "1.234", "More than 2 decimal places: rounding it is refused"),
    ("price", "12345.6", "Too many digits: at most 4 before the decimal point"),
    ("price", "1,5", "Not a decimal number"),
    ("price", "-00012345", "Too many digits: at most 4 before the decimal point"),
    ("price", "0.1250", "More than 2 decimal places: rounding it is refused"),
    ("price", "1.2.3", "Not a decimal number"),
    ("ratio", "abc", "Not a number"),
    ("ratio", "nan", "Not a number"),
    ("active", "maybe", "Not a yes/no value"),
    ("day", "2024-02-30", "Not a date"),
    ("day", "02/01/2024", "Not a date"),
    ("moment", "yesterday", "Not a date and time"),
    ("clock", "25:00", "Not a time of day"),
    ("span", "soon", "Not a duration"),
    ("data", "{a: 1", "Not valid JSON"),
    ("ip", "999.1.1.1", "Not an IP address"),
    ("maker", "first", "Not a whole number"),
]


@pytest.mark.parametrize(("field", "text", "message"), BAD)
def test_bad_values_are_named_and_nothing_is_written(
    tmp_path: Path, field: str, text: str, message: str
) -> None:
    path = write(tmp_path, f"name,{field}\nfine,\nbad,{csv_cell(text)}\n")
    result = importer_of(field)().run(path)
    assert result.status is ImportStatus.INVALID
    [problem] = [p for p in result.problems if p.is_error]
    assert (problem.row, problem.column, problem.value) == (3, field, text)
    assert problem.kind is ProblemKind.INVALID_VALUE
    assert message in problem.message
    assert not Gadget.objects.exists()


def test_skip_invalid_imports_the_rows_that_parse(tmp_path: Path) -> None:
    path = write(tmp_path, "name,price\na,1.5\nb,1.555\nc,2\n")
    result = importer_of("price")().run(path, skip_invalid=True)
    assert result.status is ImportStatus.SUCCEEDED
    assert result.skipped_rows == (3,)
    assert dict(Gadget.objects.values_list("name", "price")) == {
        "a": Decimal("1.50"),
        "c": Decimal("2.00"),
    }


def test_declared_date_formats(tmp_path: Path) -> None:
    path = write(
        tmp_path, "name,day,moment,clock\na,29/02/2024,29/02/2024 10:15,10h15\nb,,,10:30\n"
    )
    importer = importer_of(
        "day",
        "moment",
        "clock",
        date_formats=("%d/%m/%Y",),
        datetime_formats=("%d/%m/%Y %H:%M",),
        time_formats=("%Hh%M",),
    )
    result = importer().run(path)
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    gadget = Gadget.objects.get(name="a")
    assert gadget.day == dt.date(2024, 2, 29)
    assert gadget.moment == dt.datetime(2024, 2, 29, 10, 15, tzinfo=UTC)
    assert gadget.clock == dt.time(10, 15)
    assert Gadget.objects.get(name="b").clock == dt.time(10, 30)
    bad = importer().run(write(tmp_path, "name,clock\nc,10.15\n", "bad.csv"))
    assert [p.value for p in bad.problems if p.is_error] == ["10.15"]


def test_naive_datetimes_are_in_the_current_time_zone(tmp_path: Path, settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Paris"
    path = write(tmp_path, "name,moment\nwinter,2024-01-02 10:00\nsummer,2024-07-02 10:00\n")
    assert importer_of("moment")().run(path).status is ImportStatus.SUCCEEDED
    moments = dict(Gadget.objects.values_list("name", "moment"))
    assert moments == {
        "winter": dt.datetime(2024, 1, 2, 9, 0, tzinfo=UTC),
        "summer": dt.datetime(2024, 7, 2, 8, 0, tzinfo=UTC),
    }


def test_a_time_skipped_by_a_clock_change_is_refused(tmp_path: Path, settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Paris"
    path = write(tmp_path, "name,moment\na,2024-03-31 02:30\n")
    result = importer_of("moment")().run(path)
    [problem] = list(result.problems)
    assert problem.row == 2 and "does not exist or is ambiguous in Europe/Paris" in problem.message


def test_required_values_and_headers_by_verbose_name(tmp_path: Path) -> None:
    """``Gadget name`` (the verbose name, any case and spacing) feeds ``name``; an empty name
    is required."""
    path = write(tmp_path, "  GADGET-Name ,ratio\nfirst,1\n,2\n")
    result = importer_of("ratio")().run(path)
    assert result.status is ImportStatus.INVALID
    [problem] = [p for p in result.problems if p.is_error]
    assert (problem.row, problem.column, problem.kind) == (3, "name", ProblemKind.MISSING_VALUE)


def test_foreign_keys_by_primary_key_and_to_field(tmp_path: Path, makers: list[Maker]) -> None:
    m1, m2 = makers
    path = write(tmp_path, f"name,maker,made_by,twin\na,{m1.pk},m2,{m2.pk}\nb,,,\n")
    result = importer_of("maker", "made_by", "twin")().run(path)
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    a, b = Gadget.objects.order_by("name")
    assert (a.maker, a.made_by, a.twin) == (m1, m2, m2)
    assert (b.maker, b.made_by, b.twin) == (None, None, None)


def test_an_unknown_key_is_listed_with_its_rows(tmp_path: Path, makers: list[Maker]) -> None:
    path = write(tmp_path, "name,maker\na,999\nb,999\n")
    result = importer_of("maker")().run(path)
    assert result.status is ImportStatus.INVALID
    [unmatched] = result.unmatched
    assert unmatched.values == [999]
    assert not Gadget.objects.exists()


def test_natural_keys_created_on_request_and_upsert(tmp_path: Path, makers: list[Maker]) -> None:
    importer = importer_of(
        "maker",
        "price",
        natural_keys={"maker": "code"},
        create_missing=("maker",),
        upsert_key=("name",),
    )
    assert importer.models == (Maker, Gadget)
    assert importer.upsert_keys == {Gadget: ("name",)}
    first = write(tmp_path, "name,maker,price\na,m1,1\nb,m3,2\n")
    assert importer().run(first).status is ImportStatus.INVALID  # m3 is unknown
    result = importer().run(first, create_missing=True)
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    assert Gadget.objects.get(name="b").maker == Maker.objects.get(code="m3")

    second = write(tmp_path, "name,maker,price\na,m2,1.5\n", "again.csv")
    assert importer().run(second).status is ImportStatus.SUCCEEDED
    a = Gadget.objects.get(name="a")
    assert (a.maker, a.price, Gadget.objects.count()) == (makers[1], Decimal("1.50"), 2)


def test_every_field_in_one_file_on_this_database(tmp_path: Path, makers: list[Maker]) -> None:
    """The zero-configuration importer with every column, as the command and admin use it."""
    importer = model_importer(Gadget)
    header = ",".join(importer().get_cleaning_df_cls().get_col_names())
    assert header.startswith("name,notes,slug")
    path = write(
        tmp_path,
        "name,notes,slug,email,url,ref,small,count,big,price,ratio,active,day,moment,clock,span,"
        "data,ip,size,level,maker,made_by,twin\n"
        f"a,n,s,a@b.co,http://x.co,{uuid.UUID(int=1)},1,2,3,4.5,5.5,x,2024-01-02,"
        f'2024-01-02 10:00,10:30,01:00:00,"{{""k"": 1}}",::1,Large,Low,{makers[0].pk},m2,\n'
        "b,,,,,,,,,,,,,,,,,,,,,,\n",
    )
    result = importer().run(path)
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    a = Gadget.objects.get(name="a")
    assert (a.ref, a.price, a.active, a.size, a.level) == (
        uuid.UUID(int=1),
        Decimal("4.50"),
        True,
        "L",
        1,
    )
    assert (a.data, a.ip, a.span, a.made_by_id) == ({"k": 1}, "::1", dt.timedelta(hours=1), "m2")
    b = Gadget.objects.get(name="b")
    assert (b.active, b.size, b.notes, b.data, b.maker) == (False, "S", "", None, None)


def test_the_derived_declarations() -> None:
    importer = model_importer(Gadget)
    assert importer is model_importer(Gadget)  # built once
    assert importer.get_name() == "testapp.Gadget"
    assert importer.get_verbose_name() == "Gadgets"
    assert importer.models == (Gadget,)
    cleaning = importer().get_cleaning_df_cls()
    assert "id" not in cleaning.get_col_names()
    assert cleaning.get_no_null_cols() == ("name",)
    assert importer.column_names["name"] == ("Gadget name",)
    assert importer.column_names["maker"] == ("maker_id",)
    assert {lookup.field: lookup.by for lookup in importer.lookups} == {
        "maker": "id",
        "made_by": "code",
        "twin": "id",
    }


# -- the registry and the command -----------------------------------------------------------


def test_zero_configuration_in_the_registry() -> None:
    """Gadget's admin has ImportMixin and no importer: its derived importer is offered."""
    assert get_importer("testapp.Gadget") is model_importer(Gadget)
    assert importers_for_model(Gadget) == [model_importer(Gadget)]
    assert find_importer("testapp.Maker") is model_importer(Maker)  # the commands: any model


@pytest.fixture
def explicit() -> Iterator[type[ModelImporter]]:
    importer = importer_of("price")
    importer.name = "testapp.gadget_prices"
    register(importer)
    yield importer
    unregister(importer)


def test_an_explicit_importer_wins(explicit: type[ModelImporter]) -> None:
    assert importers_for_model(Gadget) == [explicit]
    assert find_importer("testapp.Gadget") is explicit
    with pytest.raises(ImporterNotFound, match=r"No importer is named 'testapp\.Gadget'"):
        get_importer("testapp.Gadget")
    # A model several registered importers write: the command asks for a name.
    assert len(importers_for_model(Product)) > 1
    with pytest.raises(ImporterNotFound, match=r"Several importers write shop\.Product"):
        find_importer("shop.Product")


def command(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("winiadmin_import", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_the_command_takes_a_model(tmp_path: Path) -> None:
    path = write(tmp_path, "name,price,active,size\na,1.5,yes,Large\nb,2,,S\n")
    command("testapp.Gadget", str(path), "--dry_run")
    assert not Gadget.objects.exists()
    command("testapp.Gadget", str(path))
    assert sorted(Gadget.objects.values_list("name", "price", "active", "size")) == [
        ("a", Decimal("1.50"), True, "L"),
        ("b", Decimal("2.00"), False, "S"),
    ]


def test_the_command_refuses_a_bad_value(tmp_path: Path) -> None:
    path = write(tmp_path, "name,price\na,1.999\n")
    with pytest.raises(CommandError):
        command("testapp.Gadget", str(path))
    assert not Gadget.objects.exists()


def test_the_command_with_an_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"No importer is named 'testapp\.Nothing'"):
        command("testapp.Nothing", str(write(tmp_path, "name\na\n")))


# -- the system check --------------------------------------------------------------------------


@pytest.fixture
def blob_importer() -> Iterator[type[ModelImporter]]:
    importer = type("BlobImporter", (ModelImporter,), {"model": Blob, "name": "testapp.blobs"})
    register(importer)
    yield importer
    unregister(importer)


def test_a_field_without_a_parser_is_refused_by_a_check(
    blob_importer: type[ModelImporter],
) -> None:
    [error] = check_model_importers(None)
    assert error.id == "winiadmin.E022"
    assert "upload (FileField)" in error.msg and "testapp.Blob" in error.msg
    assert blob_importer.unsupported_fields == ("upload (FileField)",)


def test_no_check_error_without_such_fields() -> None:
    assert check_model_importers(None) == []


def test_fields_that_are_not_columns_are_refused() -> None:
    with pytest.raises(Exception, match="has no field 'nope'"):
        importer_of("nope")
    with pytest.raises(Exception, match="natural_keys: 'price' is not a foreign key"):
        importer_of("price", natural_keys={"price": "x"})


def test_the_template_file_has_a_column_per_field(tmp_path: Path) -> None:
    out = tmp_path / "gadgets.csv"
    call_command("winiadmin_template", "testapp.Gadget", "--output", str(out), stderr=StringIO())
    header, example = out.read_text(encoding="utf-8-sig").splitlines()[:2]
    assert header.startswith("name,notes,slug,email,url,ref,small,count,big,price")
    cells = dict(zip(header.split(","), example.split(","), strict=False))
    assert cells["email"] == "name@example.com" and cells["size"] == "Small"
    assert cells["ref"] == "12345678-1234-5678-1234-567812345678"


def test_upsert_compares_and_updates_every_type(tmp_path: Path) -> None:
    fields = ("data", "span", "moment", "price", "ref", "ip", "active")
    importer = importer_of(*fields, upsert_key=("name",))
    header = "name," + ",".join(fields)
    first = write(
        tmp_path,
        f'{header}\na,"{{""k"": 1}}",01:00:00,2024-01-02 10:00,1.5,{uuid.UUID(int=1)},::1,x\n',
    )
    assert importer().run(first).status is ImportStatus.SUCCEEDED
    again = importer().run(first)
    assert again.status is ImportStatus.SUCCEEDED, [str(p) for p in again.problems]
    assert again.rows.unchanged == 1
    second = write(
        tmp_path,
        f'{header}\na,"[2]",02:00:00,2024-01-02 11:00,2.5,{uuid.UUID(int=2)},::2,no\n',
        "b.csv",
    )
    result = importer().run(second)
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    assert result.rows.updated == 1
    a = Gadget.objects.get()
    assert (a.data, a.span, a.price, a.ref, a.ip, a.active) == (
        [2],
        dt.timedelta(hours=2),
        Decimal("2.50"),
        uuid.UUID(int=2),
        "::2",
        False,
    )


def test_a_column_left_out_keeps_its_stored_value_on_upsert(tmp_path: Path) -> None:
    importer = importer_of("price", "notes", upsert_key=("name",))
    assert (
        importer().run(write(tmp_path, "name,price,notes\na,1.5,kept\n")).status
        is ImportStatus.SUCCEEDED
    )
    result = importer().run(write(tmp_path, "name,price\na,2\n", "b.csv"))
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    a = Gadget.objects.get()
    assert (a.price, a.notes) == (Decimal("2.00"), "kept")


def test_a_foreign_key_to_a_uuid_primary_key(tmp_path: Path) -> None:
    parent = UUIDParent.objects.create(name="p")
    path = write(tmp_path, f"name,parent\nc,{str(parent.pk).upper()}\nd,{uuid.UUID(int=5)}\n")
    result = model_importer(UUIDChild)().run(path)
    assert result.status is ImportStatus.INVALID  # the second one matches nothing
    assert result.unmatched[0].values == [str(uuid.UUID(int=5))]
    assert model_importer(UUIDChild)().run(path, skip_invalid=True).ok
    assert UUIDChild.objects.get().parent == parent


def test_decimals_wider_than_polars_are_refused_by_the_check() -> None:
    importer: type[ModelImporter] = type(
        "WideImporter", (ModelImporter,), {"model": Wide, "name": "testapp.wide"}
    )
    assert importer.unsupported_fields == ("amount (DecimalField with more than 38 digits)",)


def test_a_file_without_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "name,notes,slug,price,active,moment,span,data,ip,size,ref,maker\n")
    result = model_importer(Gadget)().run(path)
    assert result.status is ImportStatus.SUCCEEDED, [str(p) for p in result.problems]
    assert not Gadget.objects.exists()
