"""Records in, index out: term counts per record and field, and their compact, deterministic form.

A plain lunr.py index at 5,000 abstracts is ~10 MB of JSON, most of it (term, record) pairs: record
refs repeated as strings and float weights in field vectors. The compact form ships, per term, one
short string holding each field's record ordinals (delta-encoded) and term frequencies
(encode_postings); js/engine.js decodes a term's string only when a query needs it and scores with
lunr's BM25 (same k1, b and boosts). `lunr_index()` builds the same records with lunr.py itself, and
tests/test_search_index.py checks that the browser's lunr.Index rebuilt from the compact form
equals it, vector for vector; tests/test_search_engine.py checks that the browser's direct scorer
gives that lunr.Index's scores.
(The site build counts terms here rather than through lunr.py's Builder.add, which deep-copies
metadata per token and took a third of the build time at 5,000 records.)
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import lunr
from lunr.builder import Builder

from .analyze import analyze
from .rules import RULES

# (field, boost): a title match counts three times a match in the text. "entities" holds one
# "@<slug>" term per entity the build found in the record (doc["entities"]), so that a query
# naming an entity in one language also finds records naming it in another. "authors" and
# "journal" come last: a collection without them has empty fields there, which the postings leave out.
FIELDS = (("title", 3), ("text", 1), ("keywords", 2), ("entities", 1), ("authors", 2), ("journal", 1))
ENTITY_PREFIX = "@"
K1, B = 1.2, 0.75
FORMAT = 3  # 3: sharded (FORMAT.md); each posting carries its record's field length


def ref_of(ordinal: int) -> str:
    """Return the short lunr ref (base 36) of the record at ordinal."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        ordinal, rest = divmod(ordinal, 36)
        out = digits[rest] + out
        if not ordinal:
            return out


def utf16_key(term: str) -> bytes:
    """Return the sort key that orders terms as JavaScript compares strings (UTF-16 code units)."""
    return term.encode("utf-16-be")


def doc_fields(doc: dict) -> dict[str, list[str]]:
    """Return the analysed terms of each indexed field of doc (FIELDS).

    A doc may bring them already analysed under "terms" (the site build caches analysis per record);
    a field's terms may come counted, as {term: count}.
    """
    entities = [ENTITY_PREFIX + slug for slug in sorted(set(doc.get("entities") or ()))]
    if "terms" in doc:
        return {"authors": [], "journal": [], **doc["terms"], "entities": entities}
    text: list[str] = []
    for block in doc.get("blocks", ()):
        text.extend(analyze(block["text"], block.get("lang") or doc["lang"]))
    keywords: list[str] = []
    for keyword in doc.get("keywords", ()):
        keywords.extend(analyze(keyword, doc["lang"]))
    authors: list[str] = []
    for name in doc.get("authors", ()):
        authors.extend(analyze(name, doc["lang"]))
    return {"title": analyze(doc.get("title", ""), doc["lang"]), "text": text, "keywords": keywords,
            "entities": entities, "authors": authors, "journal": analyze(doc.get("journal") or "", doc["lang"])}


def analyse_all(docs: list[dict]) -> list[dict[str, list[str]]]:
    """Return doc_fields of every doc, in order. (The site build brings each doc's terms analysed and
    cached; only docs without them, as in tests and the benchmark, are analysed here, in this process.)"""
    return [doc_fields(d) for d in docs]


@dataclass
class Counts:
    """Term counts of a corpus: postings[term][field] = [(ordinal, tf)], lengths[ordinal][field]."""

    postings: dict[str, list[list[tuple[int, int]]]] = field(default_factory=dict)
    lengths: list[list[int]] = field(default_factory=list)


def count(analysed: list[dict[str, list[str]]]) -> Counts:
    """Return the term counts of analysed records (ordinals follow the list order)."""
    counts = Counts()
    names = [name for name, _ in FIELDS]
    for ordinal, fields in enumerate(analysed):
        tallies = [tally(fields[name]) for name in names]
        counts.lengths.append([sum(counted.values()) for counted in tallies])
        for f, counted in enumerate(tallies):
            for term, tf in counted.items():
                posting = counts.postings.get(term)
                if posting is None:
                    posting = counts.postings[term] = [[] for _ in names]
                posting[f].append((ordinal, tf))
    return counts


def tally(terms) -> dict[str, int]:
    """Return {term: count} of a field's terms, given as a list or already counted (a dict)."""
    return terms if isinstance(terms, dict) else Counter(terms)


# Postings are written in a base-32 variable-length code of printable ASCII that needs no escaping in
# JSON or in a JS string: DIGITS[:32] are the leading digits of a number, DIGITS[32:] its last one.
# The alphabet is rules.json's "postings_digits", which js/engine.js reads too.
DIGITS = RULES["postings_digits"]
FIELD_SEPARATOR = " "


def _encode(value: int) -> str:
    """Return value (>= 0) in the postings' variable-length code."""
    out = DIGITS[32 + (value & 31)]
    value >>= 5
    while value:
        out = DIGITS[value & 31] + out
        value >>= 5
    return out


# Small values are nearly all of the postings: looked up, not encoded each time.
_CODES = tuple(_encode(v) for v in range(1 << 15))


def _code(value: int) -> str:
    """Return value (>= 0) in the postings' variable-length code."""
    return _CODES[value] if value < len(_CODES) else _encode(value)


def encode_field(entries: list[tuple[int, int, int]]) -> str:
    """Return [(ordinal, tf, length), ...] as a code string: per entry gap*2 when tf is 1, else gap*2+1
    followed by tf; then the record's length of the field (BM25 needs it, see FORMAT.md)."""
    out = []
    previous = 0
    for ordinal, tf, length in entries:
        value = (ordinal - previous) * 2
        previous = ordinal
        if tf == 1:
            out.append(_code(value))
        else:
            out.append(_code(value + 1))
            out.append(_code(tf))
        out.append(_code(length))
    return "".join(out)


def encode_postings(fields: list[list[tuple[int, int, int]]]) -> str:
    """Return one term's postings, field by field, as one string (fields separated by a space)."""
    return FIELD_SEPARATOR.join(encode_field(entries) for entries in fields).rstrip(FIELD_SEPARATOR)


def averages(lengths: list[list[int]]) -> list[float]:
    """Return each field's average length over the records, the double lunr.Builder computes."""
    n = len(lengths)
    return [sum(record[f] for record in lengths) / n if n else 0 for f in range(len(FIELDS))]


def postings_of(counts: Counts, term: str) -> str:
    """Return the encoded postings of term, each entry carrying its record's field length."""
    lengths = counts.lengths
    return encode_postings([[(o, tf, lengths[o][f]) for o, tf in entries]
                            for f, entries in enumerate(counts.postings[term])])


def lunr_index(analysed: list[dict[str, list[str]]]) -> lunr.index.Index:
    """Return the lunr.py Index of analysed records (refs are base-36 ordinals), the reference build."""
    builder = Builder()
    builder.ref("ref")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    builder.k1(K1)
    builder.b(B)
    # The pipelines stay empty: terms arrive analysed, and an empty pipeline serialises to [] so
    # no reader has to register a function.
    for ordinal, fields in enumerate(analysed):
        builder.add({"ref": ref_of(ordinal), **fields})
    return builder.build()
