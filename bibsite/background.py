"""Running one stage in a second process while the build goes on (the machine has two cores).

    with Background(write_search_index, docs, folder) as job:
        render_pages(...)            # meanwhile, in a forked process: the search index
        figures = job.result()       # waits; re-raises the job's exception here

The function and its arguments are not sent to the process: it is forked with them in memory, so a
large argument costs nothing to pass. Only the result travels back (pickled): keep it small.
Without fork (not on Linux) the job simply runs when it is created.
"""
from __future__ import annotations

import itertools
import multiprocessing

_JOBS: dict[int, tuple] = {}  # job number -> (function, args), inherited by the process forked for it
_NUMBERS = itertools.count(1)


def _run(number: int):
    function, args = _JOBS[number]
    return function(*args)


class Background:
    """A function call running in a forked process; result() waits for it."""

    def __init__(self, function, *args):
        self._pool = None
        if "fork" in multiprocessing.get_all_start_methods():
            number = next(_NUMBERS)
            _JOBS[number] = (function, args)
            try:
                self._pool = multiprocessing.get_context("fork").Pool(1)
            finally:
                del _JOBS[number]  # the forked process has its copy
            self._pending = self._pool.apply_async(_run, (number,))
        else:
            self._value = function(*args)

    def result(self):
        """Return what the function returned, or raise what it raised."""
        if self._pool is None:
            return self._value
        try:
            return self._pending.get()
        finally:
            self._close()

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._close()  # the build failed before asking for the result: stop the job
