"""Everything the search page loads, written into one folder (the build passes <site>/assets/search/).

Files (all scripts, because fetch() of JSON is blocked on file:// pages):
  lunr.min.js          lunr.js 2.3.9, copied from node_modules
  analyze.js, query.js, engine.js, highlight.js, search-page.js   the browser half (search_index/js)
  index.js             window.__BIB_INDEX__: terms, postings, records (record_row), rules, T->S table, entities
  docs-<n>.js          record text in shards of SHARD_SIZE, loaded only for the results shown
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Iterable

from .analyze import RULES, add_words
from .builder import analyse_all, compact, count
from .incremental import state, update
from .traditional import table_for

HERE = Path(__file__).resolve().parent
JS_FILES = ("analyze.js", "query.js", "engine.js", "highlight.js", "search-page.js")
SHARD_SIZE = 50  # a page of 50 results touches up to ~40 shards: smaller ones keep that download small
REQUIRED = ("id", "type", "lang", "title", "blocks", "url")


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

    Browsers parse a JSON string much faster than the same data written as a JS object literal,
    which matters for an index of a megabyte or more.
    """
    text = dumps(data).replace("\\", "\\\\").replace("'", "\\'")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"self.{name}=JSON.parse('{text}');\n"


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


def record_row(doc: dict, patterns: dict[str, list[str]]) -> list:
    """Return a record as the browser reads it: [id, type, lang, title, langs, url].

    Most of the index's records would repeat what the browser can work out, so a row ends early:
    no url when the type's pattern gives it, and then no langs when they are just [lang] (0 holds
    the langs' place before a url).
    """
    langs = list(doc.get("langs") or [doc["lang"]])
    row = [doc["id"], doc["type"], doc["lang"], doc["title"]]
    pattern = patterns.get(doc["type"])
    if not pattern or pattern[0] + doc["id"] + pattern[1] != doc["url"]:
        row += [langs if langs != [doc["lang"]] else 0, doc["url"]]
    elif langs != [doc["lang"]]:
        row.append(langs)
    return row


def build_search_assets(docs: list[dict], out_dir: Path, user_words: Iterable[str] = (), entities: list[dict] = (),
                        previous: dict | None = None, root: Path | None = None) -> dict:
    """Return {"terms", "index_bytes", "files", "updated", "state"} after writing the search page's
    assets into out_dir.

    previous is the "state" a build returned (plain data, for a cache): the index is then updated
    where records changed rather than counted afresh (incremental.py; "updated" says whether it was).
    root is the project folder whose node_modules/lunr is copied (lunr_path)."""
    check_docs(docs)
    lunr_min = lunr_path(root)
    entity_list = entity_table(entities)
    add_words(list(user_words) + [name for e in entity_list for name in e["names"]])

    analysed = analyse_all(docs)
    data = update(previous, docs, analysed) if previous else None
    updated = data is not None
    if data is None:
        data = compact(count(analysed))
    kept = state(docs, analysed, data)
    data["url_patterns"] = url_patterns(docs)
    data["records"] = [record_row(d, data["url_patterns"]) for d in docs]
    data["rules"] = {k: v for k, v in RULES.items() if k != "about"}
    data["ts"] = table_for(data["terms"])
    data["entities"] = entity_list
    data["shard_size"] = SHARD_SIZE

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("docs-*.js"):
        stale.unlink()
    files = []

    def write(name: str, text: str) -> int:
        raw = text.encode("utf-8")
        (out_dir / name).write_bytes(raw)
        files.append(name)
        return len(raw)

    index_bytes = write("index.js", json_script("__BIB_INDEX__", data))
    for shard in range(0, len(docs), SHARD_SIZE):
        rows = [[[b.get("lang") or d["lang"], b["text"]] for b in d["blocks"]] for d in docs[shard:shard + SHARD_SIZE]]
        key = shard // SHARD_SIZE
        write(f"docs-{key}.js", f"(self.__BIB_DOCS__=self.__BIB_DOCS__||{{}})[{key}]=" + dumps(rows) + ";\n")
    shutil.copyfile(lunr_min, out_dir / "lunr.min.js")
    files.append("lunr.min.js")
    for name in JS_FILES:
        shutil.copyfile(HERE / "js" / name, out_dir / name)
        files.append(name)
    return {"terms": len(data["terms"]), "index_bytes": index_bytes, "files": sorted(files), "updated": updated,
            "state": kept}
