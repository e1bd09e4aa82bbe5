"""Foreign keys given by reference to another frame of the same import.

A parent frame names a column of in-import identifiers (``ModelFrame(Order, orders,
ref="order_number")``): unique within the frame, stored only when it is a field of the model. A
child frame's foreign-key column holds those identifiers (``ModelFrame(OrderLine, lines,
references=("order",))``; the foreign key's related model says which frame). Parents are loaded
first; the primary keys of their rows — inserted (see :mod:`winiadmin.db.rows_writer`: given in
the frame, reserved from the sequence, SQLite rowids) or, for upserted rows, the stored record's —
give identifier → primary key, and the child's column becomes ``<fk>_id`` by a join: no query and
no Python object per row.

This module keeps the identifiers of one load (:class:`FrameRefs`) and checks the declarations;
:mod:`winiadmin.db.frames` does the joins and reports what matches nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl
from django.db import connections
from django.db.models import ForeignKey, Model
from django.utils.translation import gettext as _

from winiadmin.db.graph import concrete
from winiadmin.db.rows_writer import key_mode
from winiadmin.exceptions import LoadError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from winiadmin.db.model_frame import ModelFrame

#: Columns of an identifier map: the identifier and its row's primary key.
REF_VALUE = "__winiadmin_ref__"
REF_PK = "__winiadmin_ref_pk__"


@dataclass(slots=True)
class FrameRefs:
    """Identifier → primary key of the parent frames of one load, and the identifiers left out.

    One per load (a streamed file: one per batch, so an identifier cannot span batches).
    """

    #: Per parent model: ``REF_VALUE`` → ``REF_PK`` of its loaded rows (inserted or upserted).
    keys: dict[type[Model], pl.DataFrame] = field(default_factory=dict)
    #: Per parent model: identifiers of rows that were in the frame but were not loaded
    #: (conflicts, unmatched natural keys or references), to say why a child matches nothing.
    left_out: dict[type[Model], set[object]] = field(default_factory=dict)

    def leave_out(self, model: type[Model], identifiers: pl.Series) -> None:
        self.left_out.setdefault(model, set()).update(identifiers.drop_nulls().to_list())

    def add(self, model: type[Model], identifiers: pl.Series, pks: pl.Series) -> None:
        part = pl.DataFrame([identifiers.alias(REF_VALUE), pks.alias(REF_PK)])
        known = self.keys.get(model)
        self.keys[model] = (
            part if known is None else pl.concat([known, part], how="vertical_relaxed")
        )

    def record_parent(
        self,
        spec: ModelFrame,
        inserted: pl.DataFrame,
        inserted_pks: list[object],
        stored: pl.DataFrame | None,
        stored_pk_column: str,
    ) -> None:
        """Learn the identifiers of a parent frame just loaded; the rest of its rows are left out.

        ``inserted`` are the rows written, in order (``inserted_pks`` their keys, or empty when
        the frame gives them); ``stored`` the upserted rows with their record's key.
        """
        assert spec.ref is not None
        ref = spec.ref
        pk_column = given_pk_column(spec)
        pks = inserted.get_column(pk_column) if pk_column else _pk_series(inserted_pks)
        self.add(spec.model, inserted.get_column(ref), pks)
        if stored is not None and stored.height:
            stored_pks = _pk_series(stored.get_column(stored_pk_column).to_list())
            self.add(spec.model, stored.get_column(ref), stored_pks)
        loaded = self.keys[spec.model].get_column(REF_VALUE)
        offered = spec.frame.get_column(ref).drop_nulls()
        self.leave_out(spec.model, offered.filter(~offered.is_in(loaded.implode())))

    def resolve(self, parent: type[Model], identifiers: pl.Series) -> pl.DataFrame:
        """``REF_VALUE`` → ``REF_PK`` for the parent's rows, typed like ``identifiers``."""
        keys = self.keys[parent]
        wanted, known = identifiers.dtype, keys.schema[REF_VALUE]
        if wanted in (known, pl.Null):
            return keys
        if known == pl.Null:
            return keys.with_columns(pl.col(REF_VALUE).cast(wanted))
        msg = (
            f"The column {identifiers.name!r} holds {wanted} values but the identifiers of the "
            f"{parent._meta.label} frame are {known}; give both the same type."
        )
        raise LoadError(msg)


def _pk_series(values: list[object]) -> pl.Series:
    """Primary keys as a column a child's ``<fk>_id`` can take (UUIDs as text, like the frame's)."""
    return pl.Series(REF_PK, [str(v) if isinstance(v, uuid.UUID) else v for v in values])


def given_pk_column(spec: ModelFrame) -> str | None:
    """The frame's column holding the primary key, if it gives the keys itself."""
    pk = spec.model._meta.pk
    assert pk is not None
    return next((c for c in (pk.name, pk.attname) if c in spec.frame.columns), None)


def stores_ref(spec: ModelFrame) -> bool:
    """Whether the identifier column is a field of the model (stored) or only the import's."""
    fields = spec.model._meta.local_concrete_fields
    return any(spec.ref in (f.name, f.attname) for f in fields)


def parent_of(specs: Mapping[type[Model], ModelFrame], spec: ModelFrame, name: str) -> type[Model]:
    """The model of the frame whose identifiers ``spec``'s column ``name`` holds."""
    fk = spec.model._meta.get_field(name)
    label = f"{spec.model._meta.label}.{name}"
    target = getattr(fk, "related_model", None)
    if not isinstance(fk, ForeignKey) or not (
        isinstance(target, type) and issubclass(target, Model)
    ):
        msg = f"{label} is not a foreign key; it cannot reference another frame."
        raise LoadError(msg)
    if concrete(target) is concrete(spec.model):
        msg = f"{label} references its own frame; give such keys as ids or by natural key."
        raise LoadError(msg)
    parent = next((m for m in specs if concrete(m) is concrete(target)), None)
    if parent is None or specs[parent].ref is None:
        msg = (
            f"{label} references {target._meta.label} rows of this import, but the import has "
            f"no {target._meta.label} frame with a ref (identifier) column."
        )
        raise LoadError(msg)
    return parent


def check_references(specs: Mapping[type[Model], ModelFrame], using: str) -> None:
    """Refuse, before anything is written, references that cannot be resolved."""
    for spec in specs.values():
        label = spec.model._meta.label
        for name in spec.references:
            parent_of(specs, spec, name)
            if name in spec.lookups:
                msg = f"{label}.{name} cannot be both a lookup and a reference to another frame."
                raise LoadError(msg)
            if name not in spec.frame.columns:
                msg = f"{label}: the reference {name!r} needs a column of that name."
                raise LoadError(msg)
        if spec.ref is None:
            continue
        if spec.ref not in spec.frame.columns:
            msg = f"{label}: the ref (identifier) column {spec.ref!r} is not in the frame."
            raise LoadError(msg)
        if key_mode(spec.model, using, given=given_pk_column(spec) is not None) == "none":
            vendor = connections[using].vendor
            msg = (
                f"{label}: a frame with a ref needs the primary keys of the rows it inserts, "
                f"which this database ({vendor}) cannot tell the frame loader (PostgreSQL and "
                "SQLite can). Give the keys in the frame, or the parents by natural key."
            )
            raise LoadError(msg)


def refuse_repeated(spec: ModelFrame, row_column: str) -> None:
    """An identifier twice in a frame cannot say which row its children belong to.

    The pipeline reports repeats as problems first (``frame_conflicts``); this guards direct
    callers of ``load_frames``.
    """
    assert spec.ref is not None
    column = spec.frame.get_column(spec.ref)
    repeated = spec.frame.filter(column.is_not_null() & column.is_duplicated())
    if not repeated.height:
        return
    value = repeated.get_column(spec.ref)[0]
    rows = repeated.get_column(row_column).to_list() if row_column in repeated.columns else []
    where = _(" (rows %(rows)s)") % {"rows": ", ".join(map(str, rows[:10]))} if rows else ""
    msg = _("%(model)s: the identifier %(value)r appears twice in this import%(rows)s.") % {
        "model": spec.model._meta.label,
        "value": value,
        "rows": where,
    }
    raise LoadError(msg)


def drop_unstored_ref(spec: ModelFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as it is inserted: an identifier column that is no field is not stored."""
    if spec.ref is None or stores_ref(spec):
        return frame
    return frame.drop(spec.ref)
