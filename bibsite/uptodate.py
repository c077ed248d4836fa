"""Knowing when there is nothing to do: a fingerprint of every build input and a stamp of the output.

A build records both after it publishes; the next one stops early when neither changed, the way
make does. Inputs are hashed by content (seeds, content, templates, the code, lunr.js); the output is
stamped by path, size and modification time, so a site/ or zip touched by hand is rebuilt.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

INPUT_DIRS = ("seeds", "content", "templates", "bibsite", "search_index")
INPUT_FILES = ("build.py", "node_modules/lunr/lunr.min.js", "package-lock.json", "pyproject.toml")
SUFFIXES = {".txt", ".yaml", ".yml", ".md", ".html", ".css", ".js", ".json", ".py", ".svg", ".png"}


def inputs_fingerprint(root: Path) -> str:
    """Return a hash of the content of every file the build reads."""
    digest = hashlib.sha256()
    paths = [root / name for name in INPUT_FILES]
    for folder in INPUT_DIRS:
        paths += [p for p in (root / folder).rglob("*") if p.suffix in SUFFIXES and "__pycache__" not in p.parts]
    for path in sorted(paths):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def output_stamp(site: Path, zip_path: Path) -> str:
    """Return a stamp of the published output: every file's path, size and modification time."""
    digest = hashlib.sha256()
    files = sorted(p for p in site.rglob("*") if p.is_file()) if site.is_dir() else []
    for path in [*files, zip_path] if zip_path.is_file() else files:
        info = path.stat()
        digest.update(f"{path.relative_to(site.parent).as_posix()}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def up_to_date_report(record_file: Path, root: Path, site: Path, zip_path: Path) -> dict | None:
    """Return the last build's import report when its inputs and outputs are exactly as it left them,
    else None (the build has work to do)."""
    try:
        last = json.loads(record_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (site.is_dir() and zip_path.is_file() and isinstance(last, dict)):
        return None
    if last.get("inputs") != inputs_fingerprint(root) or last.get("output") != output_stamp(site, zip_path):
        return None
    return last.get("report")


def remember(record_file: Path, root: Path, site: Path, zip_path: Path, imported: dict) -> None:
    """Record the inputs, outputs and import report (duplicates, orphans) of the build that just published."""
    record_file.parent.mkdir(parents=True, exist_ok=True)
    report = {"new": [], "duplicates": imported["duplicates"], "orphans": imported["orphans"],
              "unchanged": imported["unchanged"] + len(imported["new"])}
    state = {"inputs": inputs_fingerprint(root), "output": output_stamp(site, zip_path), "report": report}
    record_file.write_text(json.dumps(state, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
