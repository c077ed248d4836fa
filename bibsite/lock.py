"""One build at a time per project: an exclusive lock on the project folder, held for the whole build."""
from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


@contextlib.contextmanager
def build_lock(root: Path, say):
    """Hold the project's build lock while inside, first waiting (after saying so with say) for a build
    that holds it. The lock is flock on the project folder itself: it needs no file, so it works
    whatever in the project is writable, and the system drops it when its process dies, even by kill -9."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"another build is running in {root}; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
