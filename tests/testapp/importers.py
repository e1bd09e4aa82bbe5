"""A test importer whose load can be made slow on purpose, for background-run tests.

``testapp.slow_tags`` loads one ``Tag`` per row; its ``pause_ms`` option sleeps that long after
every ``PAUSE_EVERY`` objects handed to the loader, so that a test can look at, cancel or kill a run
in the middle of its load deterministically (a real worker process included).
"""

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import cast, overload

import polars as pl
from django.db import connection
from django.db.models import Model
from shop.importers import CatalogueImporter

from tests.testapp.models import Folder, Line, Note, Tag
from winiadmin.cleaning import CleaningDF
from winiadmin.db.model_frame import ROW_NUMBER_COLUMN, ModelFrame
from winiadmin.importers import Importer, IntegerOption, Lookup, register, with_keys

PAUSE_EVERY = 100


class TagCleaningDF(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"name": pl.Utf8}

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ("name",)

    @classmethod
    def get_unique_subsets(cls) -> tuple[tuple[str, ...], ...]:
        return (("name",),)


class PausingList(Sequence[Model]):
    """A list that sleeps ``pause`` seconds every ``every`` items while it is iterated."""

    def __init__(
        self, items: list[Model], pause: float, every: int = PAUSE_EVERY, *, in_sql: bool = False
    ) -> None:
        self.items = items
        self.pause = pause
        self.every = every
        #: Pause in a statement of the import's own connection (PostgreSQL's ``pg_sleep``), as a
        #: long ``COPY`` would: only cancelling the statement interrupts it.
        self.in_sql = in_sql and connection.vendor == "postgresql"

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> Model: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Model]: ...
    def __getitem__(self, index: int | slice) -> Model | Sequence[Model]:
        return self.items[index]

    def __iter__(self) -> Iterator[Model]:
        for n, item in enumerate(self.items, 1):
            yield item
            if self.pause and n % self.every == 0:
                self._sleep()

    def _sleep(self) -> None:
        if not self.in_sql:
            time.sleep(self.pause)
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(%s)", [self.pause])


@register
class SlowTagsImporter(Importer):
    name = "testapp.slow_tags"
    verbose_name = "Tags (slow on purpose)"
    description = "Column: name. One tag per row."
    models = (Tag,)
    cleaning_df_cls = TagCleaningDF
    options = (IntegerOption(name="pause_ms", default=0, help="Pause per 100 rows loaded."),)

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        pause = cast("int", self.get_option("pause_ms") or 0) / 1000
        tags: list[Model] = [Tag(name=name) for name in df["name"]]
        return {Tag: PausingList(tags, pause)}


class LineCleaningDF(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"text": pl.Utf8}

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ("text",)


@register
class SlowLinesImporter(Importer):
    """One ``Line`` per row, into a table with no unique key: nothing but the job's fencing stops
    a second copy. ``transform_ms`` sleeps once while the objects are built (before the load's
    transaction begins), ``pause_ms`` per 100 rows loaded."""

    name = "testapp.slow_lines"
    verbose_name = "Lines (slow on purpose)"
    description = "Column: text. One line per row; the table has no unique key."
    models = (Line,)
    cleaning_df_cls = LineCleaningDF
    options = (
        IntegerOption(name="pause_ms", default=0, help="Pause per 100 rows loaded."),
        IntegerOption(name="transform_ms", default=0, help="Pause while building the rows."),
        IntegerOption(name="sql_pause_ms", default=0, help="PostgreSQL: pg_sleep per 100 rows."),
    )

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        time.sleep(cast("int", self.get_option("transform_ms") or 0) / 1000)
        pause = cast("int", self.get_option("pause_ms") or 0) / 1000
        in_sql = cast("int", self.get_option("sql_pause_ms") or 0) / 1000
        lines: list[Model] = [Line(text=text) for text in df["text"]]
        return {Line: PausingList(lines, in_sql or pause, in_sql=bool(in_sql))}


class InsertOnlyCatalogue(CatalogueImporter):
    """``shop.catalogue`` without its upsert key: a stored SKU is a conflict again.

    Not registered at import time (the demo's registry stays as it is); tests that need it as a
    job's importer use the ``insert_only_catalogue`` fixture.
    """

    name = "testapp.catalogue_insert_only"
    upsert_keys = {}


class NoteCleaningDF(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"code": pl.Utf8, "text": pl.Utf8, "owner": pl.Utf8}

    @classmethod
    def get_no_null_cols(cls) -> tuple[str, ...]:
        return ("code", "text")

    @classmethod
    def get_optional_cols(cls) -> tuple[str, ...]:
        return ("owner",)


@register
class NotesImporter(Importer):
    """Notes by ``code`` (instance path); ``owner`` is a column only so that a file naming
    one is refused where the owner is set for the user (``NotesSite``)."""

    name = "testapp.notes"
    verbose_name = "Notes"
    models = (Note,)
    cleaning_df_cls = NoteCleaningDF
    upsert_keys = {Note: ("code",)}

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        return {Note: [Note(code=c, text=t) for c, t in zip(df["code"], df["text"], strict=True)]}


@register
class NoteFramesImporter(NotesImporter):
    """The same notes, frame-native."""

    name = "testapp.note_frames"
    verbose_name = "Notes (frame-native)"

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        return {Note: df.select("code", "text", ROW_NUMBER_COLUMN)}


class FiledNoteCleaningDF(NoteCleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {**super().get_col_dtype_map(), "folder": pl.Utf8}

    @classmethod
    def get_optional_cols(cls) -> tuple[str, ...]:
        return (*super().get_optional_cols(), "folder")


@register
class FiledNotesImporter(Importer):
    """Notes in folders given by name (instance path); a folder that matches nothing may be
    created. Where the owner is fixed, a name is found only among the user's own folders."""

    name = "testapp.filed_notes"
    verbose_name = "Filed notes"
    models = (Folder, Note)
    cleaning_df_cls = FiledNoteCleaningDF
    upsert_keys = {Note: ("code",)}
    lookups = (Lookup(Note, "folder", by="name", create=True),)

    def get_bulks_by_model(self, df: pl.DataFrame) -> dict[type[Model], Iterable[Model]]:
        rows = df.select("code", "text", "folder").iter_rows()
        return {Note: [with_keys(Note(code=c, text=t), folder=f) for c, t, f in rows]}


@register
class FiledNoteFramesImporter(FiledNotesImporter):
    """The same filed notes, frame-native."""

    name = "testapp.filed_note_frames"
    verbose_name = "Filed notes (frame-native)"

    def get_frames_by_model(self, df: pl.DataFrame) -> dict[type[Model], ModelFrame | pl.DataFrame]:
        return {Note: df.select("code", "text", "folder", ROW_NUMBER_COLUMN)}
