"""Reader for BibTeX files (.bib), as Zotero (and Better BibTeX) export them, parsed by bibtexparser."""
from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import convert_to_unicode

from ..errors import InputError
from ..textfile import read_text
from . import entry

_START = re.compile(r"^[ \t]*@([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s]*)", re.MULTILINE)
_NOT_ENTRIES = {"comment", "string", "preamble"}
GENRES = {"article": "article", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
          "book": "book", "incollection": "chapter", "inbook": "chapter", "techreport": "report", "report": "report"}
_AND = re.compile(r"\s+and\s+")


def _starts(text: str, shown: str) -> list[tuple[str, int]]:
    """Return (key, line) of every entry of text in order, checking that each one's braces close."""
    found = []
    matches = [m for m in _START.finditer(text) if m[1].lower() not in _NOT_ENTRIES]
    for index, match in enumerate(matches):
        line = text.count("\n", 0, match.start()) + 1
        if not match[2]:
            raise InputError(shown, f"@{match[1]} entry without a citation key", "write it as @article{key, …}", line=line)
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        depth = 0
        for char in text[match.start():end]:
            depth += (char == "{") - (char == "}")
        if depth != 0:
            raise InputError(shown, f"the braces of entry '{match[2]}' do not close before the next entry",
                             "close every { with a } (or export the file again)", line=line)
        found.append((match[2], line))
    return found


def read(path: Path, shown: str) -> list[dict]:
    """Return the entries of a BibTeX file, in file order."""
    text = read_text(path, shown)
    starts = _starts(text, shown)
    parser = BibTexParser(common_strings=True)
    parser.ignore_nonstandard_types = False
    parser.homogenize_fields = False
    parsed = bibtexparser.loads(text, parser).entries
    if len(parsed) != len(starts):
        keys = {item["ID"] for item in parsed}
        key, line = next(((k, n) for k, n in starts if k not in keys), starts[-1] if starts else ("", 1))
        raise InputError(shown, f"entry '{key}' could not be read", "check its fields are written name = {value},",
                         line=line)
    return [_entry(convert_to_unicode(dict(item)), shown, line) for item, (_key, line) in zip(parsed, starts)]


def _split_names(value: str) -> list[str]:
    """Return the names of a BibTeX name list: split at ' and ' outside braces, braces dropped."""
    names, depth, current = [], 0, ""
    for part in re.split(r"(\{|\}|\s+and\s+)", value):
        if part == "{":
            depth += 1
        elif part == "}":
            depth -= 1
        elif _AND.fullmatch(part or "") and depth == 0:
            names.append(current)
            current = ""
            continue
        current += part or ""
    names.append(current)
    return [_plain(name) for name in names if _plain(name)]


def _plain(value) -> str:
    """Return a BibTeX value without the braces that protect its case."""
    return entry.clean(str(value or "").replace("{", "").replace("}", ""))


def _entry(item: dict, shown: str, line: int) -> dict:
    """Return one entry in the common shape from a bibtexparser dict."""
    fields = {key.lower(): value for key, value in item.items()}
    institutions = entry.split_list(_plain(fields.get("affiliation", "")))
    dated = entry.year_and_date(_plain(fields.get("date", ""))) or entry.year_and_date(_plain(fields.get("year", "")))
    raw = {
        "genre": GENRES.get(fields.get("entrytype", "").lower(), ""),
        "titles": [_plain(fields.get(k)) for k in ("title", "translatedtitle", "titleaddon") if fields.get(k)],
        "abstracts": [_plain(fields.get(k)) for k in ("abstract", "translatedabstract") if fields.get(k)],
        "journals": [_plain(fields.get(k)) for k in ("journal", "journaltitle", "booktitle") if fields.get(k)],
        "authors": entry.with_affiliations(_split_names(fields.get("author", "")), institutions),
        "volume": _plain(fields.get("volume")), "issue": _plain(fields.get("number") or fields.get("issue")),
        "pages": re.sub(r"\s*-+\s*", "-", _plain(fields.get("pages"))),
        "doi": _plain(fields.get("doi")), "url": _plain(fields.get("url")),
        "issn": _plain(fields.get("issn")), "isbn": _plain(fields.get("isbn")),
        "publisher": _plain(fields.get("publisher") or fields.get("school") or fields.get("institution")),
        "fund": _plain(fields.get("fund") or fields.get("funding")), "clc": _plain(fields.get("clc")),
        "keywords": [w for w in re.split(r"\s*[,;，；]\s*", _plain(fields.get("keywords"))) if w],
        "language": entry.language(_plain(fields.get("langid") or fields.get("language"))),
        **dated,
    }
    if raw["genre"] != "article" and fields.get("booktitle"):
        raw["journals"] = []  # a chapter's book title is not a journal
    return entry.finish(raw, shown, line)
