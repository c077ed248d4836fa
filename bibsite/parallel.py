"""The one place the build uses a second core: map a function over items, or run two calls at once.

    analyses = parallel.map(analyse, records, "analysing")
    keywords, nearest = parallel.both(lambda: all_keywords(...), lambda: similar(...))
    with parallel.threads() as pool: ...   # for work that releases the GIL (zlib, file reads)

The work is shared between the build's own process and one forked child (the machine has two cores,
so at most two processes work at a time). The child is forked with the function and the items in
memory, so neither is pickled; only results travel back. An exception in the child comes back as
plain data and is raised again here: an InputError as the same InputError (one `error:` line), any
other as WorkerError carrying the child's traceback. Without fork (not Linux), or for a few items,
everything runs in this process.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from .errors import InputError
from .progress import progress

PARALLEL_FROM = 200  # below this many items, forking costs more than a second core saves
THREADS = 2  # zlib and file reads release the GIL, so two threads deflate about twice as fast


class WorkerError(RuntimeError):
    """A bug met in the forked process: its message is the child's traceback."""


def _can_fork() -> bool:
    return (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()


def _as_data(error: BaseException) -> tuple:
    """Return error as plain data that pickles whatever the error holds."""
    if isinstance(error, InputError):
        return ("input", error.path, error.problem, error.fix, error.line, error.column)
    return ("bug", "".join(traceback.format_exception(error)))


def _raise(data: tuple):
    if data[0] == "input":
        raise InputError(*data[1:])
    raise WorkerError(f"in the build's second process:\n{data[1]}")


def _child(connection, work: Callable[[], object]) -> None:
    try:
        result = ("ok", work())
    except BaseException as error:  # noqa: BLE001 - everything goes back to the parent
        result = ("error", _as_data(error))
    connection.send(result)
    connection.close()


def both(first: Callable[[], object], second: Callable[[], object]) -> tuple:
    """Return (first(), second()), first computed in a forked child while this process computes second."""
    if not _can_fork():
        return first(), second()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, first), daemon=True)
    child.start()
    send.close()
    try:
        here = second()
        kind, value = receive.recv()
    except EOFError:
        raise WorkerError(f"the build's second process died (exit code {child.exitcode})") from None
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()
        child.join()
    if kind == "error":
        _raise(value)
    return value, here


def map(function: Callable, items: list, desc: str) -> list:  # noqa: A001 - it is a map
    """Return [function(item) for item in items]; the odd-numbered items are computed by a forked child."""
    if len(items) < PARALLEL_FROM or not _can_fork():
        return [function(item) for item in progress(items, desc)]
    theirs, mine = both(lambda: [function(item) for item in items[1::2]],
                        lambda: [function(item) for item in progress(items[::2], desc)])
    results = [None] * len(items)
    results[::2], results[1::2] = mine, theirs
    return results


@contextlib.contextmanager
def threads():
    """Yield a pool of THREADS threads; on the way out, drop the work not started and wait for the rest."""
    pool = ThreadPoolExecutor(THREADS)
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)
