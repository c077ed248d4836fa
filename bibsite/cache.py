"""A content-hash-keyed cache of derived per-record work (segmentation, keywords) under .cache/.

One file per kind of work (.cache/<namespace>.cache): entries are keyed by the SHA-256 of their key
text (a record's text, say), so an entry stays valid exactly as long as what it was computed from.
The file is read once and written once per build, because 5,000 small files cost more to open than
to compute from. It carries a header (format, namespace, the version of the code that computed it,
the Python version whose marshal wrote it) and a checksum of its body: a corrupt, truncated or
stale file is detected and ignored, and everything in it is computed again; it is never trusted on
its name alone. Writes are atomic (temporary file, then rename), so a killed build leaves the old
file or the new one. Entries the last build did not use are dropped when the file is rewritten, so
it never grows beyond the collection. The cache is an optimisation only: when it cannot be read or
written the work is simply done again.

An entry's version is the code that computed it: code_version() hashes the source of every module of
the project the build has imported (so no list of dependencies is kept by hand), the data files
beside them and the versions of the packages the results depend on.

    cache = Cache(project.cache, "analysis", version=code_version() + entity_digest)
    analyses = cached_map(records, analyse, cache, key=record_text)
    cache.save()
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import marshal
import re
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

from . import files

FORMAT = 3  # 3: one marshal file per namespace, no delta file; bump it if the layout below changes
MAGIC = b"bibsite-cache\n"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _digest(namespace: str, key_text: str) -> bytes:
    return hashlib.sha256(f"{namespace}\n{key_text}".encode("utf-8")).digest()


def _check_plain(value: Any) -> None:
    """Raise ValueError unless marshal can store value (plain data: text, numbers, lists, dicts...)."""
    marshal.dumps(value, 4)


class Cache:
    """The entries of one kind of derived work, valid for one version of the code."""

    def __init__(self, folder: Path, namespace: str, version: str):
        if not _NAME.match(namespace):
            raise ValueError(f"cache namespace {namespace!r} should be letters, digits, '.', '_' or '-'")
        self.path = Path(folder) / f"{namespace}.cache"
        self.namespace = namespace
        self.version = str(version)
        self.hits = self.misses = 0
        self.discarded = False  # a file was there but could not be trusted
        self._stored: dict[bytes, Any] | None = None  # what the file holds, read on first use
        self._used: dict[bytes, Any] = {}  # what this build looked up or computed
        self._new: dict[bytes, Any] = {}  # what this build computed

    def _header(self) -> bytes:
        return repr((FORMAT, self.namespace, self.version, sys.version_info[:2])).encode("utf-8")

    def _load(self) -> dict:
        if self._stored is None:
            self._stored = self._read(self.path)
        return self._stored

    def _read(self, path: Path) -> dict:
        """Return the entries of one cache file, or {} when it is missing or anything about it is off."""
        try:
            data = path.read_bytes()
        except OSError:
            return {}
        try:
            magic, header, checksum, body = data.split(b"\n", 3)
            ok = (magic + b"\n" == MAGIC and header == self._header()
                  and checksum == hashlib.sha256(body).hexdigest().encode())
            entries = marshal.loads(body) if ok else None
        except (ValueError, EOFError, TypeError):
            entries = None
        if not isinstance(entries, dict):
            self.discarded = True  # save() rewrites it
            return {}
        return entries

    def get(self, key_text: str):
        """Return the value stored for key_text, or None when there is none."""
        digest = _digest(self.namespace, key_text)
        value = self._used.get(digest)
        if value is None:
            value = self._load().get(digest)
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self._used[digest] = value
        return value

    def put(self, key_text: str, value) -> None:
        """Remember value (plain data, not None) for key_text; save() writes it."""
        if value is None:
            raise ValueError("None cannot be cached: get() returns None for a missing entry")
        _check_plain(value)
        digest = _digest(self.namespace, key_text)
        self._used[digest] = self._new[digest] = value

    def save(self, keep_unused: bool = False) -> bool:
        """Write what this build used and computed, if the file differs from it; return False when it
        could not be written (the next build computes again). keep_unused keeps the entries this
        cache object did not look up (another one did)."""
        stored = self._load()
        if keep_unused:
            self._used = {**stored, **self._used}
        unused = any(digest not in self._used for digest in stored)
        if not self._new and not unused and not self.discarded:
            return True
        written = self._write(self.path, self._used)
        if written:
            self._stored, self._new, self.discarded = dict(self._used), {}, False
        return written

    def _write(self, path: Path, entries: dict) -> bool:
        """Write entries to path atomically (temporary file, then rename); return False on failure."""
        body = marshal.dumps(dict(sorted(entries.items())), 4)
        data = MAGIC + self._header() + b"\n" + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
        try:
            files.write_atomic(path, data)
        except OSError:
            return False
        return True

    def clear(self) -> None:
        """Delete the cache file and forget every entry."""
        self.path.unlink(missing_ok=True)
        self._stored, self._used, self._new = {}, {}, {}


_ROOT = Path(__file__).resolve().parent.parent
_PACKAGES = ("bibsite", "search_index")
_PROJECT = "regional-security-bibliography"  # the distribution pyproject.toml declares


def _dependencies() -> list[str]:
    """Return the names of the packages the project depends on (its declared requirements, test extras
    left out): their code or data computes cached results (segmentation, folding, YAML, templates...)."""
    try:
        declared = [r for r in importlib.metadata.requires(_PROJECT) or () if "extra ==" not in r]
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        import tomllib

        with open(_ROOT / "pyproject.toml", "rb") as handle:
            declared = tomllib.load(handle)["project"]["dependencies"]
    return sorted({re.split(r"[\s<>=!~;\[(]", requirement.strip(), maxsplit=1)[0].lower() for requirement in declared})


def code_version(*modules) -> str:
    """Return a hash of the code that computes an entry: the given modules' source, or with none
    given, every module of bibsite/ and search_index/ imported so far, the data files of those
    folders and the installed versions of the project's dependencies (_dependencies)."""
    digest = hashlib.sha256()
    if modules:
        for module in modules:
            digest.update(Path(module.__file__).read_bytes())
        return digest.hexdigest()
    paths = {Path(module.__file__).resolve() for name, module in list(sys.modules.items())
             if name.split(".")[0] in _PACKAGES and getattr(module, "__file__", None)}
    for package in _PACKAGES:
        paths.update(path.resolve() for path in (_ROOT / package).glob("*.json"))
    for path in sorted(paths):
        digest.update(path.relative_to(_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    for name in _dependencies():
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name} {version}\n".encode())
    return digest.hexdigest()


def cached_map(items: Iterable, compute: Callable, cache: Cache | None, key: Callable[[Any], str] = str) -> list:
    """Return [compute(item) for item in items], taking each result from cache when it holds one for key(item).

    With cache None every item is computed (a build run with the cache turned off). The caller
    saves the cache when it is done.
    """
    results = []
    for item in items:
        if cache is None:
            results.append(compute(item))
            continue
        key_text = key(item)
        value = cache.get(key_text)
        if value is None:
            value = compute(item)
            if value is not None:
                cache.put(key_text, value)
        results.append(value)
    return results
