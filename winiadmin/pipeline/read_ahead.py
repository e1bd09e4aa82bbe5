"""A streamed file's next batch read while the current one is cleaned and loaded.

Reading a batch (splitting blocks of records, polars parsing them, the reader's checks) needs no
database and runs none of the importer's code, and most of it runs without Python's global lock
(polars), as does most of a load (SQLite steps a row without it, PostgreSQL's ``COPY`` waits on
the server). So a thread reads batch n + 1 while the run's own thread cleans and loads batch n:
on a machine with a free core the reading time is hidden. At most one batch waits read (plus
the one being read), so memory stays one batch ahead, not the file. What the reader raises is
raised where the run asks for that batch, as without the thread; the thread reads in the run's
language (its messages) and stops when the run stops asking.
"""

import queue
import threading
from collections.abc import Iterator

from django.utils import translation

_DONE = object()
#: How often a blocked reader looks whether the run stopped asking, in seconds.
_POLL = 0.1


def read_ahead[T](batches: Iterator[T]) -> Iterator[T]:
    """``batches``, each read by a thread while the caller works on the one before."""
    reader = _Reader(batches)
    reader.thread.start()
    try:
        while True:
            item = reader.ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        reader.stop.set()
        reader.thread.join()


class _Reader:
    """The thread, and the one-place queue through which it hands over what it read."""

    def __init__(self, batches: Iterator[object]) -> None:
        self.batches = batches
        self.ready: queue.Queue[object] = queue.Queue(maxsize=1)
        self.stop = threading.Event()
        self.language = translation.get_language()
        self.thread = threading.Thread(target=self.read, name="winiadmin-read-ahead", daemon=True)

    def read(self) -> None:
        with translation.override(self.language):
            try:
                for batch in self.batches:
                    if not self.offer(batch):
                        return
            except BaseException as exc:  # handed to the run's thread, raised there
                self.offer(_Raised(exc))
                return
            self.offer(_DONE)

    def offer(self, item: object) -> bool:
        """Hand ``item`` over once there is room; False when the run stopped asking."""
        while not self.stop.is_set():
            try:
                self.ready.put(item, timeout=_POLL)
            except queue.Full:
                continue
            return True
        return False


class _Raised:
    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
