"""Citations of records: BibTeX, RIS, CSL-JSON, GB/T 7714-2015 and Highwire meta tags.

Only fields the record has are written; nothing is guessed. The title is the record's `title`; a title
the build derived from the first sentence (record["title_derived"]) is never exported as one: the
machine-read formats leave it out and only the GB/T 7714 text, read by people, shows it, as the page
does. Keywords the build extracted (record["keywords_derived"]) are not the record's and are left out.
Entry type from the record's `genre` (article, thesis, book, chapter, report), else article with a
journal, else misc. Glossary entries cite as misc too, with their publisher and date; their
two-language text is not an abstract.
"""
from __future__ import annotations

import re

from .output import json_lines
from .textnorm import HAN_CHAR

# BibTeX counts every brace, escaped or not, so braces must become commands that contain none unpaired.
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile("[" + re.escape("".join(_BIBTEX_ESCAPES)) + "]")
# Characters a URL never needs literally but that would unbalance a .bib file or split a RIS line.
_URL_UNSAFE = re.compile(r"[{}\\\s]")
_ACRONYM = re.compile(r"(?<![\\\w])([A-Z][A-Z0-9]+)(?!\w)")


# --- one record ------------------------------------------------------------------------------

_PLAIN_FIELDS = ("journal", "volume", "issue", "pages", "doi", "url", "publisher", "language", "issn", "isbn", "genre")
# genre -> (BibTeX entry type, RIS type, CSL type, GB/T 7714 code)
_GENRES = {"article": ("article", "JOUR", "article-journal", "J"), "thesis": ("phdthesis", "THES", "thesis", "D"),
           "book": ("book", "BOOK", "book", "M"), "chapter": ("incollection", "CHAP", "chapter", "M"),
           "report": ("techreport", "RPRT", "report", "R")}


def _kind(f: dict) -> tuple[str, str, str, str]:
    """Return the entry types of the record's genre, else of an article when it has a journal, else misc."""
    if f.get("genre") in _GENRES:
        return _GENRES[f["genre"]]
    return _GENRES["article"] if "journal" in f else ("misc", "GEN", "article", "Z")


def _fields(record: dict, display_title: str) -> dict:
    """Return the citable fields the record has, cleaned: the one source for every format below.
    "title" is the real title only; "shown_title" what a reader is shown (the derived one too)."""
    derived = not record.get("title") and record.get("title_derived") is True
    out: dict = {"id": record["id"], "shown_title": _clean(record.get("title") or display_title)}
    if not derived:
        out["title"] = out["shown_title"]
    if record.get("authors"):
        people = [(_clean(a.get("name")), _clean(a.get("affiliation"))) if isinstance(a, dict) else (_clean(a), "")
                  for a in record["authors"]]
        out["authors"] = [name for name, _ in people if name]
        out["affiliations"] = [affiliation for name, affiliation in people if name]
    if record.get("year"):
        out["year"] = str(record["year"])
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(record.get("date") or "")):  # glossary entries: a full date
        out["date"] = record["date"]
        out.setdefault("year", record["date"][:4])
    for name in _PLAIN_FIELDS:
        if record.get(name):
            out[name] = _clean(str(record[name]))
    if record.get("keywords") and not record.get("keywords_derived"):
        out["keywords"] = [_clean(k) for k in record["keywords"] if _clean(k)]
    if isinstance(record.get("text"), str) and record["text"].strip():
        out["abstract"] = _clean(record["text"])
    return {key: value for key, value in out.items() if value and (key != "affiliations" or any(value))}


def real_fields(record: dict) -> dict:
    """Return the citable fields the record really has: _fields without a derived title, and without
    keywords the build extracted (an enriched record flags them keywords_derived)."""
    fields = _fields(record, "")
    if record.get("keywords_derived"):
        fields.pop("keywords", None)
    return fields


def bibtex(record: dict, display_title: str) -> str:
    """Return one BibTeX entry (@article with a journal, else @misc), keyed by the record id."""
    return _bibtex(_fields(record, display_title))


def _bibtex(f: dict) -> str:
    lines = []
    if "title" in f:
        # Title acronyms are braced so that sentence-casing styles keep SCO from becoming "sco".
        lines.append(("title", _ACRONYM.sub(r"{\1}", _bibtex_text(f["title"]))))
    if "authors" in f:
        # A name holding " and " (an organisation as author) would be split into two people.
        lines.append(("author", " and ".join(
            "{" + _bibtex_text(a) + "}" if re.search(r"\sand\s", a) else _bibtex_text(a) for a in f["authors"])))
    kind = _kind(f)[0]
    publisher = {"phdthesis": "school", "techreport": "institution"}.get(kind, "publisher")
    container = "booktitle" if kind == "incollection" else "journal"
    for name, field in (("year", "year"), ("date", "date"), ("journal", container), ("volume", "volume"),
                        ("issue", "number"), ("publisher", publisher), ("issn", "issn"), ("isbn", "isbn")):
        if name in f:
            lines.append((field, _bibtex_text(f[name])))
    if "pages" in f:
        lines.append(("pages", _bibtex_text(re.sub(r"\s*[-–—]+\s*", "--", f["pages"]))))
    for name in ("doi", "url"):
        if name in f:
            # doi and url are verbatim in biblatex: escaping % or _ would corrupt them.
            lines.append((name, _url_safe(f[name])))
    if "keywords" in f:
        lines.append(("keywords", _bibtex_text(", ".join(f["keywords"]))))
    if "language" in f:
        lines.append(("language", _bibtex_text(f["language"])))
    if "abstract" in f:
        lines.append(("abstract", _bibtex_text(f["abstract"])))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in lines)
    return f"@{kind}{{{_bibtex_key(f['id'])},\n{body}\n}}\n"


def ris(record: dict, display_title: str) -> str:
    """Return one RIS record (TY JOUR with a journal, else GEN), one tag per line, ending in ER."""
    return _ris(_fields(record, display_title))


def _ris(f: dict) -> str:
    tags = [("TY", _kind(f)[1]), ("ID", f["id"])] + ([("TI", f["title"])] if "title" in f else [])
    tags += [("AU", a) for a in f.get("authors", [])]
    tags += [("AD", a) for a in f.get("affiliations", []) if a]
    for name, tag in (("year", "PY"), ("journal", "T2"), ("volume", "VL"), ("issue", "IS"), ("publisher", "PB"),
                      ("issn", "SN"), ("isbn", "SN")):
        if name in f:
            tags.append((tag, f[name]))
    if "date" in f:
        tags.append(("DA", f["date"].replace("-", "/")))
    if "pages" in f:
        first, last = _page_range(f["pages"])
        tags.append(("SP", first))
        if last:
            tags.append(("EP", last))
    if "doi" in f:
        tags.append(("DO", _url_safe(f["doi"])))
    if "url" in f:
        tags.append(("UR", _url_safe(f["url"])))
    tags += [("KW", k) for k in f.get("keywords", [])]
    if "language" in f:
        tags.append(("LA", f["language"]))
    if "abstract" in f:
        tags.append(("AB", f["abstract"]))
    return "".join(f"{tag}  - {value}\n" for tag, value in tags) + "ER  - \n"


def csl_json(record: dict, display_title: str) -> dict:
    """Return one CSL-JSON item (article-journal with a journal, else article)."""
    return _csl_json(_fields(record, display_title))


def _csl_json(f: dict) -> dict:
    item: dict = {"id": f["id"], "type": _kind(f)[2]}
    if "title" in f:
        item["title"] = f["title"]
    if "authors" in f:
        item["author"] = [_csl_name(a) for a in f["authors"]]
    if "year" in f:
        item["issued"] = {"date-parts": [[int(part) for part in f.get("date", f["year"]).split("-")]]}
    for name, key in (("journal", "container-title"), ("volume", "volume"), ("issue", "issue"), ("publisher", "publisher"),
                      ("pages", "page"), ("doi", "DOI"), ("url", "URL"), ("language", "language"),
                      ("issn", "ISSN"), ("isbn", "ISBN"), ("abstract", "abstract")):
        if name in f:
            item[key] = f[name]
    if "keywords" in f:
        item["keyword"] = ", ".join(f["keywords"])
    return item


def gbt7714(record: dict, display_title: str) -> str:
    """Return the GB/T 7714-2015 reference: [J] with a journal, [EB] for a dated web page, else [Z]; /OL online."""
    return _gbt7714(_fields(record, display_title))


def _gbt7714(f: dict) -> str:
    web_page = "journal" not in f and "date" in f and "url" in f and "genre" not in f
    code = _kind(f)[3]
    parts = []
    if "authors" in f:
        names = [_gbt_name(a) for a in f["authors"]]
        if len(names) > 3:  # the standard lists three, then 等 / et al.
            chinese = f.get("language") == "zh" or HAN_CHAR.search(f["authors"][0])
            names = names[:3] + ["等" if chinese else "et al"]
        parts.append(", ".join(names) + ".")
    elif web_page and "publisher" in f:
        parts.append(f"{f['publisher']}.")  # a site with no author is its own responsible party
    code = ("EB" if web_page else code) + ("/OL" if "url" in f else "")
    if f.get("genre") == "chapter" and "journal" in f:
        parts.append(f"{f['shown_title']}[{code}]//{f['journal']}.")  # 析出文献: 题名[M]//专著题名.
    else:
        parts.append(f"{f['shown_title']}[{code}].")
    pages = "-".join(p for p in _page_range(f["pages"]) if p) if "pages" in f else ""
    if web_page:
        parts.append(f"({f['date']}).")  # the publication date; an access date would be invented
    elif "journal" in f and f.get("genre") != "chapter":
        # 刊名, 年, 卷(期): 页码 — with no volume the issue follows the year: 2022(3)
        year = f.get("year", "") + (f"({f['issue']})" if "issue" in f and "volume" not in f else "")
        issue = f.get("volume", "") + (f"({f['issue']})" if "issue" in f and "volume" in f else "")
        source = ", ".join(part for part in (f["journal"], year, issue) if part)
        parts.append(f"{source}: {pages}." if pages else f"{source}.")
    else:
        # 出版地: 出版者, 年: 页码 (a maintainer writes the place in `publisher`, "北京: 清华大学")
        source = ", ".join(part for part in (f.get("publisher", ""), f.get("year", "")) if part)
        if source:
            parts.append(f"{source}: {pages}." if pages else f"{source}.")
    if "url" in f:
        parts.append(f"{f['url']}.")
    if "doi" in f:
        parts.append(f"DOI:{f['doi']}.")
    return " ".join(parts)


def highwire(record: dict, display_title: str) -> list[tuple[str, str]]:
    """Return (name, content) pairs for Highwire Press <meta name="citation_*"> tags, in the usual order."""
    return _highwire(_fields(record, display_title))


def _highwire(f: dict) -> list[tuple[str, str]]:
    tags = [("citation_title", f["title"])] if "title" in f else []
    affiliations = f.get("affiliations", [""] * len(f.get("authors", [])))
    for author, affiliation in zip(f.get("authors", []), affiliations):
        tags.append(("citation_author", author))
        if affiliation:
            tags.append(("citation_author_institution", affiliation))
    if "year" in f:
        tags.append(("citation_publication_date", f.get("date", f["year"]).replace("-", "/")))
    publisher = {"thesis": "citation_dissertation_institution",
                 "report": "citation_technical_report_institution"}.get(f.get("genre"), "citation_publisher")
    for name, tag in (("journal", "citation_journal_title"), ("volume", "citation_volume"),
                      ("issue", "citation_issue"), ("publisher", publisher), ("issn", "citation_issn"),
                      ("isbn", "citation_isbn")):
        if name in f:
            tags.append((tag, f[name]))
    if "pages" in f:
        first, last = _page_range(f["pages"])
        tags.append(("citation_firstpage", first))
        if last:
            tags.append(("citation_lastpage", last))
    if "doi" in f:
        tags.append(("citation_doi", f["doi"]))
    if "language" in f:
        tags.append(("citation_language", f["language"]))
    if "keywords" in f:
        tags.append(("citation_keywords", "; ".join(f["keywords"])))
    if "abstract" in f:
        tags.append(("citation_abstract", f["abstract"]))
    return tags


def formats(record: dict, display_title: str) -> dict:
    """Return every format of one record: {"bibtex", "ris", "csl" (the CSL-JSON item), "gbt", "highwire"}."""
    f = _fields(record, display_title)
    return {"bibtex": _bibtex(f), "ris": _ris(f), "csl": _csl_json(f), "gbt": _gbt7714(f), "highwire": _highwire(f)}


# --- the collection --------------------------------------------------------------------------

def collection_bibtex(records_with_titles) -> str:
    """Return one BibTeX file of (record, display_title) pairs, entries in id order."""
    return bibtex_file((record["id"], bibtex(record, title)) for record, title in records_with_titles)


def collection_csl(records_with_titles) -> str:
    """Return one CSL-JSON file (a JSON array, items in id order, keys sorted) of (record, title) pairs."""
    return csl_file(csl_json(record, title) for record, title in records_with_titles)


def bibtex_file(entries) -> str:
    """Return one BibTeX file of (record id, BibTeX entry) pairs, entries in id order."""
    return "\n".join(text for _, text in sorted(entries, key=lambda entry: str(entry[0])))


def csl_file(items) -> str:
    """Return one CSL-JSON file (a JSON array, items in id order, one per line, keys sorted) of CSL-JSON items."""
    return json_lines(sorted(items, key=lambda i: str(i["id"])))


# --- helpers ---------------------------------------------------------------------------------

def _clean(text) -> str:
    """Return text on one line: citation formats treat a line break as the end of a field or a paragraph."""
    return " ".join(str(text).split()) if text is not None else ""


def _bibtex_text(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES[m.group()], text)


def _bibtex_key(key: str) -> str:
    # Keys are record ids (hex) or glossary slugs; anything else is made safe rather than trusted.
    return re.sub(r"[^A-Za-z0-9_.:-]", "-", str(key)) or "record"


def _url_safe(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: "%{:02X}".format(ord(m.group())), url)


def _page_range(pages: str) -> tuple[str, str]:
    """Return (first page, last page or "") of a range written 12-18, 12–18 or 12."""
    first, _, last = re.sub(r"\s*[-–—]+\s*", "-", pages).partition("-")
    return first.strip(), last.strip()


def _split_name(name: str) -> tuple[str, str] | None:
    """Return (family, given) for a name written "Family, Given"; None for names written any other way."""
    family, sep, given = name.partition(",")
    if sep and family.strip() and given.strip():
        return family.strip(), given.strip()
    return None


def _csl_name(name: str) -> dict:
    split = _split_name(name)
    # A name not written "Family, Given" (王某, or an organisation) is kept whole, not guessed apart.
    return {"family": split[0], "given": split[1]} if split else {"literal": name}


def _gbt_name(name: str) -> str:
    """Return a name as GB/T 7714 writes it: Chinese as written, "Smith, John Paul" as "SMITH J P"."""
    split = _split_name(name)
    if not split or HAN_CHAR.search(name):
        return name
    family, given = split
    initials = " ".join(part[0].upper() for part in re.split(r"[\s.\-]+", given) if part)
    return f"{family.upper()} {initials}".strip()
