"""A database refusal during an instance-path load, named by the object refused.

What the models' rules cannot see (a trigger, a constraint in SQL, a check condition winiadmin
does not evaluate) is refused by the database during the load, perhaps only when the open
``COPY`` ends, chunks later. The loader keeps the objects it sent since the database last
confirmed them (:class:`SentObjects`), and ends the open ``COPY`` before more than
:data:`KEPT_OBJECTS` are waiting (:meth:`SentObjects.would_overflow`), so that a refusal is
always among the objects kept while their memory stays bounded; once the load's savepoint is
rolled back, they are written again by halves in savepoints, rolled back, until the refused one
is left (:func:`raise_refused_object`). The object carries no file row: the pipeline finds it by
value.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from winiadmin.db.located import first_refused, refusal_problem, refuses
from winiadmin.exceptions import ObjectRefused

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.db.models import Model

#: Objects kept to find a refused one: an open ``COPY`` is ended (the server judges every row
#: sent) before more wait. 25,000 catalogue objects are about 25 MB; ending a ``COPY`` and
#: opening the next costs a round trip per 25,000 rows. Should older ones have to be let go (a
#: single chunk larger than this), a refusal among them is reported without its row.
KEPT_OBJECTS = 25_000


@dataclass(slots=True)
class SentObjects:
    """The objects of one model sent since the database last confirmed them, the last
    :data:`KEPT_OBJECTS` of them."""

    model: type[Model] | None = None
    _chunks: deque[Sequence[Model]] = field(default_factory=deque)
    _count: int = 0

    def start(self, model: type[Model]) -> None:
        self.model = model
        self.confirmed()

    def sent(self, chunk: Sequence[Model], *, confirmed: bool) -> None:
        """A chunk written; ``confirmed``: the database has judged it already (a synchronous
        INSERT), so only this chunk can be the refused one until the next."""
        if confirmed:
            self.confirmed()
        self._chunks.append(chunk)
        self._count += len(chunk)
        while len(self._chunks) > 1 and self._count - len(self._chunks[0]) >= KEPT_OBJECTS:
            self._count -= len(self._chunks.popleft())

    def would_overflow(self, more: int) -> bool:
        """Whether keeping ``more`` objects would let some of those kept go."""
        return bool(self._chunks) and self._count + more > KEPT_OBJECTS

    def confirmed(self) -> None:
        self._chunks.clear()
        self._count = 0

    @property
    def objects(self) -> list[Model]:
        return [obj for chunk in self._chunks for obj in chunk]


def raise_refused_object(sent: SentObjects, using: str) -> None:
    """Raise :class:`ObjectRefused` for the first of ``sent``'s objects the database refuses on
    its own; return when none is (the refused row was let go, or needs other rows)."""
    model, objs = sent.model, sent.objects
    if model is None or not objs:
        return
    manager = model._base_manager.db_manager(using)

    def trial(start: int, end: int) -> None:
        manager.bulk_create(objs[start:end])

    if refuses(lambda: trial(0, len(objs)), using) is None:
        return
    index = first_refused(trial, len(objs), using)
    obj = objs[index]
    error = refuses(lambda: trial(index, index + 1), using)
    if error is None:
        return
    values: dict[str, Any] = {f.name: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    raise ObjectRefused(refusal_problem(model, error, values, None), obj) from error
