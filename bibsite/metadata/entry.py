"""The one shape every metadata reader returns, and the cleaning they share.

An entry is a plain dict holding only the fields its source gave (never an empty value):

| key | value |
|---|---|
| `file`, `line` | where the entry starts (the path as shown to the maintainer, 1-based line) |
| `genre` | `article`, `thesis`, `book`, `chapter` or `report`, when the source says which |
| `titles` | every title the source gave, main title first (a Chinese and an English one, often) |
| `abstracts` | every abstract the source gave, main one first |
| `authors` | `[{"name": …, "affiliation": …}]` in order; `affiliation` only when known |
| `year` | a number; `date` (YYYY-MM-DD) only when the source gives a whole date |
| `journal`, `volume`, `issue`, `pages`, `doi`, `url`, `issn`, `isbn`, `publisher`, `fund`, `clc` | text |
| `journals` | every journal name given (CNKI gives a Chinese and an English one) |
| `keywords` | list of text, in the source's order |
| `language` | `zh`, `en` or `vi` when the source names it |

Which title, abstract and journal is the record's and which its English one is decided by the
import (seeds/metadata → content/), by their language; readers only collect them.
"""
from __future__ import annotations

import re

from .. import textnorm

GENRES = ("article", "thesis", "book", "chapter", "report")
TEXT_FIELDS = ("volume", "issue", "pages", "doi", "url", "issn", "isbn", "publisher", "fund", "clc")
_SPLIT = re.compile(r"\s*[;；]\s*")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_CLC = re.compile(r"^[A-Z][A-Z]?[0-9]")  # D822.351.2, TP391; F125;D822
_HAN_JOIN = re.compile(r"[，、]|,(?=\S)")
_CNKI_MARK = re.compile(r"^\s*[<〈]正[>〉]\s*")  # CNKI's mark of a text taken from the article, not an abstract
_HAN_NAME = re.compile(f"^([{textnorm.HAN}]+),\\s*([{textnorm.HAN}]+)$")
_LANGUAGES = {"zh": "zh", "chi": "zh", "zho": "zh", "chinese": "zh", "中文": "zh", "汉语": "zh", "zh-cn": "zh",
              "zh-hans": "zh", "en": "en", "eng": "en", "english": "en", "英文": "en", "英语": "en", "en-us": "en",
              "en-gb": "en", "vi": "vi", "vie": "vi", "vietnamese": "vi"}


def clean(text) -> str:
    """Return text on one line, whitespace collapsed, with the spaces a PDF line break left between
    two Chinese characters removed ("" for None)."""
    if text is None:
        return ""
    return textnorm.repair_pdf_spaces(" ".join(str(text).split()))


def split_list(text: str) -> list[str]:
    """Return the items of a ;-joined list (CNKI joins keywords and institutions so), blanks dropped."""
    return [item for item in (clean(part) for part in _SPLIT.split(text or "")) if item]


def split_names(value: str) -> list[str]:
    """Return the names in one author field: ;-joined (CNKI: 刘某;王某;), and Chinese names also joined
    by ，、 or a comma without a space (刘某,王某); "Smith, John" and Zotero's "刘, 某" stay one name."""
    names = []
    for part in split_list(value):
        if textnorm.HAN_CHAR.search(part):
            names += [name for name in (clean(n) for n in _HAN_JOIN.split(part)) if name]
        else:
            names.append(part)
    return names


def language(value: str) -> str:
    """Return zh, en or vi for a language as sources name it (中文, chi, English, en-US…), else ""."""
    return _LANGUAGES.get(clean(value).rstrip(";；").strip().lower(), "")


def year_and_date(value: str) -> dict:
    """Return {year} or {year, date} from a date as sources write it (2014, 2014/05/03, 2014-05-03, 2014-05)."""
    value = clean(value)
    full = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", value)
    if full:
        return {"year": int(full[1]), "date": f"{full[1]}-{int(full[2]):02d}-{int(full[3]):02d}"}
    year = re.search(r"(?<!\d)(1\d{3}|2\d{3})(?!\d)", value)
    return {"year": int(year[1])} if year else {}


def doi(value: str) -> str:
    """Return a DOI without the resolver or doi: prefix sources add."""
    return _DOI_PREFIX.sub("", clean(value))


def pages(first: str, last: str = "") -> str:
    """Return a page range written first-last (or first alone)."""
    first, last = clean(first), clean(last)
    return f"{first}-{last}" if first and last and last != first else first or last


def finish(raw: dict, shown: str, line: int) -> dict:
    """Return one entry in the common shape from what a reader collected (empty values dropped)."""
    entry: dict = {"file": shown, "line": line}
    if raw.get("genre") in GENRES:
        entry["genre"] = raw["genre"]
    for key in ("titles", "abstracts", "journals"):
        items = []
        for item in raw.get(key, []):
            item = clean(item)
            if key == "abstracts":
                item = _CNKI_MARK.sub("", item)
            if item and item not in items:
                items.append(item)
        if items:
            entry[key] = items
    authors = []
    for author in raw.get("authors", []):
        name = clean(author.get("name")).rstrip(",;，；").strip()
        han = _HAN_NAME.match(name)
        if han:  # Zotero writes a Chinese name it split as "刘, 某"
            name = han[1] + han[2]
        if name:
            person = {"name": name}
            if clean(author.get("affiliation")):
                person["affiliation"] = clean(author["affiliation"])
            authors.append(person)
    if authors:
        entry["authors"] = authors
    if raw.get("year"):
        entry["year"] = int(raw["year"])
    if raw.get("date"):
        entry["date"] = raw["date"]
    for key in TEXT_FIELDS:
        value = doi(raw.get(key)) if key == "doi" else clean(raw.get(key))
        if key in ("volume", "issue") and value.isdigit():
            value = str(int(value))  # CNKI writes issue 04, Zotero 4
        if key == "clc" and not _CLC.match(value):
            continue  # CNKI puts the journal's CN serial number (11-5481/D) where others put the CLC number
        if value:
            entry[key] = value
    keywords = []
    for word in raw.get("keywords", []):
        word = clean(word)
        if word and word not in keywords:
            keywords.append(word)
    if keywords:
        entry["keywords"] = keywords
    if raw.get("language"):
        entry["language"] = raw["language"]
    return entry


def with_affiliations(names: list[str], institutions: list[str]) -> list[dict]:
    """Return authors with their affiliations: paired in order when there are as many institutions
    as authors, all given the one institution when there is one; otherwise none (not guessed)."""
    if len(institutions) == len(names):
        return [{"name": n, "affiliation": a} for n, a in zip(names, institutions)]
    if len(institutions) == 1:
        return [{"name": n, "affiliation": institutions[0]} for n in names]
    return [{"name": n} for n in names]
