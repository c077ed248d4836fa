"""cache: hits, misses, and entries that must not be trusted (corrupt, truncated, stale, misplaced)."""
from __future__ import annotations

import json
import os
import threading

import pytest

from bibsite.cache import Cache, cached_map

TEXT = "上海合作组织是基于互信的边境会晤机制发展成为地区性国际组织的典范。"


@pytest.fixture
def cache(tmp_path):
    return Cache(tmp_path / ".cache", "segment", version="1")


def entry_files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_miss_then_hit_returns_the_stored_value(cache):
    assert cache.get(TEXT) is None
    value = {"words": ["上海合作组织", "互信"], "n": 2, "ok": True, "nested": [[1, 2.5], {"a": None}]}
    assert cache.put(TEXT, value)
    assert cache.get(TEXT) == value
    assert (cache.hits, cache.misses) == (1, 1)


def test_entries_live_under_the_namespace_and_are_named_by_content_hash(tmp_path, cache):
    cache.put(TEXT, [1])
    cache.put(TEXT + "!", [2])
    files = entry_files(tmp_path / ".cache")
    assert len(files) == 2
    assert all(p.is_relative_to(tmp_path / ".cache" / "segment") for p in files)
    assert all(TEXT not in p.name for p in files)
    assert cache.path(TEXT) == Cache(tmp_path / ".cache", "segment", version="2").path(TEXT)
    assert cache.path(TEXT) != Cache(tmp_path / ".cache", "keywords", version="1").path(TEXT)


def test_namespaces_do_not_see_each_other(tmp_path):
    Cache(tmp_path, "segment", "1").put(TEXT, ["a"])
    assert Cache(tmp_path, "keywords", "1").get(TEXT) is None


def test_overwriting_replaces_the_value(cache):
    cache.put(TEXT, [1])
    cache.put(TEXT, [2])
    assert cache.get(TEXT) == [2]
    assert len(entry_files(cache.folder)) == 1


def corrupt_ways():
    return {
        "truncated": lambda data: data[: len(data) // 2],
        "empty": lambda data: b"",
        "not json": lambda data: b"\x00\x01garbage",
        "not utf-8": lambda data: b"\xff\xfe" + data,
        "payload edited": lambda data: data.replace("互信".encode("utf-8"), "互不".encode("utf-8")),
        "checksum edited": lambda data: _edit(data, "checksum", "0" * 64),
        "key edited": lambda data: _edit(data, "key", "0" * 64),
        "format changed": lambda data: _edit(data, "format", 999),
        "fields missing": lambda data: b'{"payload": "{\\"value\\": 1}"}',
        "a list": lambda data: b"[1, 2, 3]",
    }


def _edit(data: bytes, field: str, value) -> bytes:
    entry = json.loads(data)
    entry[field] = value
    return json.dumps(entry).encode("utf-8")


@pytest.mark.parametrize("how", list(corrupt_ways()))
def test_corrupt_entry_is_detected_discarded_and_recomputed(cache, how):
    cache.put(TEXT, {"words": ["互信"]})
    path = cache.path(TEXT)
    path.write_bytes(corrupt_ways()[how](path.read_bytes()))
    assert cache.get(TEXT) is None
    assert not path.exists(), "a corrupt entry must be deleted, not left to be read again"
    assert cache.discarded == 1
    calls = []
    result = cached_map([TEXT], lambda t: calls.append(t) or {"words": ["recomputed"]}, cache)
    assert result == [{"words": ["recomputed"]}] and calls == [TEXT]
    assert cache.get(TEXT) == {"words": ["recomputed"]}


def test_stale_entry_from_another_version_is_discarded(tmp_path):
    old = Cache(tmp_path, "segment", version="jieba-0.42.1+dict-1")
    old.put(TEXT, ["old", "words"])
    new = Cache(tmp_path, "segment", version="jieba-0.42.1+dict-2")
    assert new.get(TEXT) is None
    assert not new.path(TEXT).exists()
    assert new.discarded == 1
    assert cached_map([TEXT], lambda t: ["new"], new) == [["new"]]
    assert old.get(TEXT) is None            # the newer version's entry is stale for the old code too


def test_an_entry_copied_under_another_key_is_not_trusted(cache):
    cache.put("text A", ["result for A"])
    target = cache.path("text B")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(cache.path("text A").read_bytes())
    assert cache.get("text B") is None


def test_cached_map_computes_only_what_is_missing_and_keeps_order(cache):
    calls = []

    def compute(item):
        calls.append(item["id"])
        return {"id": item["id"], "len": len(item["text"]), "pair": (1, 2)}

    items = [{"id": i, "text": "字" * i} for i in range(1, 6)]
    first = cached_map(items, compute, cache, key=lambda r: r["text"])
    assert calls == [1, 2, 3, 4, 5]
    assert [r["id"] for r in first] == [1, 2, 3, 4, 5]
    assert first[0]["pair"] == [1, 2]          # JSON form whether fresh or cached
    calls.clear()
    items.append({"id": 6, "text": "字" * 6})
    second = cached_map(list(reversed(items)), compute, cache, key=lambda r: r["text"])
    assert calls == [6]
    assert [r["id"] for r in second] == [6, 5, 4, 3, 2, 1]
    assert second[::-1][:5] == first


def test_cached_map_without_a_cache_computes_everything(tmp_path):
    assert cached_map(["a", "bb"], lambda s: {"n": len(s)}, None) == [{"n": 1}, {"n": 2}]
    assert not (tmp_path / ".cache").exists()


def test_none_results_are_not_cached(cache):
    calls = []
    cached_map(["x"], lambda s: calls.append(s), cache)
    cached_map(["x"], lambda s: calls.append(s), cache)
    assert calls == ["x", "x"]
    with pytest.raises(ValueError):
        cache.put("x", None)


def test_values_that_json_cannot_hold_are_refused_before_writing(cache):
    with pytest.raises((TypeError, ValueError)):
        cache.put(TEXT, {"set": {1, 2}})
    with pytest.raises(ValueError):
        cache.put(TEXT, float("nan"))
    assert entry_files(cache.folder) == []


def test_writes_leave_no_temporary_files(cache):
    for i in range(20):
        cache.put(f"{TEXT}{i}", list(range(i)))
    assert not [p for p in cache.folder.rglob("*.tmp")]
    assert not [p for p in cache.folder.rglob(".*")]


def test_a_failed_write_leaves_the_old_entry_whole(cache, monkeypatch):
    cache.put(TEXT, ["old"])

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    assert cache.put(TEXT, ["new"]) is False
    monkeypatch.undo()
    assert cache.get(TEXT) == ["old"]
    assert not [p for p in cache.folder.rglob("*.tmp")]


def test_an_unwritable_cache_folder_does_not_break_the_work(tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    cache = Cache(blocker, "segment", "1")
    assert cache.put(TEXT, [1]) is False
    assert cached_map([TEXT], lambda t: [len(t)], cache) == [[len(TEXT)]]


def test_concurrent_writers_leave_a_valid_entry(cache):
    def writer(n):
        for _ in range(30):
            cache.put(TEXT, {"writer": n, "words": ["互信"] * 50})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    value = cache.get(TEXT)
    assert value is not None and value["writer"] in range(4)


def test_clear_removes_the_namespace_entries(cache):
    cache.put("a", [1])
    cache.put("b", [2])
    cache.clear()
    assert cache.get("a") is None and entry_files(cache.folder) == []


def test_bad_namespace_is_refused(tmp_path):
    with pytest.raises(ValueError):
        Cache(tmp_path, "../escape", "1")
