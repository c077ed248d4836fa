"""Reader for CSL-JSON files (.json): what Zotero exports as "CSL JSON" and citeproc reads."""
from __future__ import annotations

import json
import re
from pathlib import Path

from .. import textnorm
from ..errors import InputError
from ..textfile import read_text
from . import entry

GENRES = {"article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
          "article": "article", "thesis": "thesis", "book": "book", "chapter": "chapter", "report": "report"}
_WHITESPACE = re.compile(r"\s*")


def _items(text: str, shown: str) -> list[tuple[dict, int]]:
    """Return (item, line) for every item of a CSL-JSON array (or of a single item), in order."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(shown, f"malformed JSON: {error.msg}", "fix the JSON syntax there (or export the file again)",
                         line=error.lineno, column=error.colno) from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(shown, "is not a CSL-JSON list of items", "export it from Zotero as CSL JSON", line=1)
    # Where each item starts, for the report: decode the array again one item at a time.
    decoder, lines = json.JSONDecoder(), []
    index = _WHITESPACE.match(text, 0).end()
    if text.startswith("[", index):
        index += 1
    while len(lines) < len(data):
        index = _WHITESPACE.match(text, index).end()
        lines.append(text.count("\n", 0, index) + 1)
        _value, index = decoder.raw_decode(text, index)
        index = _WHITESPACE.match(text, index).end()
        if text.startswith(",", index):
            index += 1
    for item, line in zip(data, lines):
        if not isinstance(item, dict):
            raise InputError(shown, "an item of the list is not an object", "each item must be {\"type\": …, …}", line=line)
    return list(zip(data, lines))


def read(path: Path, shown: str) -> list[dict]:
    """Return the entries of a CSL-JSON file, in file order."""
    return [_entry(item, shown, line) for item, line in _items(read_text(path, shown), shown)]


def _name(person) -> dict:
    """Return {name, affiliation} from a CSL name: Chinese family and given names joined without a
    space (刘某), others written "Family, Given"."""
    if not isinstance(person, dict):
        return {"name": entry.clean(person)}
    family, given = entry.clean(person.get("family")), entry.clean(person.get("given"))
    if person.get("literal") or not family:
        name = entry.clean(person.get("literal")) or given
    elif textnorm.HAN_CHAR.search(family + given):
        name = family + given
    else:
        name = f"{family}, {given}" if given else family
    affiliation = person.get("affiliation")
    if isinstance(affiliation, list):  # CSL 1.0.2 writes [{"literal": …}]
        affiliation = "; ".join(a.get("literal", "") if isinstance(a, dict) else str(a) for a in affiliation)
    return {"name": name, "affiliation": entry.clean(affiliation)}


def _issued(item: dict) -> dict:
    issued = item.get("issued") or {}
    parts = (issued.get("date-parts") or [[]])[0] if isinstance(issued, dict) else []
    if parts and len(parts) >= 3:
        return entry.year_and_date("-".join(str(p) for p in parts[:3]))
    if parts:
        return entry.year_and_date(str(parts[0]))
    return entry.year_and_date(str(issued.get("raw", ""))) if isinstance(issued, dict) else {}


def _entry(item: dict, shown: str, line: int) -> dict:
    """Return one entry in the common shape from a CSL-JSON item."""
    text = lambda key: entry.clean(item.get(key)) if isinstance(item.get(key), (str, int)) else ""
    keywords = item.get("keyword", "")
    keywords = keywords if isinstance(keywords, list) else re.split(r"\s*[,;，；]\s*", str(keywords))
    raw = {
        "genre": GENRES.get(text("type"), ""),
        "titles": [text(k) for k in ("title", "original-title", "translated-title") if text(k)],
        "abstracts": [text("abstract")],
        "journals": [text(k) for k in ("container-title", "original-container-title") if text(k)]
        if text("type") != "chapter" else [],
        "authors": [_name(person) for person in item.get("author") or []],
        "volume": text("volume"), "issue": text("issue"), "pages": re.sub(r"\s*[-–]+\s*", "-", text("page")),
        "doi": text("DOI"), "url": text("URL"), "issn": text("ISSN"), "isbn": text("ISBN"),
        "publisher": text("publisher"), "clc": text("call-number"), "fund": text("fund"),
        "keywords": keywords, "language": entry.language(text("language")),
        **_issued(item),
    }
    return entry.finish(raw, shown, line)
