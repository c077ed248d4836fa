"""Readers of the bibliographic exports maintainers drop into seeds/metadata/: one module per format
(bibtex, ris, csljson, tagged), each returning entries in the one shape entry.py documents."""
from __future__ import annotations

import os
from pathlib import Path

from . import bibtex, csljson, ris, tagged

READERS = {".bib": bibtex.read, ".ris": ris.read, ".json": csljson.read, ".enw": tagged.read, ".txt": tagged.read}


def read_file(path: Path, shown: str | None = None) -> list[dict]:
    """Return the entries of one export file, read by the reader of its extension."""
    return READERS[Path(path).suffix.lower()](Path(path), shown or str(path))


def read_folder(folder: Path, root: Path) -> list[dict]:
    """Return the entries of every export file in folder (its files in name order, entries in file
    order); files of other kinds (a README) are left alone."""
    if not folder.is_dir():
        return []
    entries = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in READERS:
            entries += read_file(path, os.path.relpath(path, root))
    return entries
