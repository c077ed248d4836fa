"""Build-time facts derived from a record: display title, text blocks per language, languages; and
the weighing against the whole collection (keywords, similar records)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from . import keywords, textnorm
from .cache import Cache, code_version
from .progress import progress


def text_blocks(record: dict) -> list[dict]:
    """Return the record's text as [{lang, text}] in reading order."""
    if record["type"] == "abstract":
        blocks = [{"lang": record["language"], "text": record["text"]}]
        if record.get("abstract_en") and record["language"] != "en":  # CNKI records often carry both
            blocks.append({"lang": "en", "text": record["abstract_en"]})
        return blocks
    return [{"lang": lang, "text": text} for lang, text in record["text"].items()]


def display_title(record: dict, derived_titles: Cache | None = None, text_digest: str = "") -> tuple[str, bool, str]:
    """Return (title, derived?, its language): the maintainer's title, else one derived from the text
    (kept in derived_titles by text_digest, when given: deriving one splits the text into sentences)."""
    if record["type"] == "glossary":
        if record.get("title"):
            return record["title"], False, textnorm.detect_language(record["title"])
        language = next(code for code in ("zh", "en", "vi") if record["term"].get(code))
        name, abbr = record["term"][language], record.get("abbreviation")
        return (f"{name} ({abbr})" if abbr else name), False, language
    if record.get("title"):
        return record["title"], False, record["language"]
    if derived_titles is None or not text_digest:
        return textnorm.derive_title(record["text"], record["language"]), True, record["language"]
    title = derived_titles.get(text_digest)
    if title is None:
        title = textnorm.derive_title(record["text"], record["language"])
        derived_titles.put(text_digest, title)
    return title, True, record["language"]


def enrich_all(loaded: list[dict], cache_dir: Path) -> list[dict]:
    """Return enrich() of every record, the titles derived from text kept in cache_dir."""
    derived_titles = Cache(cache_dir, "derived-titles", code_version())
    enriched = [enrich(record, derived_titles) for record in loaded]
    derived_titles.save()
    return enriched


def enrich(record: dict, derived_titles: Cache | None = None) -> dict:
    """Return a copy of record with the derived fields added (never written back to content/): those
    published in records.json, and under "build" what only the build reads (the text blocks and the
    text's digest)."""
    blocks = text_blocks(record)
    text = "".join(f"{len(b['lang'])}:{b['lang']}{len(b['text'])}:{b['text']}" for b in blocks)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    title, derived, title_language = display_title(record, derived_titles, digest)
    main_language = record.get("language") or blocks[0]["lang"]
    return {
        **record,
        "display_title": title,
        "title_derived": derived,
        "title_language": title_language,
        "main_language": main_language,
        "languages": [block["lang"] for block in blocks],
        "truncated": bool(record.get("truncated")),
        # text_digest: what every cache key uses instead of hashing the text again.
        "build": {"blocks": blocks, "text_digest": digest},
    }


def all_keywords(records: list[dict], features: dict, user_words: list[str],
                 domain_words=()) -> dict[str, list[str]]:
    """Return {record id: its keywords}, weighed against the whole collection (domain_words: Chinese
    words of the collection's field a keyword may be, e.g. concepts.chinese_names())."""
    stats = keywords.corpus_stats(records, user_words, features, domain_words=domain_words)
    return {record["id"]: keywords.record_keywords(record, stats, features=features)
            for record in progress(records, "keywords")}
