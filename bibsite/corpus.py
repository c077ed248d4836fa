"""Reader for the abstract corpus format: entries separated by blank lines, each ending in 相似文献."""
from __future__ import annotations

import re
from pathlib import Path

from . import textnorm
from .textfile import read_text

# The scraped link text ("similar documents") that closes every entry; not part of the abstract.
SIMILAR_MARKER = "相似文献"
_MARKER_AT_END = re.compile(rf"(?:\s*{SIMILAR_MARKER})+\s*$")


def split_entries(text: str) -> list[tuple[int, list[str]]]:
    """Return (first line number, lines) for every blank-line-separated block of text."""
    blocks, current, start = [], [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def clean_entry(lines: list[str]) -> str:
    """Return the abstract text of one entry: marker stripped, PDF spaces repaired, nothing else changed."""
    text = textnorm.join_lines(lines)
    text = _MARKER_AT_END.sub("", text)
    return textnorm.repair_pdf_spaces(text)


def read_corpus(path: Path, warn, shown=None) -> list[dict]:
    """Return the entries of a corpus file as {text, line, language, truncated}; warn() about empty ones.

    Messages name the file as shown (the path relative to the project), else as path."""
    shown = shown or path
    entries = []
    for line, lines in split_entries(read_text(path, shown)):
        text = clean_entry(lines)
        if not text:
            warn(f"{shown}:{line}: empty entry skipped (only the {SIMILAR_MARKER} marker) — delete it or add the abstract")
            continue
        entries.append({
            "text": text,
            "line": line,
            "language": textnorm.detect_language(text),
            "truncated": textnorm.is_truncated(text),
        })
    return entries
