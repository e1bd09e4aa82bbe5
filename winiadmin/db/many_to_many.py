"""Many-to-many fields given by natural keys in one cell: ``red|blue``.

An importer declares :class:`ManyToMany` (``Importer.many_to_many``); the load collects each
row's cell with its parent row's primary key while the parents are written (:class:`LinkCells`:
the frame loader hands over the inserted frame and its keys, the instance path watches the
objects it loads), and :mod:`winiadmin.db.through_rows` writes the through rows in bulk once
every model of the load is stored, so that the related rows may come from the same import (a
sheet of tags next to a sheet of products).

Declared on the importer, next to ``lookups`` and ``upsert_keys``, rather than on
``ModelFrame``: one declaration serves both load paths, ``manage.py check`` and the permissions
read it from the class, and an importer derived from a model can write it for each
``ManyToManyField``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
from django.core.exceptions import FieldDoesNotExist
from django.db.models import ForeignKey, ManyToManyField, Model

from winiadmin.db.lookups import KEYS_ATTRIBUTE, Lookup, related_setup_errors
from winiadmin.db.model_frame import ROW_NUMBER_COLUMN
from winiadmin.exceptions import LoadError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

#: What an upsert does to the links of a stored row: the cell's set replaces the stored one
#: (links not in the cell are removed), or is added to it (nothing removed).
type OnUpsert = Literal["replace", "add"]
ON_UPSERT: tuple[OnUpsert, ...] = ("replace", "add")

#: Columns of the frame of links :class:`LinkCells` hands to the writer.
PARENT = "__winiadmin_m2m_parent__"
VALUE = "__winiadmin_m2m_value__"
STORED = "__winiadmin_m2m_stored__"


@dataclass(frozen=True, slots=True, eq=False)
class ManyToMany:
    """``model.field`` (a ``ManyToManyField``) is given by the related model's ``by`` field.

    The cell (``column``, default the field's name) holds several values joined by
    ``separator``; spaces around each value are ignored, empty ones too. ``create`` and
    ``defaults``: values matching nothing may be created on request, as for :class:`Lookup`.
    ``on_upsert``: a stored row (``upsert_keys``) gets exactly the cell's links (``"replace"``)
    or keeps its links and gains the cell's (``"add"``).
    """

    model: type[Model]
    field: str
    by: str
    column: str | None = None
    separator: str = "|"
    create: bool = False
    defaults: Mapping[str, object] | Callable[[object], Mapping[str, object]] = dc_field(
        default_factory=dict
    )
    on_upsert: OnUpsert = "replace"

    @property
    def m2m_field(self) -> ManyToManyField[Any, Any]:
        found = self.model._meta.get_field(self.field)
        if not isinstance(found, ManyToManyField):
            msg = f"{self.label} is not a many-to-many field."
            raise LoadError(msg)
        return found

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    @property
    def through(self) -> type[Model]:
        through = self.m2m_field.remote_field.through
        assert isinstance(through, type)
        return through

    @property
    def through_fields(self) -> tuple[ForeignKey[Any, Any], ForeignKey[Any, Any]]:
        """The through model's foreign keys to the row (source) and to the related row."""
        m2m, meta = self.m2m_field, self.through._meta
        source = meta.get_field(m2m.m2m_field_name())
        target = meta.get_field(m2m.m2m_reverse_field_name())
        assert isinstance(source, ForeignKey)
        assert isinstance(target, ForeignKey)
        return source, target

    @property
    def source_column(self) -> str:
        return self.column or self.field

    @property
    def lookup(self) -> Lookup:
        """The related rows are found (and created) like a foreign key's natural key."""
        return Lookup(
            self.model,
            self.field,
            self.by,
            create=self.create,
            defaults=self.defaults,
            column=self.source_column,
        )

    def split(self, cell: object) -> list[object]:
        """The values of one cell: a text split on the separator, or a list given as it is."""
        if cell is None:
            return []
        if isinstance(cell, str):
            return [v for v in (part.strip() for part in cell.split(self.separator)) if v]
        if isinstance(cell, list | tuple | set | frozenset):
            return [v for v in cell if v is not None and v != ""]
        return [cell]

    def split_column(self, column: pl.Series) -> pl.Series:
        """:meth:`split` for a whole column, vectorised: a list of values per row."""
        if column.dtype == pl.String:
            parts = column.str.split(self.separator).list.eval(pl.element().str.strip_chars())
        elif isinstance(column.dtype, pl.List):
            parts = column
        else:
            parts = column.cast(pl.String).str.split(self.separator)
        return parts.list.eval(pl.element().filter(pl.element().cast(pl.String) != ""))

    def setup_errors(self) -> list[str]:
        """What is wrong with the declaration, in sentences (empty: fine)."""
        try:
            self.m2m_field  # noqa: B018 - raises when it is not a many-to-many field
        except (LoadError, FieldDoesNotExist) as exc:
            return [f"ManyToMany {self.label}: {exc}"]
        errors = []
        if not self.separator:
            errors.append(f"ManyToMany {self.label}: the separator is empty.")
        if self.on_upsert not in ON_UPSERT:
            choices = ", ".join(repr(c) for c in ON_UPSERT)
            errors.append(
                f"ManyToMany {self.label}: on_upsert is {self.on_upsert!r}; one of {choices}."
            )
        target = self.m2m_field.related_model
        assert isinstance(target, type)
        label = f"ManyToMany {self.label}"
        return errors + related_setup_errors(label, target, self.by, self.create, self.defaults)


class LinkCells:
    """The many-to-many cells of one load, each with its parent row's primary key."""

    def __init__(self, declarations: Iterable[ManyToMany]) -> None:
        self.declarations = tuple(declarations)
        self._frames: dict[int, list[pl.DataFrame]] = {}
        #: Frame path: the cells of the rows being inserted, waiting for their keys.
        self._pending: dict[type[Model], pl.DataFrame] = {}
        #: Instance path: objects with many-to-many values, and the values.
        self._objects: dict[int, list[tuple[Model, object]]] = {}

    def for_model(self, model: type[Model]) -> list[ManyToMany]:
        return [d for d in self.declarations if d.model is model]

    def wants_keys(self, model: type[Model], frame: pl.DataFrame) -> bool:
        """Whether the frame carries many-to-many cells: its rows' keys are needed."""
        return bool(self._columns(model, frame))

    def _columns(self, model: type[Model], frame: pl.DataFrame) -> list[tuple[int, str]]:
        found = []
        for i, d in enumerate(self.declarations):
            if d.model is not model:
                continue
            column = next((c for c in (d.source_column, d.field) if c in frame.columns), None)
            if column is not None:
                found.append((i, column))
        return found

    # -- frame path -----------------------------------------------------------------------

    def take(
        self, model: type[Model], frame: pl.DataFrame, stored: pl.DataFrame | None, stored_pk: str
    ) -> pl.DataFrame:
        """The frame without its many-to-many columns (they are no table's columns); the cells
        of ``stored`` (upserted rows, their records' keys in ``stored_pk``) are kept now, those
        of ``frame`` until :meth:`inserted` gives their keys."""
        columns = self._columns(model, frame)
        if not columns:
            return frame
        names = [c for _, c in columns]
        self._pending[model] = frame.select([*names, *_rows(frame)])
        if stored is not None and stored.height:
            for i, column in columns:
                pks = _pk_series(stored.get_column(stored_pk).to_list())
                self._add_frame(i, stored, column, pks, stored=True)
        return frame.drop(names)

    def inserted(self, model: type[Model], pks: Sequence[object]) -> None:
        """The keys of the rows :meth:`take` kept, in their order."""
        cells = self._pending.pop(model, None)
        if cells is None:
            return
        if len(pks) != cells.height:
            msg = (
                f"{model._meta.label}: its many-to-many links need the keys of the rows "
                "inserted, which this database cannot tell the frame loader (PostgreSQL and "
                "SQLite can). Give the keys in the frame."
            )
            raise LoadError(msg)
        for i, column in self._columns(model, cells):
            self._add_frame(i, cells, column, _pk_series(list(pks)), stored=False)

    def _add_frame(
        self, i: int, frame: pl.DataFrame, column: str, pks: pl.Series, *, stored: bool
    ) -> None:
        declaration = self.declarations[i]
        links = pl.DataFrame(
            [
                pks.alias(PARENT),
                declaration.split_column(frame.get_column(column)).alias(VALUE),
                _row_series(frame),
                pl.Series(STORED, [stored] * frame.height, dtype=pl.Boolean),
            ]
        )
        self._frames.setdefault(i, []).append(links)

    # -- instance path --------------------------------------------------------------------

    def watch(self, model: type[Model], objs: Iterable[Model]) -> Iterable[Model]:
        """``objs`` as they are; those given many-to-many values (``with_keys``) are noted."""
        mine = [(i, d) for i, d in enumerate(self.declarations) if d.model is model]
        return self._watching(mine, objs) if mine else objs

    def _watching(
        self, mine: list[tuple[int, ManyToMany]], objs: Iterable[Model]
    ) -> Iterator[Model]:
        for obj in objs:
            given = obj.__dict__.get(KEYS_ATTRIBUTE)
            if given:
                for i, d in mine:
                    if d.field in given:
                        self._objects.setdefault(i, []).append((obj, given[d.field]))
            yield obj

    def _object_frame(self, i: int) -> pl.DataFrame | None:
        """The watched objects that were stored (inserted, or upserted), with their values."""
        declaration = self.declarations[i]
        parents: list[object] = []
        values: list[list[object]] = []
        for obj, cell in self._objects.pop(i, []):
            if obj._state.adding or obj.pk is None:  # left out (a conflict, an unknown key)
                continue
            parents.append(obj.pk)
            values.append([str(v) for v in declaration.split(cell)])
        if not parents:
            return None
        return pl.DataFrame(
            [
                _pk_series(parents).alias(PARENT),
                pl.Series(VALUE, values, dtype=pl.List(pl.String)),
                pl.Series(ROW_NUMBER_COLUMN, [None] * len(parents), dtype=pl.Int64),
                # Inserted and upserted objects look alike once loaded: the stored links of
                # all are read (a new row has none), so "replace" and "add" hold for both.
                pl.Series(STORED, [True] * len(parents), dtype=pl.Boolean),
            ]
        )

    # -- for the writer -------------------------------------------------------------------

    def links(self) -> Iterator[tuple[ManyToMany, pl.DataFrame]]:
        """Per declaration, its parents' keys, values (a list per row), rows and stored flag."""
        for i, declaration in enumerate(self.declarations):
            frames = self._frames.pop(i, [])
            from_objects = self._object_frame(i)
            if from_objects is not None:
                frames.append(from_objects)
            if frames:
                yield declaration, pl.concat(frames, how="vertical_relaxed")


def _rows(frame: pl.DataFrame) -> list[str]:
    return [ROW_NUMBER_COLUMN] if ROW_NUMBER_COLUMN in frame.columns else []


def _row_series(frame: pl.DataFrame) -> pl.Series:
    if ROW_NUMBER_COLUMN in frame.columns:
        return frame.get_column(ROW_NUMBER_COLUMN).cast(pl.Int64)
    return pl.Series(ROW_NUMBER_COLUMN, [None] * frame.height, dtype=pl.Int64)


def _pk_series(values: list[object]) -> pl.Series:
    """Primary keys as a frame column (UUIDs as text, as the frame loader takes them)."""
    return pl.Series(PARENT, [str(v) if isinstance(v, uuid.UUID) else v for v in values])
