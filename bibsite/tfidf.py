"""TF-IDF weights, as keywords (keywords.py) and similar records (similar.py) both weigh terms."""
from __future__ import annotations

import math


def idf(n: int, df: int) -> float:
    """Return the smoothed IDF of a term found in df of n records: never zero (with two records a
    shared term must still count), highest for a term no other record has (df 0); with no corpus
    (n 0) every term weighs 1."""
    return math.log((1 + n) / (1 + df)) + 1 if n else 1.0


def tf(count: int) -> float:
    """Return the sublinear weight of a term used count (≥ 1) times: 1 + log(count)."""
    return 1 + math.log(count)
