"""Everything the search page loads, written into one folder (the build passes <site>/assets/search/).

The index comes in pieces, each a script that registers itself (fetch() is blocked on file:// pages,
<script src> is not), so that a query loads only what it touches; search_index/FORMAT.md describes
every file and why it holds what it holds:
  lunr.min.js          lunr.js 2.3.9, copied from node_modules
  analyze.js, query.js, engine.js, highlight.js, facets.js, results-export.js, search-page.js   the browser half (search_index/js)
  index.js             the root: shard table, collection statistics, fields, record kinds, rules, entities
  terms-<n>.js         a range of the sorted terms: postings, Han substring lists, cross-lingual expansions
  text-<n>.js          title, url and text of FRAGMENT_SIZE records, loaded for the results on screen
  facet-<name>.js      every record's values of one facet (counts and filters over a whole result set)
  sort-<key>.js        every record's value of one sort key (newest / oldest)
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Iterable

from .analyze import add_words
from .rules import RULES, is_han
from .builder import DIGITS, FIELDS, FORMAT, K1, B, Counts, analyse_all, averages, count, postings_of, utf16_key
from .traditional import table_for

HERE = Path(__file__).resolve().parent
JS_FILES = ("analyze.js", "query.js", "engine.js", "highlight.js", "facets.js", "results-export.js", "search-page.js")
# A terms shard closes once its data passes this many bytes (before gzip, about a third). Smaller
# shards load less for a query of rare terms, but each is a request and a row of the root's table.
SHARD_BYTES = 12_000
# Records per text fragment: a page of results is scattered over the collection, so each shown result
# costs a whole fragment. At 20,000 realistic abstracts the 50 results of a first page load 35 KB gzip
# in fragments of one record, 66 KB in fragments of two (and about 120 KB of four).
FRAGMENT_SIZE = 1
SORT_KEYS = ("year", "added")  # newest first: the latest year, then the latest added within a year
REQUIRED = ("id", "type", "lang", "title", "blocks", "url")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


class SearchInputError(ValueError):
    """A record handed to the search index lacks a field or has a wrong value; names the record."""


def lunr_path(root: Path | None = None) -> Path:
    """Return root/node_modules/lunr/lunr.min.js (root: the project folder, by default the one this
    package sits in), or raise telling how to install it."""
    path = Path(root if root is not None else HERE.parent) / "node_modules" / "lunr" / "lunr.min.js"
    if not path.is_file():
        raise FileNotFoundError("node_modules/lunr is missing — run `npm ci` (make site does)")
    return path


def dumps(data) -> str:
    """Return data as deterministic compact JSON (sorted keys, no spaces, UTF-8 text kept)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def json_script(name: str, data) -> str:
    """Return a script that sets self.<name> to data, parsed with JSON.parse.

    Browsers parse a JSON string much faster than the same data written as a JS object literal.
    """
    return f"self.{name}=JSON.parse('{_js_string(dumps(data))}');\n"


def part_script(name: str, data) -> str:
    """Return a script that registers data as self.__BIB_PARTS__[name] (js/engine.js reads it there)."""
    return f"(self.__BIB_PARTS__=self.__BIB_PARTS__||{{}})['{name}']=JSON.parse('{_js_string(dumps(data))}');\n"


def _js_string(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("'", "\\'")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def check_docs(docs: list[dict]) -> None:
    """Raise SearchInputError naming the record and field when a doc cannot be indexed."""
    seen = set()
    for position, doc in enumerate(docs):
        name = f"search record #{position} ({doc.get('id', 'no id')})"
        for field in REQUIRED:
            if field not in doc:
                raise SearchInputError(f"{name}: field '{field}' is missing — the build must pass it (see search_index/__init__.py)")
        if doc["id"] in seen:
            raise SearchInputError(f"{name}: id '{doc['id']}' appears twice — record ids must be unique")
        seen.add(doc["id"])
        for block in doc["blocks"]:
            if not isinstance(block, dict) or not isinstance(block.get("text"), str):
                raise SearchInputError(f"{name}: field 'blocks' must be a list of {{'lang': ..., 'text': ...}}")
        for key in ("facets", "sort"):
            for facet, value in (doc.get(key) or {}).items():
                if not NAME.match(facet):
                    raise SearchInputError(f"{name}: {key} name '{facet}' must be lower-case letters, digits and _")
                if value is None and key == "facets":
                    continue  # a record without that facet (an undated record's year)
                values = value if isinstance(value, list) else [value]
                if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in values) or \
                        (key == "sort" and isinstance(value, list)):
                    raise SearchInputError(f"{name}: {key} '{facet}' must be a text or a number"
                                           + ("" if key == "sort" else ", or a list of them"))


def entity_table(entities) -> list[dict]:
    """Return entities as [{slug, names}] with each entity's names in zh, en, vi order, once each."""
    table = []
    for entity in entities or ():
        names: list[str] = []
        for lang in ("zh", "en", "vi"):
            for name in entity.get("names", {}).get(lang, ()):
                if name and name not in names:
                    names.append(name)
        if names:
            table.append({"slug": entity["slug"], "names": names})
    return sorted(table, key=lambda e: e["slug"])


def url_patterns(docs: list[dict]) -> dict[str, list[str]]:
    """Return {type: [before, after]} for each type whose every url is before + id + after."""
    patterns = {}
    for doc in docs:
        pieces = doc["url"].split(doc["id"])
        if doc["type"] not in patterns:
            patterns[doc["type"]] = pieces if len(pieces) == 2 else None
        elif patterns[doc["type"]] != pieces:
            patterns[doc["type"]] = None
    return {kind: pieces for kind, pieces in sorted(patterns.items()) if pieces}


def record_kinds(docs: list[dict]) -> tuple[list[list], str]:
    """Return the distinct [type, lang, langs] of the records, and one character per record (DIGITS[k]
    for kinds[k]): what the type and language filters read, for every record, without its text."""
    kinds: list[list] = []
    column = []
    for doc in docs:
        kind = [doc["type"], doc["lang"], list(doc.get("langs") or [doc["lang"]])]
        if kind not in kinds:
            kinds.append(kind)
        column.append(kinds.index(kind))
    if len(kinds) > len(DIGITS):
        raise SearchInputError(f"more than {len(DIGITS)} combinations of type and languages — the record table cannot code them")
    return kinds, "".join(DIGITS[k] for k in column)


def text_row(doc: dict, patterns: dict[str, list[str]]) -> list:
    """Return a record's shown text as a fragment holds it: [id, title, url or 0, [[lang, text], ...]],
    then its COinS title (a KEV string, bibsite/coins.py) when the doc has one.

    The url is 0 when the type's pattern gives it."""
    pattern = patterns.get(doc["type"])
    url = 0 if pattern and pattern[0] + doc["id"] + pattern[1] == doc["url"] else doc["url"]
    row = [doc["id"], doc["title"], url, [[b.get("lang") or doc["lang"], b["text"]] for b in doc["blocks"]]]
    return row + [doc["coins"]] if doc.get("coins") else row


def containing_table(terms: list[str]) -> dict[str, list[str]]:
    """Return {Han bigram: [terms of 3+ characters, starting with a Han character, that hold it]}.

    The query side looks up longer index terms that hold a run (马六甲 in 马六甲海峡) through this
    table; each list goes into the shard of its bigram, so a query loads the lists of its own text."""
    table: dict[str, list[str]] = {}
    for term in terms:
        chars = list(term)
        if len(chars) < 3 or not is_han(chars[0]):
            continue
        for bigram in dict.fromkeys(chars[i] + chars[i + 1] for i in range(len(chars) - 1)):
            table.setdefault(bigram, []).append(term)
    return table


def expansion_table(expansions) -> dict[str, list[list]]:
    """Return the cross-lingual expansions as {key: [[target, weight, shown text?], ...]}, checked and in order."""
    table = {}
    for key, targets in sorted((expansions or {}).items()):
        if not isinstance(key, str) or not key.strip():
            raise SearchInputError(f"expansion key {key!r} must be a space-joined sequence of index terms")
        rows = []
        for target in targets:
            if (not isinstance(target, (list, tuple)) or len(target) not in (2, 3) or not isinstance(target[0], str)
                    or not isinstance(target[1], (int, float)) or not 0 < target[1] <= 1
                    or (len(target) == 3 and not isinstance(target[2], str))):
                raise SearchInputError(f"expansion '{key}': each target must be [terms, weight, shown text?] "
                                       "with 0 < weight <= 1")
            rows.append([" ".join(target[0].split()), target[1], *target[2:]])
        table[" ".join(key.split())] = rows
    return table


def shard_terms(counts: Counts, expansions: dict, shard_bytes: int) -> tuple[list[list], list[dict]]:
    """Return the shard table [[boundary key, first term's ordinal], ...] and the shards, cut where the
    running size passes shard_bytes. Terms, bigram lists and expansions (by their key's first term)
    share one sorted key space, so the shard of a key is the last one whose first key is <= it."""
    terms = sorted(counts.postings, key=utf16_key)
    containing = containing_table(terms)
    by_first: dict[str, dict] = {}
    for key, targets in expansions.items():
        by_first.setdefault(key.split(" ")[0], {})[key] = targets
    keys = sorted(set(terms) | set(containing) | set(by_first), key=utf16_key)
    is_term = set(terms)
    table: list[list] = []
    shards: list[dict] = []
    size, ordinal, previous = shard_bytes, 0, ""
    for key in keys:
        if size >= shard_bytes:
            table.append(["" if not shards else boundary(previous, key), ordinal])
            shards.append({"terms": [], "postings": [], "containing": {}, "expansions": {}})
            size = 0
        shard = shards[-1]
        if key in is_term:
            shard["terms"].append(key)
            shard["postings"].append(postings_of(counts, key))
            size += len(key.encode()) + len(shard["postings"][-1]) + 6
            ordinal += 1
        if key in containing:
            shard["containing"][key] = containing[key]
            size += sum(len(t.encode()) + 3 for t in containing[key])
        if key in by_first:
            shard["expansions"].update(by_first[key])
            size += len(dumps(by_first[key]))
        previous = key
    return table, shards


def boundary(before: str, key: str) -> str:
    """Return the shortest start of key that sorts after before (the last key of the shard before):
    every key of the new shard is >= it and every key before is < it, and it is shorter to ship.
    A string between two shards that is no key may be looked up in either; it is absent from both."""
    for end in range(1, len(key) + 1):
        if utf16_key(key[:end]) > utf16_key(before):
            return key[:end]
    return key


def facet_columns(docs: list[dict], sort_keys) -> tuple[dict[str, dict], dict[str, list]]:
    """Return {facet: {"values": [sorted texts], "rows": [[value ordinals] per record]}} and
    {sort key: [value or None per record]} from the docs' "facets" and "sort", the sort keys in the
    order of sort_keys (then any other, by name)."""
    names = sorted({name for doc in docs for name in (doc.get("facets") or {})})
    facets = {}
    for name in names:
        per_record = []
        for doc in docs:
            value = (doc.get("facets") or {}).get(name)
            values = value if isinstance(value, list) else [] if value is None else [value]
            # An empty text is no value: a record without a journal is not filtered as journal "".
            per_record.append(list(dict.fromkeys(str(v) for v in values if v != "")))
        distinct = sorted({v for row in per_record for v in row}, key=utf16_key)
        position = {v: i for i, v in enumerate(distinct)}
        facets[name] = {"values": distinct, "rows": [[position[v] for v in row] for row in per_record]}
    present = {key for doc in docs for key in (doc.get("sort") or {})}
    keys = [key for key in sort_keys if key in present] + sorted(present - set(sort_keys))
    sorts = {key: [(doc.get("sort") or {}).get(key) for doc in docs] for key in keys}
    return facets, sorts


def build_search_assets(docs: list[dict], out_dir: Path, user_words: Iterable[str] = (), entities: list[dict] = (),
                        expansions: dict | None = None, shard_bytes: int = SHARD_BYTES,
                        fragment_size: int = FRAGMENT_SIZE, sort_keys: Iterable[str] = SORT_KEYS,
                        root: Path | None = None) -> dict:
    """Return {"terms", "index_bytes", "files", "shards", "fragments"} after writing the search page's
    assets into out_dir (FORMAT.md).

    expansions: {key: [[target, weight], ...]}, a key and each target being space-joined analysed
    index terms (query-time cross-lingual expansion: the engine adds a target, weighted, when the
    query holds its key). sort_keys: the docs' "sort" keys in the order newest / oldest compares them.
    root is the project folder whose node_modules/lunr is copied (lunr_path)."""
    check_docs(docs)
    lunr_min = lunr_path(root)
    entity_list = entity_table(entities)
    add_words(list(user_words) + [name for e in entity_list for name in e["names"]])
    expansions = expansion_table(expansions)

    counts = count(analyse_all(docs))
    table, shards = shard_terms(counts, expansions, shard_bytes)
    patterns = url_patterns(docs)
    kinds, kind_column = record_kinds(docs)
    facets, sorts = facet_columns(docs, tuple(sort_keys))
    index_root = {
        "format": FORMAT,
        "fields": [list(f) for f in FIELDS],
        "k1": K1,
        "b": B,
        "size": len(docs),
        "average": averages(counts.lengths),
        "terms": sum(len(s["terms"]) for s in shards),
        "shards": table,
        "kinds": kinds,
        "kind": kind_column,
        "url_patterns": patterns,
        "fragment_size": fragment_size,
        "expansion_span": max((len(key.split(" ")) for key in expansions), default=0),
        "facets": sorted(facets),
        "sorts": list(sorts),
        "rules": {k: v for k, v in RULES.items() if k != "about"},
        "ts": table_for(counts.postings),
        "entities": entity_list,
    }

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for pattern in ("terms-*.js", "text-*.js", "facet-*.js", "sort-*.js", "docs-*.js"):
        for stale in out_dir.glob(pattern):
            stale.unlink()
    files = []

    def write(name: str, text: str) -> int:
        raw = text.encode("utf-8")
        (out_dir / name).write_bytes(raw)
        files.append(name)
        return len(raw)

    index_bytes = write("index.js", json_script("__BIB_INDEX__", index_root))
    for n, shard in enumerate(shards):
        write(f"terms-{n}.js", part_script(f"terms-{n}", shard))
    for start in range(0, len(docs), fragment_size):
        n = start // fragment_size
        write(f"text-{n}.js", part_script(f"text-{n}", [text_row(d, patterns) for d in docs[start:start + fragment_size]]))
    for name, column in facets.items():
        write(f"facet-{name}.js", part_script(f"facet-{name}", column))
    for name, column in sorts.items():
        write(f"sort-{name}.js", part_script(f"sort-{name}", column))
    shutil.copyfile(lunr_min, out_dir / "lunr.min.js")
    files.append("lunr.min.js")
    for name in JS_FILES:
        shutil.copyfile(HERE / "js" / name, out_dir / name)
        files.append(name)
    return {"terms": index_root["terms"], "index_bytes": index_bytes, "files": sorted(files), "shards": len(shards),
            "fragments": -(-len(docs) // fragment_size)}
