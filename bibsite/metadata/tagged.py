"""Reader for tagged-text exports: EndNote (`%T title`), RefWorks (`T1 title`) and NoteExpress
(`{Title}: title`), the three forms CNKI, EndNote and NoteExpress write as .enw or .txt.

Each line starts with a tag; a line that does not continues the previous field (long abstracts are
wrapped so); an entry ends at a blank line or where the next entry's first tag (%0, RT,
{Reference Type}) begins. Names are repeated per author (%A) or joined by ; (CNKI's RefWorks and
NoteExpress), keywords and institutions are joined by ;.
"""
from __future__ import annotations

import re
from pathlib import Path

from .. import textnorm
from ..errors import InputError
from ..textfile import read_text
from . import entry

# What each dialect's tags mean: (field, how): "one" keeps the first value, "list" every value,
# "split" every ;-joined item; field None: read and dropped. Other EndNote and NoteExpress tags
# (database, notes, label…) are read and dropped too.
ENDNOTE = {
    "%0": ("genre", "one"), "%A": ("authors", "list"), "%T": ("titles", "list"), "%Q": ("titles", "list"),
    "%J": ("journals", "list"), "%B": ("journals", "list"), "%D": ("year", "one"), "%8": ("date", "one"),
    "%V": ("volume", "one"), "%N": ("issue", "one"), "%P": ("pages", "one"), "%K": ("keywords", "split"),
    "%X": ("abstracts", "list"), "%@": ("issn_isbn", "one"), "%R": ("doi", "one"), "%U": ("url", "one"),
    "%+": ("institutions", "split"), "%L": ("clc", "one"), "%I": ("publisher", "one"), "%G": ("language", "one"),
    "%9": ("work_type", "one"),
}
REFWORKS = {
    "RT": ("genre", "one"), "A1": ("authors", "split"), "AU": ("authors", "split"), "A2": ("editors", "split"),
    "T1": ("titles", "list"), "T2": ("journals", "list"), "JF": ("journals", "list"), "JO": ("journals", "list"),
    "YR": ("year", "one"), "FD": ("date", "one"), "VO": ("volume", "one"), "IS": ("issue", "one"),
    "SP": ("first_page", "one"), "OP": ("last_page", "one"), "K1": ("keywords", "split"), "AB": ("abstracts", "list"),
    "SN": ("issn_isbn", "one"), "DO": ("doi", "one"), "LK": ("url", "one"), "UL": ("url", "one"),
    "AD": ("institutions", "split"), "CL": ("clc", "one"), "PB": ("publisher", "one"), "LA": ("language", "one"),
    "FU": ("fund", "one"), "ST": ("titles", "list"),
    # read and dropped: source type, database, CN serial number, notes, web page, id, place, edition
    **{tag: (None, "one") for tag in ("SR", "DS", "CN", "NO", "WP", "ID", "PP", "ED", "RD", "OL", "CR", "WT", "U1")},
}
NOTEEXPRESS = {
    "Reference Type": ("genre", "one"), "Title": ("titles", "list"), "Translated Title": ("titles", "list"),
    "Author": ("authors", "split"), "Author Address": ("institutions", "split"), "Journal": ("journals", "list"),
    "Translated Journal": ("journals", "list"), "Secondary Title": ("journals", "list"), "Year": ("year", "one"),
    "Date": ("date", "one"), "Volume": ("volume", "one"), "Issue": ("issue", "one"), "Pages": ("pages", "one"),
    "Keywords": ("keywords", "split"), "Abstract": ("abstracts", "list"), "Translated Abstract": ("abstracts", "list"),
    "ISBN/ISSN": ("issn_isbn", "one"), "DOI": ("doi", "one"), "URL": ("url", "one"), "Fund": ("fund", "one"),
    "Call Number": ("clc", "one"), "CLC": ("clc", "one"), "Publisher": ("publisher", "one"), "Language": ("language", "one"),
}
DIALECTS = {
    "EndNote": (re.compile(r"^(%[0-9A-Z@+#$!&()*^~>\[\]])(?:\s(.*))?$"), ENDNOTE, "%0"),
    "RefWorks": (re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$"), REFWORKS, "RT"),
    "NoteExpress": (re.compile(r"^\{([^{}]+)\}:\s?(.*)$"), NOTEEXPRESS, "Reference Type"),
}
# Reference types as each program names them → the record's genre.
GENRES = {
    "journal article": "article", "journal": "article", "article": "article", "期刊": "article", "期刊论文": "article",
    "newspaper article": "article", "magazine article": "article",
    "thesis": "thesis", "dissertation": "thesis", "dissertation/thesis": "thesis", "学位论文": "thesis",
    "硕士论文": "thesis", "博士论文": "thesis",
    "book": "book", "book, whole": "book", "图书": "book", "书": "book", "edited book": "book",
    "book, section": "chapter",
    "book section": "chapter", "book chapter": "chapter", "chapter": "chapter", "图书章节": "chapter",
    "report": "report", "报告": "report", "government document": "report",
}
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")


def _dialect(lines: list[str], shown: str) -> str:
    """Return the name of the dialect the first tagged line of a file is written in."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        for name, (pattern, _tags, _first) in DIALECTS.items():
            if pattern.match(line.rstrip()):
                return name
        raise InputError(shown, f"does not start like a tagged export: {line.strip()[:40]!r}",
                         "export as EndNote (%0 …), RefWorks (RT …) or NoteExpress ({Reference Type}: …) text, "
                         "or move the file out of seeds/metadata/", line=number)
    return "EndNote"


def read(path: Path, shown: str) -> list[dict]:
    """Return the entries of a tagged-text file (any of the three dialects), in file order."""
    lines = read_text(path, shown).split("\n")
    name = _dialect(lines, shown)
    pattern, tags, first_tag = DIALECTS[name]
    entries, fields, start, last = [], [], 0, None
    for number, line in enumerate(lines, start=1):
        line = line.rstrip()
        if not line.strip():
            if fields:
                entries.append((start, fields))
            fields, last = [], None
            continue
        match = pattern.match(line)
        if name == "RefWorks" and match and match[1] not in tags and last is not None:
            match = None  # a wrapped line that happens to start with two capitals
        if match:
            tag = match[1]
            if tag == first_tag and fields:
                entries.append((start, fields))
                fields = []
            if not fields:
                start = number
            fields.append([tag, [match[2] or ""]])
            last = fields[-1]
        elif last is not None:
            last[1].append(line)
        else:
            raise InputError(shown, f"line is not a {name} field: {line.strip()[:40]!r}",
                             f"start each field with its tag ({first_tag} …) or remove the line", line=number)
    if fields:
        entries.append((start, fields))
    return [_entry(fields, tags, shown, start) for start, fields in entries]


def _entry(fields: list, tags: dict, shown: str, line: int) -> dict:
    """Return one entry in the common shape from its (tag, lines) fields."""
    raw: dict = {}
    for tag, lines in fields:
        if tag not in tags:
            continue
        field, how = tags[tag]
        if field is None:
            continue
        value = textnorm.join_lines(lines)
        if not value:
            continue
        if how == "one":
            raw.setdefault(field, value)
        elif how == "list":
            raw.setdefault(field, []).append(value)
        else:  # EndNote puts one keyword per line of a %K field
            raw.setdefault(field, []).extend(item for line in lines for item in entry.split_list(line))
    out = {key: raw[key] for key in ("titles", "abstracts", "journals", "keywords", "volume", "issue", "doi", "url",
                                     "publisher", "fund", "clc") if key in raw}
    out["genre"] = GENRES.get(entry.clean(raw.get("genre", "")).lower(), "")
    if raw.get("work_type") and "学位" in raw["work_type"]:
        out["genre"] = "thesis"
    out["authors"] = entry.with_affiliations([name for a in raw.get("authors", []) for name in entry.split_names(a)],
                                             raw.get("institutions", []))
    out.update(entry.year_and_date(raw.get("year", "")))
    if raw.get("date"):
        dated = entry.year_and_date(raw["date"])
        out.setdefault("year", dated.get("year"))
        if "date" in dated:
            out["date"] = dated["date"]
    out["pages"] = raw.get("pages") or entry.pages(raw.get("first_page", ""), raw.get("last_page", ""))
    code = entry.clean(raw.get("issn_isbn", ""))
    if code:
        out["issn" if _ISSN.match(code) else "isbn"] = code
    out["language"] = entry.language(raw.get("language", ""))
    return entry.finish(out, shown, line)
