"""Traditional -> simplified Chinese character folding, from OpenCC's data (TSCharacters.txt)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def full_table() -> dict[str, str]:
    """Return {traditional char: its first simplified form} for every single-character entry of OpenCC."""
    text = resources.files("opencc").joinpath("dictionary/TSCharacters.txt").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) != 2:
            continue
        source, targets = parts[0], parts[1].split(" ")
        if len(source) == 1 and len(targets[0]) == 1 and targets[0] != source:
            table[source] = targets[0]
    return table


def table_for(vocabulary) -> dict[str, str]:
    """Return the part of the table whose simplified forms occur in vocabulary (what the browser needs)."""
    chars = {ch for term in vocabulary for ch in term}
    return {t: s for t, s in sorted(full_table().items()) if s in chars}
