"""cache: hits, misses, pruning, and files that must not be trusted (corrupt, truncated, stale, misplaced)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from bibsite.cache import Cache, cached_map

TEXT = "上海合作组织是基于互信的边境会晤机制发展成为地区性国际组织的典范。"


def reopen(cache: Cache, version: str | None = None) -> Cache:
    """Return a new Cache on the same file, as the next build would open it."""
    return Cache(cache.path.parent, cache.namespace, version or cache.version)


@pytest.fixture
def cache(tmp_path):
    return Cache(tmp_path / ".cache", "segment", version="1")


def test_miss_then_hit_returns_the_stored_value_in_the_next_build(cache):
    assert cache.get(TEXT) is None
    value = {"words": ["上海合作组织", "互信"], "n": 2, "ok": True, "nested": [[1, 2.5], {"a": None}], "pair": (1, 2)}
    cache.put(TEXT, value)
    assert cache.save()
    later = reopen(cache)
    assert later.get(TEXT) == value
    assert later.get(TEXT)["pair"] == (1, 2)  # types come back as computed: a cached run equals a fresh one
    assert (cache.hits, cache.misses, later.hits, later.misses) == (0, 1, 2, 0)


def test_one_file_per_namespace_holding_no_key_text(tmp_path, cache):
    cache.put(TEXT, [1])
    cache.put(TEXT + "!", [2])
    cache.save()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [tmp_path / ".cache" / "segment.cache"]
    assert TEXT.encode("utf-8") not in files[0].read_bytes()


def test_namespaces_do_not_see_each_other(tmp_path):
    first = Cache(tmp_path, "segment", "1")
    first.put(TEXT, ["a"])
    first.save()
    assert Cache(tmp_path, "keywords", "1").get(TEXT) is None


def test_overwriting_replaces_the_value(cache):
    cache.put(TEXT, [1])
    cache.put(TEXT, [2])
    cache.save()
    assert reopen(cache).get(TEXT) == [2]


def corrupt_ways():
    return {
        "truncated": lambda data: data[: len(data) // 2],
        "empty": lambda data: b"",
        "garbage": lambda data: b"\x00\x01garbage",
        "no header": lambda data: data.split(b"\n", 1)[1],
        "body edited": lambda data: data[:-3] + bytes([data[-3] ^ 1]) + data[-2:],
        "checksum edited": lambda data: _replace_line(data, 2, b"0" * 64),
        "format changed": lambda data: _replace_line(data, 1, data.split(b"\n")[1].replace(b"(3,", b"(999,", 1)),
        "namespace changed": lambda data: _replace_line(data, 1, data.split(b"\n")[1].replace(b"segment", b"keywords")),
    }


def _replace_line(data: bytes, number: int, line: bytes) -> bytes:
    lines = data.split(b"\n", 3)
    lines[number] = line
    return b"\n".join(lines)


@pytest.mark.parametrize("how", list(corrupt_ways()))
def test_a_corrupt_file_is_detected_and_everything_recomputed(cache, how):
    cache.put(TEXT, {"words": ["互信"]})
    cache.save()
    original = cache.path.read_bytes()
    cache.path.write_bytes(corrupt_ways()[how](original))
    assert cache.path.read_bytes() != original
    later = reopen(cache)
    calls = []
    result = cached_map([TEXT], lambda t: calls.append(t) or {"words": ["recomputed"]}, later)
    assert result == [{"words": ["recomputed"]}] and calls == [TEXT]
    assert later.discarded
    assert later.save()
    assert reopen(cache).get(TEXT) == {"words": ["recomputed"]}


def test_a_file_from_another_version_is_stale(cache):
    cache.put(TEXT, ["old", "words"])
    cache.save()
    new = reopen(cache, version="2")
    assert new.get(TEXT) is None and new.discarded
    assert cached_map([TEXT], lambda t: ["new"], new) == [["new"]]
    new.save()
    assert reopen(cache, version="1").get(TEXT) is None  # the newer file is stale for the old code too


def test_a_file_copied_from_another_namespace_is_not_trusted(tmp_path):
    other = Cache(tmp_path, "keywords", "1")
    other.put(TEXT, ["keyword result"])
    other.save()
    (tmp_path / "segment.cache").write_bytes(other.path.read_bytes())
    assert Cache(tmp_path, "segment", "1").get(TEXT) is None


def test_cached_map_computes_only_what_is_missing_and_keeps_order(cache):
    calls = []

    def compute(item):
        calls.append(item["id"])
        return {"id": item["id"], "len": len(item["text"])}

    items = [{"id": i, "text": "字" * i} for i in range(1, 6)]
    first = cached_map(items, compute, cache, key=lambda r: r["text"])
    cache.save()
    assert calls == [1, 2, 3, 4, 5]
    assert [r["id"] for r in first] == [1, 2, 3, 4, 5]
    calls.clear()
    items.append({"id": 6, "text": "字" * 6})
    second = cached_map(list(reversed(items)), compute, reopen(cache), key=lambda r: r["text"])
    assert calls == [6]
    assert [r["id"] for r in second] == [6, 5, 4, 3, 2, 1]
    assert second[::-1][:5] == first


def test_only_the_entries_of_the_last_build_are_kept(cache):
    for text in ("a", "b", "c"):
        cache.put(text, [text])
    cache.save()
    later = reopen(cache)
    assert later.get("b") == ["b"]
    later.put("d", ["d"])
    later.save()
    final = reopen(cache)
    assert [final.get(t) for t in ("a", "b", "c", "d")] == [None, ["b"], None, ["d"]]


def test_a_build_that_changed_nothing_does_not_rewrite_the_file(cache):
    cache.put(TEXT, [1])
    cache.save()
    before = cache.path.stat().st_mtime_ns
    later = reopen(cache)
    assert later.get(TEXT) == [1]
    assert later.save()
    assert cache.path.stat().st_mtime_ns == before


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


@pytest.mark.parametrize("value", [[object()], {"path": Path("x")}, {"function": len}])
def test_values_that_are_not_plain_data_are_refused(cache, value):
    with pytest.raises(ValueError):
        cache.put(TEXT, value)
    cache.save()
    assert reopen(cache).get(TEXT) is None


def test_saving_leaves_no_temporary_files(cache):
    for i in range(20):
        cache.put(f"{TEXT}{i}", list(range(i)))
    cache.save()
    assert [p.name for p in cache.path.parent.iterdir()] == [cache.path.name]


def test_a_failed_write_leaves_the_old_file_whole(cache, monkeypatch):
    cache.put(TEXT, ["old"])
    cache.save()
    later = reopen(cache)
    later.put(TEXT, ["new"])

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    assert later.save() is False
    monkeypatch.undo()
    assert reopen(cache).get(TEXT) == ["old"]
    assert [p.name for p in cache.path.parent.iterdir()] == [cache.path.name]


def test_an_unwritable_cache_folder_does_not_break_the_work(tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    cache = Cache(blocker, "segment", "1")
    assert cached_map([TEXT], lambda t: [len(t)], cache) == [[len(TEXT)]]
    assert cache.save() is False


def test_clear_removes_the_file(cache):
    cache.put("a", [1])
    cache.save()
    cache.clear()
    assert not cache.path.exists() and reopen(cache).get("a") is None


def test_bad_namespace_is_refused(tmp_path):
    with pytest.raises(ValueError):
        Cache(tmp_path, "../escape", "1")


def fill(cache: Cache, count: int) -> list[str]:
    texts = [f"record {i}" for i in range(count)]
    for text in texts:
        cache.put(text, [text])
    cache.save()
    return texts


def test_entries_the_last_build_did_not_use_are_dropped(cache):
    texts = fill(cache, 1200)
    later = reopen(cache)
    kept = texts[: len(texts) // 2]  # half the collection was edited away
    assert all(later.get(text) == [text] for text in kept)
    later.put("new", ["new"])
    later.save()
    final = reopen(cache)
    assert final.get(texts[-1]) is None and final.get(kept[-1]) == [kept[-1]] and final.get("new") == ["new"]


def test_keep_unused_adds_entries_without_dropping_the_others(cache):
    fill(cache, 3)
    other = reopen(cache)
    other.put("added", ["added"])
    other.save(keep_unused=True)
    final = reopen(cache)
    assert [final.get(t) for t in ("record 0", "record 2", "added")] == [["record 0"], ["record 2"], ["added"]]


def test_code_version_covers_every_declared_dependency_and_its_version(monkeypatch):
    """The packages whose versions key the cache are the project's declared dependencies, not a list of
    their own: a new dependency in pyproject.toml, or a new version of one, gives another code version."""
    import importlib.metadata
    import re
    import tomllib

    from bibsite import cache as cache_module

    declared = tomllib.loads((Path(cache_module.__file__).resolve().parent.parent / "pyproject.toml")
                             .read_text(encoding="utf-8"))["project"]["dependencies"]
    names = sorted({re.split(r"[\s<>=!~;\[(]", d, maxsplit=1)[0].lower() for d in declared})
    assert cache_module._dependencies() == names
    before = cache_module.code_version()
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0.0" if name == "jieba" else real(name))
    assert cache_module.code_version() != before
