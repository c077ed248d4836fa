"""Matching metadata entries to records by their abstract, and what each entry gives a record.

An entry belongs to the record whose text is its abstract once both are brought to one form
(match_key); a record marked truncated also takes an entry whose abstract begins with its text, and
gets the whole text. Only fields the record lacks are filled: what a maintainer wrote in content/
always wins, so running the same exports again changes nothing. Two candidate records, or a text
that is nearly but not exactly a record's, are reported and left alone, never guessed.
"""
from __future__ import annotations

import difflib
import unicodedata

from .. import schema, textnorm

# Punctuation NFKC leaves as it is, mapped to the half-width form the corpus often has (资格.这一决定).
# (A chain of str.replace: indexing 5,000 abstracts takes 0.03 s, against 0.3 s with str.translate.)
_PUNCTUATION = (("。", "."), ("、", ","), ("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("《", "<"), ("》", ">"),
                ("【", "["), ("】", "]"), ("—", "-"), ("–", "-"), ("…", "..."), ("·", "."), ("﹒", "."))
NEAR = 0.9  # a text this similar to a record's (difflib ratio) but not equal is reported, not matched
_EDGE = 16  # near-identical candidates share their first or last characters with the entry
_MIN_PREFIX = 20  # a truncated record's text must be at least this long to be completed from an entry

# entry key -> record field, filled when the record lacks it
_PLAIN = ("genre", "year", "date", "volume", "issue", "pages", "doi", "url", "issn", "isbn", "publisher", "fund",
          "clc", "keywords")


def match_key(text: str) -> str:
    """Return the form two abstracts are compared in: NFKC (full-width letters, digits and punctuation
    to half-width), the other CJK punctuation mapped, and all whitespace dropped, which repairs the
    PDF line-break spaces (textnorm.repair_pdf_spaces) and more: CNKI writes 21世纪 where a PDF gave
    21 世纪. Case folded."""
    text = unicodedata.normalize("NFKC", text)
    for mark, plain in _PUNCTUATION:
        text = text.replace(mark, plain)
    return "".join(text.split()).casefold()


def _truncated_key(text: str) -> str:
    """Return the match key of a truncated record's text, without the ... that marks the cut."""
    return match_key(textnorm.TRUNCATION.sub("", text)).rstrip(".")


class Collection:
    """The records entries are matched against, indexed by match key; records added by the import
    join it, so a second export of the same new abstract finds the record the first one made."""

    def __init__(self, records: list[dict]):
        self.exact: dict[str, list[str]] = {}
        self.truncated: list[tuple[str, str]] = []
        self.edges: dict[str, set[str]] = {}
        self.keys: dict[str, str] = {}
        for record in records:
            if record["type"] == "abstract":
                self.add(record)

    def add(self, record: dict) -> None:
        """Index one abstract record under its text."""
        key = match_key(record["text"])
        self.keys[record["id"]] = key
        self.exact.setdefault(key, []).append(record["id"])
        if record.get("truncated"):
            self.truncated.append((_truncated_key(record["text"]), record["id"]))
        for edge in (key[:_EDGE], key[-_EDGE:]):
            self.edges.setdefault(edge, set()).add(record["id"])

    def find(self, abstract: str) -> tuple[list[str], str, list[str]]:
        """Return (exact ids, id of a truncated record this abstract completes or "", near-identical ids)."""
        key = match_key(abstract)
        exact = self.exact.get(key, [])
        if not exact:  # the same cut text, with or without its ...
            exact = [rid for prefix, rid in self.truncated if prefix == key]
        if not exact and textnorm.is_truncated(abstract):
            # An export that is cut off itself belongs to the record whose whole text it begins.
            cut = _truncated_key(abstract)
            if len(cut) >= _MIN_PREFIX:
                exact = [rid for rid, whole in self.keys.items() if whole.startswith(cut)]
        if exact:
            return sorted(set(exact)), "", []
        completes = sorted({rid for prefix, rid in self.truncated if len(prefix) >= _MIN_PREFIX and key.startswith(prefix)})
        if len(completes) == 1:
            return [], completes[0], []
        if completes:
            return completes, "", []  # several truncated records begin so: ambiguous
        matcher, near = difflib.SequenceMatcher(None), []
        matcher.set_seq2(key)
        for rid in sorted(self.edges.get(key[:_EDGE], set()) | self.edges.get(key[-_EDGE:], set())):
            matcher.set_seq1(self.keys[rid])
            # The two quick bounds are linear; ratio() is quadratic, so only for texts that may pass.
            if matcher.real_quick_ratio() >= NEAR and matcher.quick_ratio() >= NEAR and matcher.ratio() >= NEAR:
                near.append(rid)
        return [], "", near


def main_abstract(entry: dict) -> str:
    """Return the abstract a new record is made of: the Chinese one when there are several."""
    abstracts = entry.get("abstracts", [])
    return next((a for a in abstracts if textnorm.HAN_CHAR.search(a)), abstracts[0] if abstracts else "")


def _by_language(items: list[str], language: str) -> tuple[str, str]:
    """Return (the item in the record's language, the English one for a record in another language)."""
    han = [item for item in items if textnorm.HAN_CHAR.search(item)]
    latin = [item for item in items if not textnorm.HAN_CHAR.search(item)]
    if language == "zh":
        return (han[0] if han else ""), (latin[0] if latin else "")
    if language == "en":
        return (latin[0] if latin else items[0] if items else ""), ""
    return (items[0] if items else ""), ""


def offered(entry: dict, language: str, used_abstract: str) -> dict:
    """Return the record fields an entry offers a record in language, whose text is used_abstract."""
    fields: dict = {key: entry[key] for key in _PLAIN if entry.get(key)}
    title, title_en = _by_language(entry.get("titles", []), language)
    journal, journal_en = _by_language(entry.get("journals", []), language)
    if not journal:  # a Chinese abstract of a paper in a journal with a Latin name only: that name is its name
        journal, journal_en = journal_en, ""
    fields.update({k: v for k, v in (("title", title), ("title_en", title_en), ("journal", journal),
                                     ("journal_en", journal_en)) if v})
    if entry.get("authors"):
        fields["authors"] = [{"name": a["name"], "affiliation": a["affiliation"]} if a.get("affiliation") else a["name"]
                             for a in entry["authors"]]
    if language != "en":
        others = [a for a in entry.get("abstracts", []) if match_key(a) != match_key(used_abstract)
                  and textnorm.detect_language(a) == "en"]
        if others:
            fields["abstract_en"] = others[0]
    return fields


def fill(record: dict, fields: dict) -> dict:
    """Return record with the fields it lacks taken from fields (a field it has is never changed)."""
    filled = dict(record)
    for key, value in fields.items():
        if filled.get(key) in (None, "", [], {}):
            filled[key] = value
    return schema.ordered(filled)
