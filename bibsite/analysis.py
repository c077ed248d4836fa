"""Per-record text analysis, the build's costly part, done once per text and cached by content hash.

For each record: the search terms of its title and of each text block (search_index.analyze, the
same segmentation the index and "similar records" use), the entities it mentions, and the
corpus-independent part of keyword extraction. A rebuild after adding one abstract analyses that
one abstract; the rest comes from .cache/, keyed by the text and by the code that computed it
(cache.code_version(): every project module imported, search_index's data, jieba's and OpenCC's
versions), so editing any of them analyses everything again. jieba is loaded only when some
record must be analysed.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from search_index.analyze import add_words, analyze, keep_dictionary_in, warm_up

from . import entities, keywords, parallel
from .cache import Cache, code_version

VERSION = "2"


def fingerprint(entity_table: list[dict]) -> str:
    """Return a hash of everything analysis depends on besides the text: the code and the entity names."""
    digest = hashlib.sha256(f"{VERSION}|{code_version()}|".encode())
    digest.update(json.dumps(entity_table, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def analysis_key(record: dict) -> str:
    """Return what an analysis is computed from: the title, the language and the text (by its digest)."""
    return json.dumps([record["display_title"], record["main_language"], record["build"]["text_digest"]], ensure_ascii=False)


def analyse(record: dict, entity_table: list[dict]) -> dict:
    """Return the analysis of one record (plain data): the search terms of its title, those of its
    text (all blocks) counted, the entities it mentions and its keyword features per language."""
    user_words = entities.user_words(entity_table)
    return {
        "title": analyze(record["display_title"], record["main_language"]),
        # {term: count}, in order of first use: what the index and "similar records" count anyway
        "text": dict(Counter(term for block in record["build"]["blocks"] for term in analyze(block["text"], block["lang"]))),
        "entities": entities.tag("\n\n".join(b["text"] for b in record["build"]["blocks"]), entity_table),
        "keywords": {block["lang"]: keywords.text_features(block["text"], block["lang"], user_words)
                     for block in record["build"]["blocks"]},
    }


def prepare(entity_table: list[dict], cache_dir: Path) -> None:
    """Load what analysis needs, once, before the work is shared out: jieba (its dictionary kept in
    cache_dir), the domain words, the IDF table and the entity tagger's tables."""
    keep_dictionary_in(cache_dir)
    add_words(entities.user_words(entity_table))
    warm_up()
    keywords.warm_up()
    entities.tag("上海", entity_table)


def analyse_all(records: list[dict], entity_table: list[dict], cache_dir: Path) -> tuple[dict[str, dict], int]:
    """Return ({record id: analysis} for every record, how many were analysed anew), taking the rest
    from the cache; entries made by other code or another entity table are never used."""
    cache = Cache(cache_dir, "analysis", fingerprint(entity_table))
    found, missing = {}, []
    for record in records:
        hit = cache.get(analysis_key(record))
        if hit is None:
            missing.append(record)
        else:
            found[record["id"]] = hit
    if missing:
        prepare(entity_table, cache_dir)
    for record, result in zip(missing, parallel.map(lambda r: analyse(r, entity_table), missing, "analysing")):
        cache.put(analysis_key(record), result)
        found[record["id"]] = result
    cache.save()
    return found, len(missing)


def _keyword_terms(item: tuple[str, list[str]]) -> list[str]:
    language, words = item
    return [term for word in words for term in analyze(word, language)]


def keyword_terms(records: list[dict], entity_table: list[dict], cache_dir: Path) -> dict[str, list[str]]:
    """Return {record id: search terms of its keywords}, cached like analyses: keywords change when
    the collection does, but mostly not."""
    cache = Cache(cache_dir, "keyword-terms", fingerprint(entity_table))
    items = {record["id"]: (record["main_language"], list(record.get("keywords", []))) for record in records}
    terms, missing = {}, {}
    for record_id, item in items.items():
        key = json.dumps(item, ensure_ascii=False)
        hit = cache.get(key)
        if hit is None:
            missing.setdefault(key, []).append(record_id)
        else:
            terms[record_id] = hit
    if missing:
        prepare(entity_table, cache_dir)
    keys = list(missing)
    for key, result in zip(keys, parallel.map(_keyword_terms, [items[missing[key][0]] for key in keys], "keywords")):
        cache.put(key, result)
        terms.update((record_id, result) for record_id in missing[key])
    cache.save()
    return terms
