"""Per-record text analysis, the build's costly part, done once per text and cached by content hash.

For each record: the search terms of its title and of each text block (search_index.analyze, the
same segmentation the index and "similar records" use), the entities it mentions, and the
corpus-independent part of keyword extraction. A rebuild after adding one abstract analyses that
one abstract; the rest comes from .cache/, whose files are checked before they are trusted
(bibsite/cache.py).
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import multiprocessing
import os
from pathlib import Path

from . import entities, keywords
from .cache import Cache
from .progress import progress

VERSION = "1"
PARALLEL_FROM = 200  # below this many uncached records a second process costs more than it saves
# The code and data whose change must invalidate every cached analysis.
_SOURCES = ("search_index/analyze.py", "search_index/stemmer.py", "search_index/rules.json",
            "search_index/userdict.json", "bibsite/entities.py", "bibsite/keywords.py", "bibsite/analysis.py")
_ROOT = Path(__file__).resolve().parent.parent


def fingerprint(entity_table: list[dict]) -> str:
    """Return a hash of everything analysis depends on besides the text: code, rules, entity names."""
    # The installed version, read without importing jieba: a build with nothing to do never needs it.
    digest = hashlib.sha256(f"{VERSION}|jieba {importlib.metadata.version('jieba')}|".encode())
    for name in _SOURCES:
        path = _ROOT / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
    digest.update(json.dumps(entity_table, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def _key(record: dict) -> str:
    return json.dumps([record["display_title"], record["main_language"],
                       [[b["lang"], b["text"]] for b in record["blocks"]]], ensure_ascii=False)


# Set in the parent before forking, so workers inherit the table instead of receiving it per task.
_TABLE: list[dict] = []


def analyse(record: dict) -> dict:
    """Return the analysis of one enriched record (plain JSON data)."""
    from search_index.analyze import analyze

    user_words = entities.user_words(_TABLE)
    return {
        "title": analyze(record["display_title"], record["main_language"]),
        "blocks": [analyze(block["text"], block["lang"]) for block in record["blocks"]],
        "entities": entities.tag("\n\n".join(b["text"] for b in record["blocks"]), _TABLE),
        "keywords": {block["lang"]: keywords.text_features(block["text"], block["lang"], user_words)
                     for block in record["blocks"]},
    }


def analyse_all(records: list[dict], entity_table: list[dict], cache_dir: Path, version: str) -> tuple[dict[str, dict], int]:
    """Return ({record id: analysis} for every record, how many were analysed anew), taking the rest
    from the cache.

    version is fingerprint(entity_table): entries made under another version are never used."""
    global _TABLE
    _TABLE = entity_table
    cache = Cache(cache_dir, "analysis", version)
    found, missing = {}, []
    for record in records:
        hit = cache.get(_key(record))
        if hit is None:
            missing.append(record)
        else:
            found[record["id"]] = hit
    if missing:
        for record, result in zip(missing, _compute(missing)):
            cache.put(_key(record), result)
            found[record["id"]] = result
    cache.save()
    return found, len(missing)


def _compute(missing: list[dict]) -> list[dict]:
    """Return the analyses of records not in the cache; many are shared between two processes."""
    workers = min(2, os.cpu_count() or 1)
    if len(missing) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [analyse(record) for record in progress(missing, "analysing")]
    from search_index.analyze import warm_up

    warm_up()  # load jieba and the IDF table once; forked workers inherit them
    keywords.warm_up()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return list(progress(pool.imap(analyse, missing, chunksize=32), "analysing", total=len(missing)))


def keyword_terms(records: list[dict], cache_dir: Path, version: str) -> dict[str, list[str]]:
    """Return {record id: search terms of its keywords}; keywords are short, but analysing them would
    load the segmenter on a rebuild where nothing else needs it, so they are cached too."""
    from search_index.analyze import analyze

    cache = Cache(cache_dir, "keyword-terms", version)
    terms = {}
    for record in records:
        key = json.dumps([record["main_language"], record.get("keywords", [])], ensure_ascii=False)
        hit = cache.get(key)
        if hit is None:
            hit = [term for word in record.get("keywords", []) for term in analyze(word, record["main_language"])]
            cache.put(key, hit)
        terms[record["id"]] = hit
    cache.save()
    return terms
