"""Importers of the reliability tests: registered by fixtures (and the kill driver) only."""

import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import polars as pl
from django.db.models import Model

from tests.testapp.models import CorpusItem, FaultChild, FaultParent
from winiadmin.cleaning import CleaningDF
from winiadmin.importers import Importer


class CorpusCleaningDF(CleaningDF):
    DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y")

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
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ("code", "name")

    @classmethod
    def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return (("code",),)


class CorpusImporter(Importer):
    name = "tests.corpus"
    models = (CorpusItem,)
    cleaning_df_cls = CorpusCleaningDF

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {CorpusItem: [CorpusItem(**row) for row in df.iter_rows(named=True)]}


class FaultCleaningDF(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"parent": pl.Utf8, "amount": pl.Int64}


class FaultImporter(Importer):
    """Parents by name, one child per row; a negative amount breaks the CHECK constraint.

    With ``WINIADMIN_LOAD_STARTED`` set (the kill test), the file it names is written when the
    third child is about to be inserted: the parents and the first children are in the
    database by then, uncommitted. The file holds what this transaction sees; the process then
    waits to be killed.
    """

    name = "tests.faults"
    models = (FaultParent, FaultChild)
    cleaning_df_cls = FaultCleaningDF
    # The CHECK constraint is one winiadmin evaluates before the load: left to the database
    # here, so that it refuses a chunk in the middle of the load (the fault under test).
    validate_model_rules = False

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        names = df["parent"].unique(maintain_order=True)
        parents = {name: FaultParent(name=name) for name in names}
        children = (
            FaultChild(parent=parents[row["parent"]], amount=row["amount"])
            for row in df.iter_rows(named=True)
        )
        return {FaultParent: list(parents.values()), FaultChild: _signal_when_loading(children)}


def _signal_when_loading(children: Iterable[FaultChild]) -> Iterator[FaultChild]:
    marker = os.environ.get("WINIADMIN_LOAD_STARTED")
    for index, child in enumerate(children):
        if marker and index == 2:
            seen = f"{FaultParent.objects.count()} {FaultChild.objects.count()}"
            Path(marker).write_text(seen)
            time.sleep(120)  # killed long before
        yield child


# -- importers with a bug in their own code (issue 12: "importer code that raises") -------------


class BrokenObjectsImporter(CorpusImporter):
    """``get_bulks_by_model`` reads a column the cleaning class does not have."""

    name = "tests.broken_objects"

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {CorpusItem: [CorpusItem(price=row["prices"]) for row in df.iter_rows(named=True)]}


class BrokenFramesImporter(CorpusImporter):
    """``get_frames_by_model`` (the frame-native path) fails the same way."""

    name = "tests.broken_frames"

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], pl.DataFrame]:
        columns = dict.fromkeys(df.columns)
        return {CorpusItem: df.select(columns["prices"])}


class BrokenLazyImporter(CorpusImporter):
    """The objects are built lazily, while the loader pulls them: the bug shows during the load."""

    name = "tests.broken_lazy"

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        def items() -> Iterator[CorpusItem]:
            for row in df.iter_rows(named=True):
                yield CorpusItem(code=row["code"], name=row["name"], quantity=1 // 0)

        return {CorpusItem: items()}


class BrokenCleaningDF(CorpusCleaningDF):
    @classmethod
    def get_col_converter_map(cls) -> dict[str, Callable[[pl.Series], pl.Series]]:
        def shout(names: pl.Series) -> pl.Series:
            return names.str.to_uppercase(strict=True)  # type: ignore[call-arg]

        return {"name": shout}


class BrokenCleaningImporter(CorpusImporter):
    """A hook of the cleaning class raises (a TypeError: an argument polars does not take)."""

    name = "tests.broken_cleaning"
    cleaning_df_cls = BrokenCleaningDF


class CorpusLastWins(CorpusImporter):
    name = "tests.corpus_last"
    on_duplicate_key = "last"


class CorpusFirstWins(CorpusImporter):
    name = "tests.corpus_first"
    on_duplicate_key = "first"


BROKEN_IMPORTERS = (
    BrokenObjectsImporter,
    BrokenFramesImporter,
    BrokenLazyImporter,
    BrokenCleaningImporter,
)

#: Registered with the corpus importer while the reliability tests run (conftest.py).
MORE_CORPUS_IMPORTERS = (CorpusLastWins, CorpusFirstWins, *BROKEN_IMPORTERS)
