"""Knowing when there is nothing to do: a fingerprint of every build input and a stamp of the output.

A build records both after it publishes; the next one stops early when neither changed, the way
make does. Inputs are hashed by content (seeds, content, templates, the code, lunr.js); the output is
stamped by path, size and modification time, so a site/ or zip touched by hand is rebuilt.

Hashing every input at the start and at the end of each build would read 25 MB twice, so each file's
hash is cached (.cache/input-hashes.cache) under its stat: path, size, modification and change times,
inode. Any write to a file sets its change time to the clock, and no tool can set it back, so a cached
hash is only used for the very bytes it was computed from. As git does for its index, a file changed
in the last two seconds is hashed but its hash not kept: its times could still match a later write's.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from .cache import Cache
from .output import files_under, walk_files

INPUT_DIRS = ("seeds", "content", "templates", "bibsite", "search_index")
INPUT_FILES = ("build.py", "node_modules/lunr/lunr.min.js", "package-lock.json", "pyproject.toml")
# Under these, only what the build never reads is skipped: bytecode and editors' and systems' litter.
SKIPPED_DIRS = {"__pycache__", ".pytest_cache"}
SKIPPED_SUFFIXES = (".pyc", ".swp", "~")
SKIPPED_NAMES = {".DS_Store", "Thumbs.db"}
RACY_NS = 2_000_000_000  # a file changed less than this long ago is hashed every time


def _read_by_build(relative: str, name: str) -> bool:
    """Return whether a file under an input folder is one the build may read: any type (a new font
    or icon in templates/assets/ is copied into the site), but no bytecode or editor litter."""
    return not (name in SKIPPED_NAMES or name.endswith(SKIPPED_SUFFIXES)
                or SKIPPED_DIRS.intersection(relative.split("/")[:-1]))


def input_files(root: Path) -> list[tuple[str, str]]:
    """Return (path relative to root, absolute path) of every file the build reads, sorted."""
    found = [(name, os.path.join(root, name)) for name in INPUT_FILES if os.path.isfile(os.path.join(root, name))]
    for folder in INPUT_DIRS:
        if (root / folder).is_dir():
            found += [(f"{folder}/{relative}", entry.path) for relative, entry in walk_files(root / folder)
                      if _read_by_build(relative, entry.name)]
    return sorted(found, key=lambda pair: pair[0].split("/"))


def _file_hash(relative: str, path: str, hashes: Cache, now_ns: int) -> bytes:
    """Return the SHA-256 of a file's bytes, from hashes when its stat is the one they were hashed at."""
    info = os.stat(path)
    key = f"{relative}\n{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}:{info.st_dev}"
    known = hashes.get(key)
    if known is not None:
        return bytes.fromhex(known)
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).digest()
    if max(info.st_mtime_ns, info.st_ctime_ns) < now_ns - RACY_NS:
        hashes.put(key, digest.hex())
    return digest


def input_hashes(root: Path, cache_dir: Path) -> dict[str, bytes]:
    """Return {path relative to root: SHA-256} of every file the build reads (hashes cached in cache_dir)."""
    cache = Cache(cache_dir, "input-hashes", version="sha256")
    now_ns = time.time_ns()
    hashes = {relative: _file_hash(relative, path, cache, now_ns) for relative, path in input_files(root)}
    cache.save()
    return hashes


def fingerprint(hashes: dict[str, bytes]) -> str:
    """Return one hash of input_hashes()."""
    digest = hashlib.sha256()
    for relative in sorted(hashes, key=lambda name: name.split("/")):
        digest.update(relative.encode() + b"\0")
        digest.update(hashes[relative])
    return digest.hexdigest()


def inputs_fingerprint(root: Path, cache_dir: Path) -> str:
    """Return a hash of the content of every file the build reads (its hashes cached in cache_dir)."""
    return fingerprint(input_hashes(root, cache_dir))


def output_stamp(site: Path, zip_path: Path) -> str:
    """Return a stamp of the published output: every file's path, size and modification time."""
    digest = hashlib.sha256()
    listing = [(relative, info.st_size, info.st_mtime_ns)
               for relative, info in ((relative, entry.stat()) for relative, entry in files_under(site))] \
        if site.is_dir() else []
    for relative, size, mtime_ns in listing:
        digest.update(f"{site.name}/{relative}|{size}|{mtime_ns}\n".encode())
    if zip_path.is_file():
        info = zip_path.stat()
        digest.update(f"{zip_path.relative_to(site.parent).as_posix()}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def up_to_date_report(record_file: Path, inputs: dict[str, bytes], site: Path, zip_path: Path) -> dict | None:
    """Return the last build's import report when its inputs (input_hashes() now) and outputs are
    exactly as it left them, else None (the build has work to do)."""
    try:
        last = json.loads(record_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (site.is_dir() and zip_path.is_file() and isinstance(last, dict)):
        return None
    if last.get("inputs") != fingerprint(inputs):
        return None
    if last.get("output") != output_stamp(site, zip_path):
        return None
    return last.get("report")


def remember(record_file: Path, inputs: dict[str, bytes], root: Path, written: list[Path], site: Path,
             zip_path: Path, imported: dict) -> None:
    """Record the inputs, outputs and import report (duplicates, orphans) of the build that just published.

    inputs are the input_hashes() the build started from, and written the input files it wrote since
    (imported records): the inputs it was built from. (Hashing every input again here would also
    take in a file edited during the build, whose edit the build may not have seen.)"""
    record_file.parent.mkdir(parents=True, exist_ok=True)
    inputs = dict(inputs)
    for path in written:
        inputs[Path(path).relative_to(root).as_posix()] = hashlib.sha256(Path(path).read_bytes()).digest()
    report = {"new": [], "duplicates": imported["duplicates"], "orphans": imported["orphans"],
              "unchanged": imported["unchanged"] + len(imported["new"])}
    found = imported.get("metadata")
    if found:  # what the same exports report when run again: everything they gave is in content/ now
        report["metadata"] = {"matched": found["matched"] + len(found["new"]), "new": [], "updated": [],
                              "skipped": found["skipped"], "ambiguous": found["ambiguous"]}
    state = {"inputs": fingerprint(inputs), "output": output_stamp(site, zip_path), "report": report}
    record_file.write_text(json.dumps(state, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
