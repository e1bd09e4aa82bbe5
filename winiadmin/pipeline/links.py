"""The load stages' part in many-to-many fields (``Importer.many_to_many``).

Both stages make a :class:`~winiadmin.db.many_to_many.LinkCells` when the importer declares
many-to-many fields, hand it to their loader (the frame loader takes the cells out of the
frames; the instance path watches its objects), and write the through rows with
:func:`write_stage_links` once every model is stored, inside the run's transaction
(:class:`~winiadmin.pipeline.load.RunTransaction`; the stages open none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connections

from winiadmin.db.lookups import KeyResolver
from winiadmin.db.many_to_many import LinkCells, ManyToMany
from winiadmin.db.through_rows import LinkCounts, write_links
from winiadmin.exceptions import LoadError

if TYPE_CHECKING:
    from collections.abc import Sequence


def link_cells(declarations: Sequence[ManyToMany]) -> LinkCells | None:
    return LinkCells(declarations) if declarations else None


def require_returned_keys(using: str) -> None:
    """The instance path links objects by the keys ``bulk_create`` reads back: a backend that
    cannot return them (MySQL) would leave objects without keys, indistinguishable from the
    ones left out; refused before anything is written."""
    if not connections[using].features.can_return_rows_from_bulk_insert:
        vendor = connections[using].vendor
        msg = (
            f"Many-to-many fields need the keys of the rows inserted, which this database "
            f"({vendor}) does not return from a bulk insert; use a frame-native importer "
            "(get_frames_by_model) with the keys in the frame."
        )
        raise LoadError(msg)


def write_stage_links(
    cells: LinkCells | None,
    resolver: KeyResolver | None,
    *,
    using: str,
    step: int,
    collect_pks: bool,
) -> LinkCounts:
    """Write the through rows. Unmatched values are recorded on ``resolver`` (the run's); a
    caller without one gets a ``LoadError`` naming them, as the frame loader does."""
    if cells is None:
        return LinkCounts()
    own = resolver is None
    resolver = KeyResolver((), using, create_missing=False) if resolver is None else resolver
    linked = write_links(cells, resolver, using=using, step=step, collect_pks=collect_pks)
    if own and resolver.blocking:
        raise LoadError("; ".join(u.describe() for u in resolver.blocking))
    return linked
