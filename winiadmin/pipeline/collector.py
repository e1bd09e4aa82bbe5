"""The cyclic garbage collector held back while the instance path builds and stores objects.

Python's collector runs a full collection whenever the objects that survived earlier ones have
grown by a quarter: an import of a million model instances (each with its ``__dict__`` and
``_state``) set it off dozens of times, each pass walking every live object, the unique keys
seen so far included, only to find that reference counting had freed the instances already
(a model instance holds no cycle). A careful developer writing ``bulk_create`` by hand pauses
it (``gc.disable()``); the load stage does the same, with two differences: the young objects
are still collected after each stored chunk (so that cycles an importer's own code makes are
freed as they would be, chunk by chunk, without walking the old objects), and the collector is
given back as it was found, also when the load raises.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


class PausedCollector:
    """While paused: no automatic collection; :meth:`chunk_stored` collects the young objects."""

    __slots__ = ("paused",)

    def __init__(self) -> None:
        self.paused = False

    def chunk_stored(self) -> None:
        if self.paused:
            gc.collect(1)


@contextmanager
def collector_paused() -> Iterator[PausedCollector]:
    """Automatic collection off inside (unless someone turned it off already), restored after."""
    collector = PausedCollector()
    collector.paused = gc.isenabled()
    if collector.paused:
        gc.disable()
    try:
        yield collector
    finally:
        if collector.paused:
            collector.paused = False
            gc.enable()
