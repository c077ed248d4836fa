"""Progress bars for long builds: shown on a terminal, silent in CI logs and pipes."""
from __future__ import annotations

import os
import sys


def progress(iterable, desc: str, total: int | None = None):
    """Return iterable, wrapped in a tqdm bar when stderr is a terminal and CI is not set."""
    if os.environ.get("CI") or not sys.stderr.isatty():
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, total=total, leave=False, unit="", dynamic_ncols=True)
