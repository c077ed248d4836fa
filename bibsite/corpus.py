"""Reader for the abstract corpus format: entries separated by blank lines, each ending in 相似文献."""
from __future__ import annotations

from pathlib import Path

from . import textnorm
from .cache import Cache, cached_map
from .errors import InputError
from .textfile import read_text

# The scraped link text ("similar documents") that closes every entry; not part of the abstract.
SIMILAR_MARKER = "相似文献"


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


def strip_markers(text: str) -> str:
    r"""Return text without the markers (and the whitespace around them) that end it: what
    re.sub(r"(?:\s*相似文献)+\s*$", "", text) gives, without trying the pattern at every position."""
    stripped, found = text.rstrip(), False
    while stripped.endswith(SIMILAR_MARKER):
        stripped, found = stripped[:-len(SIMILAR_MARKER)].rstrip(), True
    return stripped if found else text


def clean_entry(lines: list[str]) -> str:
    """Return the abstract text of one entry: marker stripped, PDF spaces repaired, nothing else changed."""
    return textnorm.repair_pdf_spaces(strip_markers(textnorm.join_lines(lines)))


def derive_entry(lines: list[str]) -> dict:
    """Return {text, language, truncated} of one block of a corpus file; {text: ''} when it holds
    nothing but the marker."""
    text = clean_entry(lines)
    if not text:
        return {"text": ""}
    return {"text": text, "language": textnorm.detect_language(text), "truncated": textnorm.is_truncated(text)}


def read_corpus(path: Path, warn, shown=None, cache: Cache | None = None, root=None) -> list[dict]:
    """Return the entries of a corpus file as {text, line, language, truncated}; warn() about empty ones.

    Messages name the file as shown (the path relative to the project), else as path. With a cache,
    a block's entry is derived once and then taken from it as long as the block's lines are the same
    (the caller saves the cache). With root, the file must lie inside it (textfile.read_bytes)."""
    shown = shown or path
    blocks = split_entries(read_text(path, shown, root))
    derived = cached_map([lines for _, lines in blocks], derive_entry, cache, key="\n".join)
    entries = []
    for (line, _lines), entry in zip(blocks, derived):
        if not entry["text"]:
            warn(f"{shown}:{line}: empty entry skipped (only the {SIMILAR_MARKER} marker) — delete it or add the abstract")
            continue
        if not textnorm.has_letters(entry["text"]):
            raise InputError(shown, f"entry {entry['text'][:20]!r} has no letters, so it is no abstract",
                             "delete it or paste the abstract's text", line=line)
        entries.append({"text": entry["text"], "line": line, "language": entry["language"],
                        "truncated": entry["truncated"]})
    return entries
