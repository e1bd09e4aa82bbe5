"""The keys a run created, kept compactly: runs of consecutive integers as ranges.

A streamed import of 10M rows creates 10M keys. Kept as a Python list (and stored on the job as
10M strings) they would be the largest thing the worker holds; keys from a sequence or a rowid
are nearly always consecutive, so :class:`KeyRuns` keeps ``(first, last)`` per run, and the keys
that do not continue a run in an ``array`` of machine integers (text or UUID keys in a list).

Stored on a job (``ImportJob.created_pks``) as ``{"ranges": [[first, last], …], "keys": […]}``
(up to :data:`LIST_UP_TO` keys: a list of them, as text, as a file read whole stores them);
:func:`stored_keys` reads that form and the older one (a list of every key, as text).
"""

from __future__ import annotations

from array import array
from itertools import chain
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator


class KeyRuns:
    """Keys in the order added: runs of consecutive integers as ranges, the others as they are."""

    __slots__ = ("_first", "_last", "_ranges", "_singles", "_texts")

    def __init__(self) -> None:
        self._ranges: list[tuple[int, int]] = []
        self._singles = array("q")
        self._texts: list[object] = []  # keys that are not integers (UUIDs, text)
        self._first: int | None = None  # the run being added to
        self._last = 0

    def extend(self, keys: Iterable[object]) -> None:
        for key in keys:
            if type(key) is not int:
                self._texts.append(key)
            elif self._first is not None and key == self._last + 1:
                self._last = key
            else:
                self._close()
                self._first = self._last = key

    def _close(self) -> None:
        if self._first is None:
            return
        if self._first == self._last:
            self._singles.append(self._first)
        else:
            self._ranges.append((self._first, self._last))
        self._first = None

    def ranges(self) -> list[tuple[int, int]]:
        """The runs of two keys or more, ``(first, last)`` both included."""
        self._close()
        return list(self._ranges)

    def __len__(self) -> int:
        self._close()
        in_ranges = sum(last - first + 1 for first, last in self._ranges)
        return in_ranges + len(self._singles) + len(self._texts)

    def __iter__(self) -> Iterator[object]:
        self._close()
        runs = (range(first, last + 1) for first, last in self._ranges)
        return chain(chain.from_iterable(runs), self._singles, self._texts)

    def as_json(self) -> dict[str, list[Any]]:
        """``{"ranges": [[first, last], …], "keys": [the others]}`` (texts as ``str``)."""
        self._close()
        others: list[Any] = [*self._singles, *(str(key) for key in self._texts)]
        return {"ranges": [[first, last] for first, last in self._ranges], "keys": others}


#: Up to this many keys, a job stores them as a list of text keys (the form a file read whole
#: gets), beyond as :meth:`KeyRuns.as_json`.
LIST_UP_TO = 10_000


def stored_form(keys: KeyRuns) -> list[str] | dict[str, list[Any]]:
    """How a job stores ``keys`` (``ImportJob.created_pks``): few as a list, many as ranges."""
    if len(keys) <= LIST_UP_TO:
        return [str(key) for key in keys]
    return keys.as_json()


def stored_keys(stored: object) -> Iterator[object]:
    """Every key of a job's stored form: :meth:`KeyRuns.as_json`'s, or a list of keys."""
    if isinstance(stored, dict):
        runs = (range(int(first), int(last) + 1) for first, last in stored.get("ranges", []))
        return chain(chain.from_iterable(runs), stored.get("keys", []))
    if isinstance(stored, list):
        return iter(stored)
    return iter(())


def stored_count(stored: object) -> int | None:
    """How many keys a stored form holds (``None``: none stored)."""
    if isinstance(stored, dict):
        ranges = stored.get("ranges", [])
        return sum(int(last) - int(first) + 1 for first, last in ranges) + len(
            stored.get("keys", [])
        )
    if isinstance(stored, list):
        return len(stored)
    return None
