"""Similar records ("相似文献"): for each record, the others closest to it by TF-IDF cosine over its
segmented terms, with shared entities (SCO, Russia, …) counted as features every language shares.

Pure Python. Term vectors are sparse dicts scored over an inverted index, so only pairs that share a
term are ever touched. Entities are handled apart: a few of them (China, the SCO) occur in most records
of this corpus, and pairing every record with every other that shares one would cost n² operations.
Records with the same entity set score the same against any record, so they are scored once per set.
"""
from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from operator import itemgetter

# Per record, only the strongest terms take part: weak terms barely move a cosine, and it is a
# common term's posting list that makes an inverted index slow (its cost grows with df²).
MAX_TERMS = 30
# A term in more than this share of records (and in more than MIN_DF_CUT records) is left out: its
# low IDF barely moves a score, and its posting list would cost df² operations. Small corpora keep all.
MAX_DF = 0.02
MIN_DF_CUT = 100
# Scores are rounded before ranking so that float noise never decides a tie; ties go to the lower id.
DIGITS = 9


def similar(records_terms: dict, records_entities: dict | None = None, k: int = 5,
            entity_weight: float = 1.0, part: tuple[int, int] = (0, 1)) -> dict:
    """Return {id: [up to k other ids, most similar first]} for every id in records_terms.

    part (i, n) limits the answer to the i-th of n interleaved shares of the ids (in sorted order),
    so that n processes can share the work; each share's lists are what the whole run gives.

    records_terms maps a record id to its segmented terms (repeats count), or to {term: count};
    records_entities maps an id
    to its entity slugs. Each record's vector is its unit TF-IDF term vector joined with its unit
    IDF-weighted entity vector scaled by entity_weight, and records are compared by cosine: an English and
    a Chinese abstract about the same organisation alone score entity_weight² / (1 + entity_weight²).
    Records sharing nothing with a record are never listed, even if fewer than k remain: padding with
    unrelated records would mislead readers. Ordering: score descending, then id ascending (compared as
    text), so the same input always gives the same output.
    """
    records_entities = records_entities or {}
    ids = sorted(records_terms, key=str)
    if k <= 0:
        return {doc_id: [] for doc_id in ids}
    terms = _term_vectors(ids, records_terms)
    w2 = entity_weight * entity_weight
    entities = _entity_vectors(ids, records_entities if w2 > 0 else {})
    # Cosine needs each whole vector's length; both parts are unit length (or empty) before scaling.
    norm = {i: math.sqrt((1.0 if terms[i] else 0.0) + (w2 if entities[i] else 0.0)) for i in ids}

    postings: dict[str, list[tuple[object, float]]] = defaultdict(list)
    for doc_id in ids:
        for term, weight in terms[doc_id]:
            postings[term].append((doc_id, weight))

    groups = _groups(ids, entities, norm)
    group_of = {doc_id: key for key, members in groups.items() for doc_id in members}
    by_entity: dict = defaultdict(list)
    for key in groups:
        for slug in key[0]:
            by_entity[slug].append(key)
    ranked_groups: dict = {}

    result = {}
    for doc_id in ids[part[0]::part[1]]:
        scores: dict = {}
        get = scores.get
        for term, weight in terms[doc_id]:
            for other, other_weight in postings[term]:
                scores[other] = get(other, 0.0) + weight * other_weight
        scores.pop(doc_id, None)

        key = group_of[doc_id]
        if key not in ranked_groups:
            ranked = _rank_groups(key, groups, by_entity, entities, w2)
            ranked_groups[key] = (ranked, dict(ranked))
        ranked, group_score = ranked_groups[key]
        scale = 1.0 / norm[doc_id] if scores else 0.0
        totals = {o: s * scale / norm[o] + group_score.get(group_of[o], 0.0) for o, s in scores.items()}
        candidates = _shortlist(totals, k)
        candidates += _entity_only(doc_id, ranked, groups, scores, k)
        result[doc_id] = [o for score, _, o in heapq.nsmallest(k, candidates) if score < 0]
    return result


def _term_vectors(ids, records_terms) -> dict:
    """Return id -> [(term, weight)]: unit-length sublinear TF-IDF over the strongest MAX_TERMS terms."""
    n = len(ids)
    # A record's terms may come counted already ({term: count}); they are only read here.
    counts = {doc_id: terms if isinstance(terms, dict) else Counter(terms)
              for doc_id, terms in ((doc_id, records_terms[doc_id]) for doc_id in ids)}
    df: Counter = Counter()
    for count in counts.values():
        df.update(count.keys())
    blanks = {term for term in df if not (term and term.strip())}  # checked once per distinct term
    if blanks:
        for term in blanks:
            del df[term]
        counts = {doc_id: {t: c for t, c in count.items() if t not in blanks} for doc_id, count in counts.items()}
    max_df = max(MIN_DF_CUT, MAX_DF * n)
    # A corpus has few distinct counts and document frequencies: their logarithms are computed once.
    tf_weight = {c: 1 + math.log(c) for c in {c for count in counts.values() for c in count.values()}}
    idf = {d: _idf(n, d) for d in set(df.values())}
    vectors = {}
    for doc_id in ids:
        ranked = []
        for term, c in counts[doc_id].items():
            d = df[term]
            if d <= max_df:
                ranked.append((-(tf_weight[c] * idf[d]), term))
        strongest = heapq.nsmallest(MAX_TERMS, ranked)  # heaviest first, ties by term
        vectors[doc_id] = sorted(_unit({term: -negated for negated, term in strongest}).items())
    return vectors


def _entity_vectors(ids, records_entities) -> dict:
    """Return id -> {slug: weight}: unit-length IDF weights of the record's entities."""
    n = len(ids)
    sets = {doc_id: sorted(set(records_entities.get(doc_id) or ())) for doc_id in ids}
    df = Counter(slug for slugs in sets.values() for slug in slugs)
    return {doc_id: _unit({slug: _idf(n, df[slug]) for slug in sets[doc_id]}) for doc_id in ids}


def _groups(ids, entities, norm) -> dict:
    """Return (entity set, norm) -> member ids in id order: records that score alike on entities."""
    groups: dict = defaultdict(list)
    for doc_id in ids:  # ids are sorted, so members are too
        groups[(tuple(sorted(entities[doc_id])), norm[doc_id])].append(doc_id)
    return groups


def _rank_groups(key, groups, by_entity, entities, w2) -> list:
    """Return [(group, entity score)] for groups sharing an entity with group key, best first."""
    slugs, own_norm = key
    own = entities[groups[key][0]]
    dots: dict = defaultdict(float)
    for slug in slugs:
        for other_key in by_entity[slug]:
            dots[other_key] += own[slug] * entities[groups[other_key][0]][slug]
    ranked = [(other_key, w2 * dot / (own_norm * other_key[1])) for other_key, dot in dots.items() if dot > 0]
    # Best first by raw score; groups that tie are merged in id order by _entity_only, not here.
    ranked.sort(key=itemgetter(1), reverse=True)
    return ranked


def _shortlist(totals: dict, k: int) -> list:
    """Return ranking tuples (-score, id text, id) for the records that may make the top k of totals."""
    if not totals:
        return []
    # Cheap pass on raw floats first; the exact (rounded, id) ordering is only needed near the cut.
    cut = heapq.nlargest(k, totals.values())[-1] - 2 * 10 ** -DIGITS
    return [(-round(s, DIGITS), str(o), o) for o, s in totals.items() if s >= cut]


def _entity_only(doc_id, ranked_groups, groups, term_scored, k) -> list:
    """Return ranking tuples for the best records that share entities with doc_id but no term."""
    out = []
    for key, score in ranked_groups:
        rounded = -round(score, DIGITS)
        if len(out) >= k and rounded > out[k - 1][0]:
            break  # groups come best first: nothing further can enter the top k
        taken = 0
        for other in groups[key]:  # members in id order: the first few are the only ones that can win
            if other != doc_id and other not in term_scored:
                out.append((rounded, str(other), other))
                taken += 1
                if taken == k:
                    break
        out.sort()
    return out


def _idf(n: int, df: int) -> float:
    # Smoothed and never zero: with two records a shared term must still count.
    return math.log((1 + n) / (1 + df)) + 1


def _unit(weights: dict) -> dict:
    """Return weights scaled to Euclidean length 1 (empty stays empty)."""
    length = math.sqrt(sum(w * w for w in weights.values()))
    return {key: w / length for key, w in weights.items()} if length else {}
