"""parallel: map and both give what a plain loop gives, and a child's errors come back as the parent's."""
from __future__ import annotations

import os

import pytest

from bibsite import parallel
from bibsite.errors import InputError


@pytest.fixture
def always_fork(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)


def test_map_gives_the_results_in_order_and_uses_a_second_process(always_fork):
    parent = os.getpid()
    results = parallel.map(lambda n: (n * n, os.getpid() != parent), list(range(9)), "test")
    assert [square for square, _ in results] == [n * n for n in range(9)]
    assert [forked for _, forked in results] == [n % 2 == 1 for n in range(9)]


def test_a_short_map_runs_here():
    parent = os.getpid()
    assert parallel.map(lambda n: os.getpid(), [1, 2, 3], "test") == [parent] * 3


def test_both_runs_the_first_call_in_a_child(always_fork):
    parent = os.getpid()
    first, second = parallel.both(lambda: os.getpid(), lambda: os.getpid())
    assert first != parent and second == parent


def _fails_in_child(parent: int, error: BaseException):
    def work(item):
        if os.getpid() != parent:
            raise error
        return item
    return work


def test_an_input_error_in_the_child_is_the_same_input_error_here(always_fork):
    error = InputError("content/abstracts/x.yaml", "something is off", "fix it", line=3, column=4)
    with pytest.raises(InputError) as caught:
        parallel.map(_fails_in_child(os.getpid(), error), [1, 2, 3], "test")
    assert caught.value.one_line() == error.one_line() == "content/abstracts/x.yaml:3:4: something is off — fix it"


def test_a_bug_in_the_child_brings_its_traceback(always_fork):
    with pytest.raises(parallel.WorkerError) as caught:
        parallel.map(_fails_in_child(os.getpid(), KeyError("missing key")), [1, 2, 3], "test")
    assert "KeyError: 'missing key'" in str(caught.value) and "in work" in str(caught.value)


def test_an_unpicklable_error_still_comes_back(always_fork):
    class Odd(Exception):
        def __init__(self):
            super().__init__("odd")
            self.handle = lambda: None  # a lambda does not pickle

    with pytest.raises(parallel.WorkerError, match="Odd: odd"):
        parallel.both(lambda: (_ for _ in ()).throw(Odd()), lambda: 1)


def test_an_error_here_stops_the_child(always_fork, tmp_path):
    marker = tmp_path / "finished"

    def slow():
        import time
        time.sleep(1)
        marker.write_text("done")

    def failing():
        raise InputError("x", "failed here")

    with pytest.raises(InputError):
        parallel.both(slow, failing)
    import time
    time.sleep(1.5)
    assert not marker.exists()
