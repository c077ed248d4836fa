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
from collections import Counter
from pathlib import Path

from . import entities, keywords
from .cache import Cache
from .progress import progress

VERSION = "1"
PARALLEL_FROM = 200  # below this many uncached records a second process costs more than it saves
# The code and data whose change must invalidate every cached analysis.
_SOURCES = ("search_index/analyze.py", "search_index/stemmer.py", "search_index/rules.json", "search_index/rules.py",
            "search_index/userdict.json", "bibsite/entities.py", "bibsite/keywords.py", "bibsite/textnorm.py",
            "bibsite/tfidf.py", "bibsite/analysis.py")
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


def analysis_key(record: dict) -> str:
    """Return what an analysis is computed from: the title, the language and the text (by its digest)."""
    return json.dumps([record["display_title"], record["main_language"], record["text_digest"]], ensure_ascii=False)


# Set in the parent before forking, so workers inherit the table instead of receiving it per task.
_TABLE: list[dict] = []


def analyse(record: dict) -> dict:
    """Return the analysis of one enriched record (plain data): the search terms of its title, those of
    its text (all blocks) counted, the entities it mentions and its keyword features per language."""
    from search_index.analyze import analyze

    user_words = entities.user_words(_TABLE)
    return {
        "title": analyze(record["display_title"], record["main_language"]),
        # {term: count}, in order of first use: what the index and "similar records" count anyway
        "text": dict(Counter(term for block in record["blocks"] for term in analyze(block["text"], block["lang"]))),
        "entities": entities.tag("\n\n".join(b["text"] for b in record["blocks"]), _TABLE),
        "keywords": {block["lang"]: keywords.text_features(block["text"], block["lang"], user_words)
                     for block in record["blocks"]},
    }


class Analyser:
    """Where text is segmented: one or two processes that load jieba, its IDF table and the entity
    table (about half a second each) from the start of a build, while the build checks its inputs
    and reads records and seeds (a build with nothing to do stops them unused). Forked before the build's own memory grows, they share little of it.
    A second process joins when many records need analysis. Without fork, the build's own process
    does the analysis."""

    def __init__(self, entity_table: list[dict], cache_dir: Path, processes: int = 1):
        self._setup = (entity_table, cache_dir)
        self._most = min(2, os.cpu_count() or 1)
        self._pools: list = []
        if "fork" in multiprocessing.get_all_start_methods():
            self._pools = [self._start() for _ in range(min(processes, self._most))]
        else:
            _prepare(*self._setup)

    def _start(self):
        return multiprocessing.get_context("fork").Pool(1, initializer=_prepare, initargs=self._setup)

    def map(self, function, items: list, desc: str) -> list:
        """Return [function(item) for item in items], computed by the analysis processes."""
        if not self._pools:
            return [function(item) for item in progress(items, desc)]
        if len(items) >= PARALLEL_FROM and len(self._pools) < self._most:
            self._pools.append(self._start())
        pools = self._pools if len(items) >= PARALLEL_FROM else self._pools[:1]
        # Item k goes to process k mod n, whose results come back in order.
        streams = [pool.imap(function, items[i::len(pools)], chunksize=16) for i, pool in enumerate(pools)]
        return [next(streams[k % len(pools)]) for k in progress(range(len(items)), desc)]

    def close(self) -> None:
        for pool in self._pools:
            pool.terminate()
            pool.join()
        self._pools = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _prepare(entity_table: list[dict], cache_dir: Path) -> None:
    """Load what analysis needs: jieba (kept pickled in cache_dir), the domain words, the IDF table."""
    from search_index.analyze import add_words, keep_dictionary_in, warm_up

    global _TABLE
    _TABLE = entity_table
    keep_dictionary_in(cache_dir)
    add_words(entities.user_words(entity_table))
    warm_up()
    keywords.warm_up()
    entities.tag("上海", entity_table)  # builds the tagger's tables and tokenizer


def analyse_all(records: list[dict], analyser: Analyser, cache_dir: Path, version: str) -> tuple[dict[str, dict], int]:
    """Return ({record id: analysis} for every record, how many were analysed anew), taking the rest
    from the cache.

    version is fingerprint(entity_table): entries made under another version are never used."""
    cache = Cache(cache_dir, "analysis", version)
    found, missing = {}, []
    for record in records:
        hit = cache.get(analysis_key(record))
        if hit is None:
            missing.append(record)
        else:
            found[record["id"]] = hit
    for record, result in zip(missing, analyser.map(analyse, missing, "analysing")):
        cache.put(analysis_key(record), result)
        found[record["id"]] = result
    cache.save()
    return found, len(missing)


def _keyword_terms(item: tuple[str, list[str]]) -> list[str]:
    from search_index.analyze import analyze

    language, words = item
    return [term for word in words for term in analyze(word, language)]


def keyword_terms(records: list[dict], analyser: Analyser, cache_dir: Path, version: str) -> dict[str, list[str]]:
    """Return {record id: search terms of its keywords}, cached like analyses: keywords change when
    the collection does, but mostly not."""
    cache = Cache(cache_dir, "keyword-terms", version)
    items = {record["id"]: (record["main_language"], list(record.get("keywords", []))) for record in records}
    terms, missing = {}, {}
    for record_id, item in items.items():
        key = json.dumps(item, ensure_ascii=False)
        hit = cache.get(key)
        if hit is None:
            missing.setdefault(key, []).append(record_id)
        else:
            terms[record_id] = hit
    keys = list(missing)
    for key, result in zip(keys, analyser.map(_keyword_terms, [items[missing[key][0]] for key in keys], "keywords")):
        cache.put(key, result)
        terms.update((record_id, result) for record_id in missing[key])
    cache.save()
    return terms
