"""A content-hash-keyed cache of derived per-record work (segmentation, keywords) under .cache/.

Each entry is one small JSON file named by the hash of its key text. The file carries the namespace,
the version of the code that computed it, the hash of its key and a checksum of its payload, so a
corrupt, truncated, misplaced or stale entry (written by another version) is detected, deleted and
recomputed: an entry is never trusted on its name alone. Writes are atomic (temp file, then rename),
so a killed build leaves whole entries or none. The cache is an optimisation only: when it cannot be
read or written the work is simply done again.

    cache = Cache(project.cache, "segment", version="jieba-0.42.1+userdict-3")
    words = cached_map(records, segment_record, cache, key=lambda r: r["text"])
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

FORMAT = 1  # the layout of an entry file; bump it if the fields below change
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> str:
    """Return value as compact JSON with sorted keys: equal values give equal bytes."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


class Cache:
    """A folder of JSON entries for one kind of derived work, valid for one version of the code."""

    def __init__(self, folder: Path, namespace: str, version: str):
        if not _NAME.match(namespace):
            raise ValueError(f"cache namespace {namespace!r} should be letters, digits, '.', '_' or '-'")
        self.folder = Path(folder) / namespace
        self.namespace = namespace
        self.version = str(version)
        self.hits = self.misses = self.discarded = 0

    def path(self, key_text: str) -> Path:
        """Return the file that holds (or would hold) the entry for key_text."""
        digest = _sha256(f"{self.namespace}\n{key_text}")
        return self.folder / digest[:2] / f"{digest[2:]}.json"

    def get(self, key_text: str):
        """Return the value stored for key_text, or None when there is none or it cannot be trusted."""
        path = self.path(key_text)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        value = self._verified(data, key_text)
        if value is None:
            self.discarded += 1
            self.misses += 1
            path.unlink(missing_ok=True)
            return None
        self.hits += 1
        return value

    def _verified(self, data: bytes, key_text: str):
        """Return the value in an entry file's bytes, or None when anything about it is off."""
        try:
            entry = json.loads(data.decode("utf-8"))
            payload = entry["payload"]
            ok = (isinstance(payload, str)
                  and entry["format"] == FORMAT
                  and entry["namespace"] == self.namespace
                  and entry["version"] == self.version
                  and entry["key"] == _sha256(key_text)
                  and entry["checksum"] == _sha256(payload))
            return json.loads(payload)["value"] if ok else None
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None

    def put(self, key_text: str, value) -> bool:
        """Store value (anything JSON can hold, except None) for key_text; return False if it could not be written."""
        if value is None:
            raise ValueError("None cannot be cached: get() returns None for a missing entry")
        payload = _canonical({"value": value})
        entry = {"format": FORMAT, "namespace": self.namespace, "version": self.version,
                 "key": _sha256(key_text), "checksum": _sha256(payload), "payload": payload}
        path = self.path(key_text)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        except OSError:
            return False
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(_canonical(entry))
            os.replace(tmp, path)
            return True
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            return False
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def clear(self) -> None:
        """Delete every entry of this namespace (all versions)."""
        for path in sorted(self.folder.rglob("*"), reverse=True):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink()


def cached_map(items: Iterable, compute: Callable, cache: Cache | None, key: Callable[[Any], str] = str) -> list:
    """Return [compute(item) for item in items], taking each result from cache when it holds one for key(item).

    With cache None every item is computed (a build run with the cache turned off). Results come
    back as JSON gives them (tuples become lists), so a cached run and a fresh one agree exactly.
    """
    results = []
    for item in items:
        if cache is None:
            results.append(json.loads(_canonical(compute(item))))
            continue
        key_text = key(item)
        value = cache.get(key_text)
        if value is None:
            value = json.loads(_canonical(compute(item)))
            if value is not None:
                cache.put(key_text, value)
        results.append(value)
    return results
