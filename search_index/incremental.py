"""Updating the last build's index where records changed, instead of counting every record again.

Counting and encoding every posting of 5,000 records takes about a second. A rebuild after one new
abstract changes the postings of the hundred-odd terms it uses, and of the terms of records whose
keywords moved (keywords are weighed against the whole collection). state() is what a build keeps
for the next one: each record's id, its terms_key and its keyword terms, and the compact index.
update() returns the compact index of the new records, equal to compact(count(analysed)) (the
tests build both and compare them), or None when it cannot: a record was removed or its terms_key
changed (its old terms are not kept), a record lacks a terms_key, or so many records changed that
counting everything is as quick.

A doc's "terms_key" is a text that changes whenever the terms of its title, text or entities do (the
site build uses the key of its cached analysis); its keyword terms are compared as they are.
"""
from __future__ import annotations

from .builder import FIELDS, FORMAT, decode_postings, encode_postings, index_data, tally, utf16_key

STATE_FORMAT = 1
MOST_CHANGED = 0.2  # above this share of records re-counted, counting everything is about as quick
_NAMES = [name for name, _ in FIELDS]
_KEYWORDS = _NAMES.index("keywords")


def state(docs: list[dict], analysed: list[dict], data: dict) -> dict:
    """Return what update() needs from this build (plain data, for a cache)."""
    return {
        "format": STATE_FORMAT,
        "index_format": data["format"],
        "fields": [list(f) for f in FIELDS],
        "records": [[doc["id"], doc.get("terms_key"), dict(tally(fields["keywords"]))]
                    for doc, fields in zip(docs, analysed)],
        "terms": data["terms"],
        "postings": data["postings"],
    }


def update(previous: dict | None, docs: list[dict], analysed: list[dict]) -> dict | None:
    """Return the compact index of docs (analysed: their doc_fields) made from previous (a state()),
    or None when it has to be counted afresh."""
    if not _usable(previous, docs):
        return None
    old = previous["records"]
    old_at = {record[0]: ordinal for ordinal, record in enumerate(old)}
    if len(old_at) != len(old) or sum(1 for doc in docs if doc["id"] in old_at) != len(old):
        return None  # a record was removed: its old terms are not kept
    dropped: list[set[int]] = [set() for _ in FIELDS]  # per field, old ordinals whose entries go
    added: dict[str, list[tuple[int, int, int]]] = {}  # term -> (field, new ordinal, tf) to add
    touched: set[str] = set()  # terms whose postings are written again
    recounted = 0
    for ordinal, (doc, fields) in enumerate(zip(docs, analysed)):
        before = old_at.get(doc["id"])
        if before is not None and old[before][1] != doc["terms_key"]:
            return None  # its title, text or entities changed, and their old terms are not kept
        if before is None or before != ordinal:  # new, or moved: every field is counted again
            recounted += 1
            if before is not None:
                for gone in dropped:
                    gone.add(before)
                touched.update(old[before][2])
            _add(added, touched, ordinal, fields, range(len(FIELDS)))
        else:
            keywords = tally(fields["keywords"])
            if keywords != old[before][2]:  # only its keywords changed
                dropped[_KEYWORDS].add(before)
                touched.update(old[before][2])
                _add(added, touched, ordinal, fields, (_KEYWORDS,))
        if recounted > MOST_CHANGED * len(docs):
            return None
    postings = dict(zip(previous["terms"], previous["postings"]))
    for term in touched:
        fields = decode_postings(postings.get(term, ""))
        for f, gone in enumerate(dropped):
            if gone and fields[f]:
                fields[f] = [entry for entry in fields[f] if entry[0] not in gone]
        resorted = set()
        for f, ordinal, tf in added.get(term, ()):
            fields[f].append((ordinal, tf))
            resorted.add(f)
        for f in resorted:
            fields[f].sort()
        if any(fields):
            postings[term] = encode_postings(fields)
        else:
            postings.pop(term, None)
    terms = sorted(postings, key=utf16_key)
    lengths = [[sum(tally(fields[name]).values()) for name in _NAMES] for fields in analysed]
    return index_data(terms, [postings[term] for term in terms], lengths)


def _usable(previous, docs) -> bool:
    return (isinstance(previous, dict) and previous.get("format") == STATE_FORMAT
            and previous.get("index_format") == FORMAT and previous.get("fields") == [list(f) for f in FIELDS]
            and all(doc.get("terms_key") is not None for doc in docs))


def _add(added: dict, touched: set, ordinal: int, fields: dict, which) -> None:
    """Note the entries of record ordinal in the given fields (indexes into FIELDS) to add."""
    for f in which:
        for term, tf in tally(fields[_NAMES[f]]).items():
            added.setdefault(term, []).append((f, ordinal, tf))
            touched.add(term)

