"""The record schema: every field a YAML record may hold, and the one place records are validated.

A record is a plain dict. Abstracts and glossary entries share the identity fields (`id`, `type`,
`added`, `source_file`, `source_line`); the rest is listed per type below, in the order the YAML
files are written.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import re
from urllib.parse import urlparse

from . import textnorm
from .errors import InputError

LANGUAGES = ("zh", "en", "vi")
ID_PATTERN = re.compile(r"^[0-9a-f]{10}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# What a publication is (its genre), beside `type`, which says what kind of record it is and so which
# folder of content/ holds it: an abstract of a journal article and one of a thesis are both abstracts.
GENRES = ("article", "thesis", "book", "chapter", "report")
DOI_PATTERN = re.compile(r"^10\.\d+(?:\.\d+)*/\S+$")

# field -> (kind, required). Kinds: str, int, bool, date, list (of str), langmap (lang -> str),
# authors (a list of names, each plain text or {name, affiliation}).
ABSTRACT_FIELDS: dict[str, tuple[str, bool]] = {
    "id": ("str", True),
    "type": ("str", True),
    "genre": ("str", False),
    "language": ("str", True),
    "title": ("str", False),
    "title_en": ("str", False),
    "authors": ("authors", False),
    "year": ("int", False),
    "date": ("date", False),
    "journal": ("str", False),
    "journal_en": ("str", False),
    "volume": ("str", False),
    "issue": ("str", False),
    "pages": ("str", False),
    "doi": ("str", False),
    "url": ("str", False),
    "issn": ("str", False),
    "isbn": ("str", False),
    "publisher": ("str", False),
    "fund": ("str", False),
    "clc": ("str", False),
    "keywords": ("list", False),
    "truncated": ("bool", False),
    "added": ("date", False),
    "source_file": ("str", False),
    "source_line": ("int", False),
    "text": ("str", True),
    "abstract_en": ("str", False),
}

GLOSSARY_FIELDS: dict[str, tuple[str, bool]] = {
    "id": ("str", True),
    "type": ("str", True),
    "abbreviation": ("str", False),
    "term": ("langmap", True),
    "section": ("langmap", False),
    "breadcrumb": ("langmap", False),
    "date": ("date", False),
    "publisher": ("str", False),
    "url": ("str", False),
    "keywords": ("list", False),
    "added": ("date", False),
    "source_file": ("str", False),
    "source_line": ("int", False),
    "text": ("langmap", True),
}

# YAML is read with every scalar as text (yamlfile.py): these are the words a true/false field takes.
_BOOLEANS = {"true": True, "false": False}

FIELDS_BY_TYPE = {"abstract": ABSTRACT_FIELDS, "glossary": GLOSSARY_FIELDS}


def _fail(path, field, problem, fix, positions):
    line, column = positions.get(field, (None, None))
    raise InputError(path, f"field '{field}' {problem}", fix, line, column)


def _check_kind(path, field, kind, value, positions):
    for text in (value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]):
        hidden = textnorm.INVISIBLE.search(text) if isinstance(text, str) else None
        if hidden:
            _fail(path, field, f"holds {textnorm.describe_invisible(hidden.group())}",
                  "delete it (it would be published hidden in the text)", positions)
    if kind == "str":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            _fail(path, field, f"should be text, not {type(value).__name__}", "write it as plain text", positions)
        return value.strip()
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
                return int(value.strip())
            _fail(path, field, f"should be a whole number, not {value!r}", "write digits only, e.g. 2014", positions)
        return value
    if kind == "bool":
        if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
            return _BOOLEANS[value.strip().lower()]
        if not isinstance(value, bool):
            _fail(path, field, f"should be true or false, not {value!r}", "write true or false", positions)
        return value
    if kind == "date":
        if isinstance(value, _dt.datetime):
            value = value.date()
        if isinstance(value, _dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                pass
        _fail(path, field, f"should be a date, not {value!r}", "write it as YYYY-MM-DD", positions)
    if kind == "list":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            _fail(path, field, "should be a list of text items", "write one '- item' per line", positions)
        return [str(v).strip() for v in value if str(v).strip()]
    if kind == "authors":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            _fail(path, field, "should be a list of names", "write one '- name' per line (with 'affiliation: …' "
                  "under '- name: …' when known)", positions)
        return [author for author in (_check_author(path, field, item, positions) for item in items) if author]
    if kind == "langmap":
        if not isinstance(value, dict):
            _fail(path, field, "should map languages to text", "write e.g. 'zh: …' and 'vi: …' under it", positions)
        out = {}
        for lang, text in value.items():
            if lang not in LANGUAGES:
                _fail(path, field, f"has unknown language {lang!r}", f"use one of {', '.join(LANGUAGES)}", positions)
            if not isinstance(text, str):
                _fail(path, field, f"[{lang}] should be text", "write it as plain text", positions)
            if text.strip():
                out[lang] = text.strip()
        return out
    raise AssertionError(kind)


def _check_author(path, field, item, positions):
    """Return one author as written: a name, or {name, affiliation} when an affiliation is given."""
    if isinstance(item, (str, int)) and not isinstance(item, bool):
        return str(item).strip()
    if isinstance(item, dict):
        unknown = [key for key in item if key not in ("name", "affiliation")]
        if unknown or not isinstance(item.get("name"), str) or not isinstance(item.get("affiliation", ""), str):
            _fail(path, field, f"has an author written {item!r}",
                  "write '- name: …' with an optional 'affiliation: …' under it, or the name alone", positions)
        name, affiliation = item["name"].strip(), (item.get("affiliation") or "").strip()
        return {"name": name, "affiliation": affiliation} if name and affiliation else name
    _fail(path, field, "should be a list of names", "write one '- name' per line", positions)


def authors(record: dict) -> list[dict]:
    """Return a record's authors in order as [{name, affiliation}] ("" when none is known), whichever
    way each was written."""
    return [item if isinstance(item, dict) else {"name": item, "affiliation": ""} for item in record.get("authors", [])]


def validate(raw, path, positions: dict | None = None) -> dict:
    """Return the record as a clean dict in schema order, or raise InputError naming path and field."""
    positions = positions or {}
    if not isinstance(raw, dict):
        raise InputError(path, "is not a record (expected 'field: value' lines)", "see the schema in README.md")
    kind = raw.get("type")
    if kind not in FIELDS_BY_TYPE:
        _fail(path, "type", f"is {kind!r}", "write 'type: abstract' or 'type: glossary'", positions)
    fields = FIELDS_BY_TYPE[kind]
    for field in raw:
        if field not in fields:
            close = difflib.get_close_matches(str(field), list(fields), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(fields)}"
            _fail(path, field, "is not a known field", hint, positions)
    record: dict = {}
    for field, (field_kind, required) in fields.items():
        value = raw.get(field)
        if value is None or value == "" or value == [] or value == {}:
            if required:
                _fail(path, field, "is missing or empty", f"add '{field}:' with a value", positions)
            continue
        record[field] = _check_kind(path, field, field_kind, value, positions)
        if required and not record[field]:
            _fail(path, field, "is empty", f"give '{field}' a value", positions)
    _check_values(record, path, positions)
    return record


def _check_values(record, path, positions):
    texts = record["text"].values() if isinstance(record["text"], dict) else [record["text"]]
    if not all(map(textnorm.has_letters, texts)):
        _fail(path, "text", "has no letters (only punctuation, digits or symbols)",
              "paste the abstract's text, or delete the record", positions)
    if record["type"] == "abstract":
        if not ID_PATTERN.match(record["id"]):
            _fail(path, "id", f"is {record['id']!r}", "ids are 10 lowercase hex digits; keep the one the import gave", positions)
        if record["language"] not in LANGUAGES:
            _fail(path, "language", f"is {record['language']!r}", f"use one of {', '.join(LANGUAGES)}", positions)
    elif not SLUG_PATTERN.match(record["id"]):
        _fail(path, "id", f"is {record['id']!r}", "glossary ids are lowercase slugs such as 'cica'", positions)
    if "year" in record and not 1000 <= record["year"] <= 2999:
        _fail(path, "year", f"is {record['year']}", "write a four-digit year", positions)
    if "genre" in record and record["genre"] not in GENRES:
        _fail(path, "genre", f"is {record['genre']!r}", f"use one of {', '.join(GENRES)}", positions)
    if "doi" in record and not DOI_PATTERN.match(record["doi"]):
        _fail(path, "doi", f"is {record['doi']!r}", "write the DOI alone, e.g. 10.1080/14799855.2016.1234567", positions)
    if "url" in record and urlparse(record["url"]).scheme not in ("http", "https"):
        _fail(path, "url", f"is {record['url']!r}", "only http:// or https:// links are allowed", positions)


def ordered(record: dict) -> dict:
    """Return record with its keys in schema order (the order YAML files are written in)."""
    fields = FIELDS_BY_TYPE[record["type"]]
    return {field: record[field] for field in fields if field in record}
