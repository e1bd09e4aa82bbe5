"""The models' own rules stop an import before anything is written, on both load paths.

Among them the README's example importer: a 300-character name for a ``CharField(max_length=200)``
was stored by SQLite and refused by PostgreSQL as "value too long … COPY …, line 2".
"""

from collections.abc import Iterable
from pathlib import Path

import polars as pl
import pytest
from django.db import connection
from django.db.models import Model
from shop.models import Product

from tests.testapp.models import Ruled
from winiadmin.cleaning import CleaningDF
from winiadmin.cleaning.mapping import ColumnMapping
from winiadmin.importers import Importer
from winiadmin.pipeline.spec import FramesByModel
from winiadmin.problems import ProblemKind
from winiadmin.results import ImportStatus

pytestmark = pytest.mark.django_db

LONG = "x" * 300


class ProductCleaning(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"sku": pl.Utf8, "name": pl.Utf8, "price": pl.Float64}

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ("sku", "name", "price")

    @classmethod
    def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return (("sku",),)


class ProductImporter(Importer):
    """The README's example, word for word."""

    name = "tests.readme_products"
    models = (Product,)
    cleaning_df_cls = ProductCleaning

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {Product: [Product(**row) for row in df.iter_rows(named=True)]}


class ProductFrames(Importer):
    """The same, frame-native."""

    name = "tests.readme_product_frames"
    models = (Product,)
    cleaning_df_cls = ProductCleaning

    def get_frames_by_model(self, df: pl.DataFrame) -> FramesByModel:
        return {Product: df}


class RawProductFrames(ProductFrames):
    validate_model_rules = False


BOTH = pytest.mark.parametrize("importer", [ProductImporter, ProductFrames])


def products_file(tmp_path: Path, name: str = LONG) -> Path:
    path = tmp_path / "products.csv"
    path.write_text(f"sku,name,price\nA-1,Short,1.50\nA-2,{name},2.00\nA-3,Fine,3.25\n")
    return path


@BOTH
def test_a_name_too_long_is_refused_with_its_row_column_and_value(
    tmp_path: Path, importer: type[Importer]
) -> None:
    result = importer().run(products_file(tmp_path))
    assert result.status is ImportStatus.INVALID
    assert [(p.row, p.column, p.value, p.message) for p in result.problems.errors()] == [
        (3, "name", LONG, "Ensure this value has at most 200 characters (it has 300).")
    ]
    assert "nothing was written" in result.error
    assert Product.objects.count() == 0


@BOTH
def test_skipping_invalid_rows_leaves_out_the_refused_one(
    tmp_path: Path, importer: type[Importer]
) -> None:
    result = importer().run(products_file(tmp_path), skip_invalid=True)
    assert result.status is ImportStatus.SUCCEEDED
    assert result.skipped_rows == (3,)
    assert set(Product.objects.values_list("sku", flat=True)) == {"A-1", "A-3"}


@BOTH
def test_a_dry_run_names_the_same_problem(tmp_path: Path, importer: type[Importer]) -> None:
    result = importer().run(products_file(tmp_path), dry_run=True)
    assert [(p.row, p.column) for p in result.problems.errors()] == [(3, "name")]
    assert Product.objects.count() == 0


def test_too_many_decimal_places_are_refused_not_rounded(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("sku,name,price\nA-1,One,1.505\n")
    result = ProductImporter().run(path)
    assert [(p.row, p.column, p.value) for p in result.problems.errors()] == [(2, "price", "1.505")]
    assert Product.objects.count() == 0


def test_opting_out_leaves_the_rules_to_the_database(tmp_path: Path) -> None:
    result = RawProductFrames().run(products_file(tmp_path))
    if connection.vendor == "sqlite":  # SQLite stores any length: what the opt-out gives up
        assert result.status is ImportStatus.SUCCEEDED
        assert Product.objects.get(sku="A-2").name == LONG
        return
    # PostgreSQL refuses it during the load: named by its file row, never a COPY line.
    assert result.status is ImportStatus.FAILED
    [problem] = result.problems.errors()
    assert (problem.kind, problem.row, problem.column, problem.value) == (
        ProblemKind.LOAD_FAILED,
        3,
        "name",
        LONG,
    )
    assert "COPY" not in str(problem)
    assert "value too long" in problem.message
    assert Product.objects.count() == 0


class RuledCleaning(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"code": pl.Utf8, "label": pl.Utf8, "low": pl.Int64, "high": pl.Int64}

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ()

    @classmethod
    def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return ()


class RuledFrames(Importer):
    name = "tests.ruled_frames"
    models = (Ruled,)
    cleaning_df_cls = RuledCleaning

    def get_frames_by_model(self, df: pl.DataFrame) -> FramesByModel:
        return {Ruled: df}


class RuledObjects(Importer):
    name = "tests.ruled_objects"
    models = (Ruled,)
    cleaning_df_cls = RuledCleaning

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {Ruled: [Ruled(**row) for row in df.iter_rows(named=True)]}


@pytest.mark.parametrize("importer", [RuledFrames, RuledObjects])
def test_check_constraints_and_validators_on_both_paths(
    tmp_path: Path, importer: type[Importer]
) -> None:
    path = tmp_path / "ruled.csv"
    path.write_text("code,label,low,high\nok,a,1,2\nnot ok,b,1,2\nfine,c,5,4\n")
    result = importer().run(path)
    assert result.status is ImportStatus.INVALID
    assert [(p.row, p.column, p.value) for p in result.problems.errors()] == [
        (3, "code", "not ok"),
        (4, "low, high", "5, 4"),
    ]
    assert Ruled.objects.count() == 0


def test_a_constraint_left_to_the_database_names_the_file_row(tmp_path: Path) -> None:
    """``label = Lower(label)`` is not evaluated before the load: the database refuses row 4."""
    path = tmp_path / "ruled.csv"
    path.write_text("code,label,low,high\na,ok,1,2\nb,ok,1,2\nc,UPPER,1,2\nd,ok,1,2\n")
    result = RuledFrames().run(path, batch_size=2)
    assert result.status is ImportStatus.FAILED
    [problem] = result.problems.errors()
    assert (problem.kind, problem.row, problem.column, problem.value) == (
        ProblemKind.LOAD_FAILED,
        4,
        "label",
        "UPPER",
    )
    assert "line" not in problem.message
    assert Ruled.objects.count() == 0


def test_a_trigger_refusing_a_row_names_the_file_row(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PL/pgSQL trigger")
    table = Ruled._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_seven() RETURNS trigger AS $$ BEGIN "
            "IF NEW.low = 7 THEN RAISE EXCEPTION 'seven is refused' USING ERRCODE = '23514'; "
            "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            f"CREATE TRIGGER refuse_seven BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_seven()"
        )
    path = tmp_path / "ruled.csv"
    path.write_text("code,label,low,high\na,x,1,9\nb,x,7,9\nc,x,2,9\n")
    result = RuledFrames().run(path)
    assert result.status is ImportStatus.FAILED
    [problem] = result.problems.errors()
    assert (problem.row, problem.kind) == (3, ProblemKind.LOAD_FAILED)
    assert "seven is refused" in problem.message
    assert Ruled.objects.count() == 0


class RenamedProductCleaning(ProductCleaning):
    """The file says ``Product name`` for the model's ``name``."""

    @classmethod
    def get_rename_map(cls) -> dict[str, str]:
        return {"name": "Product name"}


class RenamedProducts(ProductImporter):
    cleaning_df_cls = RenamedProductCleaning


class RenamedProductFrames(ProductFrames):
    cleaning_df_cls = RenamedProductCleaning


@pytest.mark.parametrize("importer", [RenamedProducts, RenamedProductFrames])
def test_a_problem_names_the_header_of_the_cleaning_class_rename_map(
    tmp_path: Path, importer: type[Importer]
) -> None:
    path = tmp_path / "products.csv"
    path.write_text(f"sku,Product name,price\nA-1,Short,1.50\nA-2,{LONG},2.00\n")
    result = importer().run(path)
    assert [(p.row, p.column, p.value) for p in result.problems.errors()] == [
        (3, "Product name", LONG)
    ]


@BOTH
def test_a_problem_names_the_header_the_user_mapped(
    tmp_path: Path, importer: type[Importer]
) -> None:
    path = tmp_path / "products.csv"
    path.write_text(f"sku,Product name,price\nA-1,Short,1.50\nA-2,{LONG},2.00\n")
    result = importer().run(path, column_mapping=ColumnMapping({"Product name": "name"}))
    assert [(p.row, p.column, p.value) for p in result.problems.errors()] == [
        (3, "Product name", LONG)
    ]
    assert Product.objects.count() == 0


def test_a_refusal_by_the_database_names_the_header_too(tmp_path: Path) -> None:
    path = tmp_path / "ruled.csv"
    path.write_text("code,Label,low,high\na,ok,1,2\nb,UPPER,1,2\n")
    result = RuledFrames().run(path, column_mapping=ColumnMapping({"Label": "label"}))
    assert result.status is ImportStatus.FAILED
    [problem] = result.problems.errors()
    assert (problem.row, problem.column, problem.value) == (3, "Label", "UPPER")
    assert "column 'Label'" in result.error


@pytest.mark.parametrize("batch_size", [2, 1000])
def test_a_constraint_left_to_the_database_names_the_file_row_on_the_object_path(
    tmp_path: Path, batch_size: int
) -> None:
    """The same refusal as the frame path's, found among the objects sent (by halves)."""
    path = tmp_path / "ruled.csv"
    path.write_text("code,Label,low,high\na,ok,1,2\nb,ok,1,2\nc,UPPER,1,2\nd,ok,1,2\n")
    mapping = ColumnMapping({"Label": "label"})
    result = RuledObjects().run(path, batch_size=batch_size, column_mapping=mapping)
    assert result.status is ImportStatus.FAILED
    [problem] = result.problems.errors()
    assert (problem.kind, problem.row, problem.column, problem.value) == (
        ProblemKind.LOAD_FAILED,
        4,
        "Label",
        "UPPER",
    )
    assert "ruled_label_lower" in problem.message or "CHECK" in problem.message
    assert Ruled.objects.count() == 0


def _refuse_seven() -> None:
    table = Ruled._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_seven() RETURNS trigger AS $$ BEGIN "
            "IF NEW.low = 7 THEN RAISE EXCEPTION 'seven is refused' USING ERRCODE = '23514'; "
            "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            f"CREATE TRIGGER refuse_seven BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_seven()"
        )


@pytest.mark.parametrize("batch_size", [1, 1000])
def test_a_trigger_refusing_an_object_names_the_file_row(tmp_path: Path, batch_size: int) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PL/pgSQL trigger")
    _refuse_seven()
    path = tmp_path / "ruled.csv"
    path.write_text("code,label,low,high\na,x,1,9\nb,x,2,9\nc,x,7,9\nd,x,3,9\n")
    result = RuledObjects().run(path, batch_size=batch_size)
    assert result.status is ImportStatus.FAILED
    [problem] = result.problems.errors()
    assert (problem.row, problem.kind) == (4, ProblemKind.LOAD_FAILED)
    assert "seven is refused" in problem.message
    assert "COPY" not in result.error
    assert Ruled.objects.count() == 0


def test_a_refused_object_the_importer_computed_has_no_row(tmp_path: Path) -> None:
    """A value the file does not hold cannot be found in it: the problem says so by no row."""

    class Shouting(RuledObjects):
        def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
            return {Ruled: [Ruled(code=c, label=c.upper()) for c in df["code"]]}

    path = tmp_path / "ruled.csv"
    path.write_text("code,label,low,high\nab,x,1,2\ncd,x,1,2\n")
    result = Shouting().run(path)
    assert result.status is ImportStatus.FAILED
    [problem] = result.problems.errors()
    assert (problem.row, problem.column, problem.value) == (None, "label", "AB")
