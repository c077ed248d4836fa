"""Reader for RIS files (.ris), as Zotero, EndNote, CNKI and NoteExpress export them, parsed by rispy."""
from __future__ import annotations

import re
from pathlib import Path

import rispy

from ..errors import InputError
from ..textfile import read_text
from . import entry

_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
GENRES = {"JOUR": "article", "EJOUR": "article", "MGZN": "article", "NEWS": "article", "THES": "thesis",
          "BOOK": "book", "EBOOK": "book", "EDBOOK": "book", "CHAP": "chapter", "ECHAP": "chapter",
          "RPRT": "report", "GOVDOC": "report"}
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")


def _entry_lines(text: str, shown: str) -> list[int]:
    """Return the line of each TY of text, checking that every entry runs from a TY to an ER and that
    nothing but blank lines stands between entries."""
    starts, inside = [], False
    for number, line in enumerate(text.split("\n"), start=1):
        match = _TAG.match(line.rstrip())
        if match and match[1] == "TY":
            if inside:
                raise InputError(shown, f"the entry starting at line {starts[-1]} has no ER line before the next TY",
                                 "end every entry with a line 'ER  - '", line=number)
            starts.append(number)
            inside = True
        elif match and match[1] == "ER":
            if not inside:
                raise InputError(shown, "an ER line without an entry before it", "start every entry with 'TY  - JOUR' (or its type)",
                                 line=number)
            inside = False
        elif line.strip() and not inside:
            raise InputError(shown, f"line outside any entry: {line.strip()[:40]!r}",
                             "start every entry with 'TY  - …' and end it with 'ER  - ', or remove the line", line=number)
    if inside:
        raise InputError(shown, f"the entry starting at line {starts[-1]} has no ER line",
                         "end every entry with a line 'ER  - '", line=starts[-1])
    return starts


def read(path: Path, shown: str) -> list[dict]:
    """Return the entries of a RIS file, in file order."""
    text = read_text(path, shown)
    starts = _entry_lines(text, shown)
    parsed = rispy.loads(text, list_tags=[*rispy.LIST_TYPE_TAGS, "AD", "T2", "JO", "JF", "J2", "AB", "N2", "TI", "T1",
                                          "TT", "SN"])
    return [_entry(item, shown, line) for item, line in zip(parsed, starts)]


def _entry(item: dict, shown: str, line: int) -> dict:
    """Return one entry in the common shape from a rispy dict."""
    codes = item.get("issn", [])
    names = [name for value in [*item.get("authors", []), *item.get("first_authors", [])] for name in entry.split_names(value)]
    institutions = [part for address in item.get("author_address", []) for part in entry.split_list(address)]
    dated = entry.year_and_date(item.get("date", "")) or entry.year_and_date(item.get("year", "") or
                                                                              item.get("publication_year", ""))
    raw = {
        "genre": GENRES.get(str(item.get("type_of_reference", "")).strip().upper(), ""),
        "titles": [*item.get("title", []), *item.get("primary_title", []), *item.get("translated_title", [])],
        "abstracts": [*item.get("abstract", []), *item.get("notes_abstract", [])],
        "journals": [*item.get("secondary_title", []), *item.get("journal_name", []),
                     *item.get("alternate_title3", []), *item.get("alternate_title1", [])],
        "authors": entry.with_affiliations(names, institutions),
        "volume": item.get("volume"), "issue": item.get("number"),
        "pages": entry.pages(item.get("start_page", ""), item.get("end_page", "")),
        "doi": item.get("doi"), "url": (item.get("urls") or [""])[0], "publisher": item.get("publisher"),
        "clc": item.get("call_number"), "keywords": [w for k in item.get("keywords", []) for w in entry.split_list(k)],
        "language": entry.language(item.get("language", "")),
        "issn": next((c for c in codes if _ISSN.match(entry.clean(c))), ""),
        "isbn": next((c for c in codes if not _ISSN.match(entry.clean(c))), ""),
        **dated,
    }
    if raw["genre"] == "chapter":  # a chapter's T2 is its book, not a journal
        raw["journals"] = []
    return entry.finish(raw, shown, line)
