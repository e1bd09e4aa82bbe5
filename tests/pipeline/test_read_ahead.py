"""A streamed file's next batch is read by a thread while the run works on the current one."""

import threading
import time
from collections.abc import Generator, Iterator

import pytest
from django.utils import translation
from django.utils.translation import gettext

from winiadmin.pipeline.read_ahead import read_ahead


def test_every_batch_comes_in_order_and_the_thread_ends() -> None:
    assert list(read_ahead(iter(range(50)))) == list(range(50))
    assert not [t for t in threading.enumerate() if t.name == "winiadmin-read-ahead"]


def test_the_next_batch_is_read_while_the_caller_works_but_no_further() -> None:
    read: list[int] = []

    def batches() -> Iterator[int]:
        for n in range(10):
            read.append(n)
            yield n

    source = read_ahead(batches())
    assert next(source) == 0
    time.sleep(0.3)  # the caller "loads" batch 0
    # Batch 1 waits read, batch 2 is read and waits to be handed over: never the whole file.
    assert read == [0, 1, 2]
    assert list(source) == list(range(1, 10))


def test_what_the_reader_raises_is_raised_where_that_batch_is_asked_for() -> None:
    def batches() -> Iterator[int]:
        yield 1
        yield 2
        msg = "row 7 is broken"
        raise ValueError(msg)

    source = read_ahead(batches())
    assert [next(source), next(source)] == [1, 2]
    with pytest.raises(ValueError, match="row 7 is broken"):
        next(source)


def test_a_caller_that_stops_asking_stops_the_reader() -> None:
    read: list[int] = []

    def batches() -> Iterator[int]:
        for n in range(1000):
            read.append(n)
            yield n

    source = read_ahead(batches())
    assert isinstance(source, Generator)
    assert next(source) == 0
    source.close()  # the run stopped (file errors): the reader ends, the file is not read on
    assert len(read) <= 3
    assert not [t for t in threading.enumerate() if t.name == "winiadmin-read-ahead"]


def test_the_reader_speaks_the_run_s_language() -> None:
    def batches() -> Iterator[str]:
        yield str(translation.get_language())
        yield gettext("Yes")

    with translation.override("de"):
        assert list(read_ahead(batches())) == ["de", gettext("Yes")]
